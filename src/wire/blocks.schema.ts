/**
 * Block request schemas: every block type a client may create through append or page children,
 * with Notion's nesting rule (two levels of `children` below the top-level blocks).
 */
import { z } from 'zod';
import { ApiColor, IdRequest, RichTextRequest } from './common.schema.ts';
import { pickByKey } from './pick.ts';
import { type ApiVersion, emitsArchived } from './versions.ts';

const TextPayload = {
  rich_text: RichTextRequest,
  color: ApiColor.optional(),
};

/** Payload schemas by block type, without their `children`. */
export const BLOCK_PAYLOADS = {
  paragraph: z.strictObject({ ...TextPayload }),
  bulleted_list_item: z.strictObject({ ...TextPayload }),
  numbered_list_item: z.strictObject({ ...TextPayload }),
  quote: z.strictObject({ ...TextPayload }),
  toggle: z.strictObject({ ...TextPayload }),
  to_do: z.strictObject({ ...TextPayload, checked: z.boolean().optional() }),
  heading_1: z.strictObject({ ...TextPayload, is_toggleable: z.boolean().optional() }),
  heading_2: z.strictObject({ ...TextPayload, is_toggleable: z.boolean().optional() }),
  heading_3: z.strictObject({ ...TextPayload, is_toggleable: z.boolean().optional() }),
  divider: z.strictObject({}),
} as const;
export type CreatableBlockType = keyof typeof BLOCK_PAYLOADS;
export const CREATABLE_BLOCK_TYPES = Object.keys(BLOCK_PAYLOADS) as CreatableBlockType[];

/** A block request after parsing: its type, payload (children removed) and children. */
export interface BlockRequest {
  type: CreatableBlockType;
  payload: Record<string, unknown>;
  children: BlockRequest[];
}

function blockSchema(depth: number): z.ZodType<BlockRequest> {
  const variants = Object.fromEntries(
    CREATABLE_BLOCK_TYPES.map((type) => {
      const payload = BLOCK_PAYLOADS[type].extend({
        children:
          depth > 0
            ? z
                .array(z.lazy(() => blockSchema(depth - 1)))
                .max(100)
                .optional()
            : z.never().optional(),
      });
      const block = z
        .strictObject({
          object: z.literal('block').optional(),
          type: z.literal(type).optional(),
          [type]: payload,
        })
        .transform((b): BlockRequest => {
          const { children, ...rest } = (b as Record<string, { children?: BlockRequest[] }>)[type] ?? {};
          return { type, payload: rest, children: children ?? [] };
        });
      return [type, block];
    }),
  );
  const fallback = z.unknown().superRefine((_v, ctx) => {
    ctx.addIssue({ code: 'custom', message: 'should be a valid block object' });
  });
  return pickByKey(variants, fallback) as unknown as z.ZodType<BlockRequest>;
}

/** Top-level blocks: children may nest two more levels. */
export const BlockRequestSchema = blockSchema(2);
export const BlockChildrenRequest = z.array(BlockRequestSchema).max(100);

const AppendPosition = pickByKey(
  {
    after_block: z.strictObject({
      type: z.literal('after_block').optional(),
      after_block: z.strictObject({ id: IdRequest }),
    }),
    start: z.strictObject({ type: z.literal('start') }),
    end: z.strictObject({ type: z.literal('end') }),
  },
  z.strictObject({ type: z.enum(['after_block', 'start', 'end']) }),
);
export type AppendPosition = z.output<typeof AppendPosition>;

/** PATCH /v1/blocks/{id}/children: `after` before 2026-03-11, `position` from then on. */
export function appendChildrenBody(version: ApiVersion) {
  return z.strictObject({
    children: BlockChildrenRequest,
    ...(emitsArchived(version) ? { after: IdRequest.optional() } : {}),
    position: AppendPosition.optional(),
  });
}
export type AppendChildrenBody = { children: BlockRequest[]; after?: string; position?: AppendPosition };
