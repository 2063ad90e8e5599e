/** Request schemas of GET and PATCH /v1/pages/{id}/markdown (SDK `pages.retrieveMarkdown`/`updateMarkdown`). */
import { z } from 'zod';
import { pickByKey } from './pick.ts';

const Markdown = z.string();

const InsertContent = z.strictObject({
  content: Markdown,
  after: z.string().optional(),
  position: pickByKey(
    {
      start: z.strictObject({ type: z.literal('start') }),
      end: z.strictObject({ type: z.literal('end') }),
    },
    z.strictObject({ type: z.enum(['start', 'end']) }),
  ).optional(),
});

const ReplaceContentRange = z.strictObject({
  content: Markdown,
  content_range: z.string(),
  allow_deleting_content: z.boolean().optional(),
});

const UpdateContent = z.strictObject({
  content_updates: z
    .array(
      z.strictObject({
        old_str: z.string().min(1),
        new_str: z.string(),
        replace_all_matches: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(100),
  allow_deleting_content: z.boolean().optional(),
});

const ReplaceContent = z.strictObject({
  new_str: Markdown,
  allow_deleting_content: z.boolean().optional(),
});

const variant = <K extends string, S extends z.ZodType>(key: K, payload: S) =>
  z.strictObject({ type: z.literal(key), allow_async: z.boolean().optional(), [key]: payload } as {
    type: z.ZodLiteral<K>;
    allow_async: z.ZodOptional<z.ZodBoolean>;
  } & Record<K, S>);

/** The body: `type` names the one operation, whose payload sits under the same key. */
export const UpdatePageMarkdownBody = pickByKey(
  {
    insert_content: variant('insert_content', InsertContent),
    replace_content_range: variant('replace_content_range', ReplaceContentRange),
    update_content: variant('update_content', UpdateContent),
    replace_content: variant('replace_content', ReplaceContent),
  },
  z.strictObject({
    type: z.enum(['insert_content', 'replace_content_range', 'update_content', 'replace_content']),
  }),
);
export type UpdatePageMarkdownBody =
  | { type: 'insert_content'; insert_content: z.output<typeof InsertContent>; allow_async?: boolean }
  | {
      type: 'replace_content_range';
      replace_content_range: z.output<typeof ReplaceContentRange>;
      allow_async?: boolean;
    }
  | { type: 'update_content'; update_content: z.output<typeof UpdateContent>; allow_async?: boolean }
  | { type: 'replace_content'; replace_content: z.output<typeof ReplaceContent>; allow_async?: boolean };

/** GET query: `include_transcript` as the SDK sends it (`true`/`false`). */
export const GetPageMarkdownQuery = z.strictObject({
  include_transcript: z.enum(['true', 'false']).optional(),
});
