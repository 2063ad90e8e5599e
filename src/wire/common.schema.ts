/**
 * Request schemas shared across endpoints: ids, colors, rich text, icons, covers, parents.
 * These describe what a client may send (Notion's limits included); normalizing to stored form
 * is the domain's job.
 */
import { z } from 'zod';
import { normalizeId } from '../lib/ids.ts';
import { isTimeZoneName } from '../lib/time-zones.ts';
import { COLOR_NAMES } from './names.ts';
import { pickByKey } from './pick.ts';

/** An id as clients send it: 32 hex digits with or without dashes; parsed to dashed lowercase. */
export const IdRequest = z.string().transform((raw, ctx) => {
  const id = normalizeId(raw);
  if (id === null) {
    ctx.issues.push({ code: 'custom', message: 'should be a valid uuid', input: raw });
    return z.NEVER;
  }
  return id;
});

/** Option colors (select, multi_select, status). */
export const SELECT_COLORS = COLOR_NAMES;

/** Block and rich-text colors: the option colors and each as a background. */
export const API_COLORS = [
  ...SELECT_COLORS,
  ...SELECT_COLORS.map((c) => `${c}_background` as const),
] as const;
export const ApiColor = z.enum(API_COLORS);
export type ApiColor = z.infer<typeof ApiColor>;

export const MAX_TEXT = 2000;
export const MAX_URL = 2000;
export const MAX_EQUATION = 1000;
export const MAX_ARRAY = 100;

const Annotations = z.strictObject({
  bold: z.boolean().optional(),
  italic: z.boolean().optional(),
  strikethrough: z.boolean().optional(),
  underline: z.boolean().optional(),
  code: z.boolean().optional(),
  color: ApiColor.optional(),
});

/** Keys a client may echo back from a response item; accepted and ignored. */
const echoed = {
  annotations: Annotations.optional(),
  plain_text: z.string().optional(),
  href: z.string().nullable().optional(),
};

/** ISO 8601 date (2024-05-01) or date-time (2024-05-01T10:00, optional seconds, fraction, offset). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
export const IsoDateString = z
  .string()
  .refine((s) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), {
    message: 'should be a valid ISO 8601 date string',
  });

const DateRequest = z.strictObject({
  start: IsoDateString,
  end: IsoDateString.nullable().optional(),
  time_zone: z
    .string()
    .refine(isTimeZoneName, { message: 'should be a valid IANA time zone' })
    .nullable()
    .optional(),
});

export type DateRequest = z.infer<typeof DateRequest>;
export { DateRequest };

const MentionRequest = z.union([
  z.object({ type: z.literal('user').optional(), user: z.object({ id: IdRequest }) }),
  z.object({ type: z.literal('page').optional(), page: z.object({ id: IdRequest }) }),
  z.object({ type: z.literal('database').optional(), database: z.object({ id: IdRequest }) }),
  z.object({ type: z.literal('date').optional(), date: DateRequest }),
  z.object({
    type: z.literal('link_preview').optional(),
    link_preview: z.object({ url: z.string().max(MAX_URL) }),
  }),
  z.object({
    type: z.literal('template_mention').optional(),
    template_mention: z.union([
      z.strictObject({
        type: z.literal('template_mention_date').optional(),
        template_mention_date: z.enum(['today', 'now']),
      }),
      z.strictObject({
        type: z.literal('template_mention_user').optional(),
        template_mention_user: z.literal('me'),
      }),
    ]),
  }),
]);

const TextItem = z.strictObject({
  type: z.literal('text').optional(),
  text: z.strictObject({
    content: z.string().max(MAX_TEXT),
    // Markdown converters send `{type: "url", url}`, which Notion accepts.
    link: z
      .strictObject({ type: z.literal('url').optional(), url: z.string().max(MAX_URL) })
      .nullable()
      .optional(),
  }),
  ...echoed,
});
const MentionItem = z.strictObject({
  type: z.literal('mention').optional(),
  mention: MentionRequest,
  ...echoed,
});
const EquationItem = z.strictObject({
  type: z.literal('equation').optional(),
  equation: z.strictObject({ expression: z.string().max(MAX_EQUATION) }),
  ...echoed,
});

/**
 * One rich text item. The variant is chosen by its content key so that a bad item reports the
 * error inside that variant (Notion names the deepest failing path, not "one of").
 */
export const RichTextItemRequest = pickByKey(
  { text: TextItem, mention: MentionItem, equation: EquationItem },
  TextItem,
);

export type RichTextItemRequest = z.output<typeof RichTextItemRequest>;
export const RichTextRequest = z.array(RichTextItemRequest).max(MAX_ARRAY);

export const ExternalFileRequest = z.strictObject({ url: z.string().max(MAX_URL) });

export const IconRequest = z.union([
  z.strictObject({ type: z.literal('emoji').optional(), emoji: z.string().min(1) }),
  z.strictObject({ type: z.literal('external').optional(), external: ExternalFileRequest }),
  z.strictObject({
    type: z.literal('file_upload').optional(),
    file_upload: z.strictObject({ id: IdRequest }),
  }),
  z.strictObject({
    type: z.literal('custom_emoji').optional(),
    custom_emoji: z.looseObject({ id: IdRequest }),
  }),
  z.strictObject({
    type: z.literal('icon').optional(),
    icon: z.strictObject({
      name: z.string().min(1),
      color: z
        .enum(['gray', 'lightgray', 'brown', 'yellow', 'orange', 'green', 'blue', 'purple', 'pink', 'red'])
        .optional(),
    }),
  }),
]);
export type IconRequest = z.infer<typeof IconRequest>;

export const CoverRequest = z.union([
  z.strictObject({ type: z.literal('external').optional(), external: ExternalFileRequest }),
  z.strictObject({
    type: z.literal('file_upload').optional(),
    file_upload: z.strictObject({ id: IdRequest }),
  }),
]);
export type CoverRequest = z.infer<typeof CoverRequest>;

/** page_size as Notion takes it: an integer from 1 to 100. */
export const PageSize = z.number().int().min(1).max(100);
