/**
 * Block request schemas: the tree of blocks a client may create through append or page
 * children, with Notion's nesting rule (two levels of `children` below the top-level blocks), and
 * the bodies of the block endpoints.
 *
 * Depth follows the SDK's request types: `BlockObjectRequest` (depth 2) →
 * `…WithSingleLevelOfChildren` (depth 1) → `…WithoutChildren` (depth 0). Containers that need
 * children (table, column_list, column) do not exist at depth 0; a column_list and its columns
 * count as one level, so a column's children sit one level below the column_list.
 */
import { z } from 'zod';
import {
  CREATABLE_BLOCK_TYPES,
  CREATE_PAYLOADS,
  type CreatableBlockType,
  UPDATE_PAYLOADS,
} from './block-payloads.ts';
import { IdRequest, MAX_ARRAY } from './common.schema.ts';
import { pickByKey } from './pick.ts';
import { emitsArchived, perVersion } from './versions.ts';

export { CREATABLE_BLOCK_TYPES, type CreatableBlockType } from './block-payloads.ts';

/** A block request after parsing: its type, payload (children removed) and children. */
export interface BlockRequest {
  type: CreatableBlockType;
  payload: Record<string, unknown>;
  children: BlockRequest[];
}

/** Types whose children may be any block (one level less deep). */
const CHILD_HOLDERS = new Set<string>([
  'paragraph',
  'heading_1',
  'heading_2',
  'heading_3',
  'heading_4',
  'bulleted_list_item',
  'numbered_list_item',
  'quote',
  'toggle',
  'to_do',
  'template',
  'callout',
  'synced_block',
]);

type AnySchema = z.ZodType<BlockRequest>;
const childArray = (item: z.ZodType) => z.array(item).max(MAX_ARRAY);

/** `{ [type]: payload, type?, object? }` parsed into a BlockRequest. */
function blockVariant(type: CreatableBlockType, children?: z.ZodType): AnySchema {
  const base = CREATE_PAYLOADS[type] as z.ZodType;
  const payload = children ? (base as z.ZodObject).extend({ children }).superRefine(treeRule(type)) : base;
  return z
    .strictObject({
      object: z.literal('block').optional(),
      type: z.literal(type).optional(),
      [type]: payload,
    })
    .transform((b): BlockRequest => {
      const { children: kids, ...rest } = (b as Record<string, { children?: BlockRequest[] }>)[type] ?? {};
      return { type, payload: rest, children: kids ?? [] };
    }) as unknown as AnySchema;
}

type Parsed = Record<string, unknown> & { children?: BlockRequest[] };

/**
 * Rules between a container and the children sent with it: headings hold children only when
 * toggleable, a synced_block reference holds none (its content is the original's), and every
 * table row has exactly `table_width` cells. Issue values are read back from the raw request.
 */
function treeRule(type: CreatableBlockType) {
  return (p: Parsed, ctx: z.core.$RefinementCtx<Parsed>) => {
    const kids = p.children;
    if (type.startsWith('heading_') && kids && kids.length > 0 && p.is_toggleable !== true) {
      ctx.addIssue({
        code: 'custom',
        message: 'should be `true` when children are present',
        path: ['is_toggleable'],
      });
    }
    if (type === 'synced_block' && p.synced_from && kids !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'should be not present', path: ['children'] });
    }
    if (type === 'table') {
      kids?.forEach((row, i) => {
        const cells = (row.payload.cells as unknown[]).length;
        if (cells !== p.table_width) {
          ctx.addIssue({
            code: 'custom',
            message: `should be \`${p.table_width}\``,
            path: ['children', i, 'table_row', 'cells', 'length'],
          });
        }
      });
    }
  };
}

/** What a value that names no creatable type at this depth gets told. */
const unknownBlock = z.unknown().transform((value, ctx) => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    ctx.issues.push({ code: 'invalid_type', expected: 'object', input: value } as never);
    return z.NEVER;
  }
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => k !== 'object' && k !== 'type');
  if (extra !== undefined) {
    ctx.issues.push({ code: 'custom', message: 'should be not present', path: [extra], input: o[extra] });
  } else if (o.type !== undefined) {
    ctx.issues.push({
      code: 'custom',
      message: 'should be a block type that can be created',
      path: ['type'],
      input: o.type,
    });
  } else {
    ctx.issues.push({
      code: 'custom',
      message: 'should name a block type, e.g. `paragraph`',
      path: ['type'],
      input: undefined,
    });
  }
  return z.NEVER;
});

/** The schema of a block at `depth`, given the schemas of the levels below it. */
function level(depth: number, levels: AnySchema[]): AnySchema {
  const below = depth > 0 ? levels[depth - 1] : undefined;
  const variants: Record<string, AnySchema> = {};
  for (const type of CREATABLE_BLOCK_TYPES) {
    if (CHILD_HOLDERS.has(type)) {
      variants[type] = blockVariant(type, below ? childArray(below).optional() : undefined);
    } else if (type === 'column' || type === 'table_row') {
      // Standalone only at the top, to be appended to an existing column_list or table.
      if (depth < 2) continue;
      variants[type] = type === 'column' ? blockVariant(type, childArray(below!).min(1)) : blockVariant(type);
    } else if (type === 'table' || type === 'column_list') {
      if (!below) continue;
      const kids =
        type === 'table'
          ? childArray(blockVariant('table_row')).min(1)
          : childArray(blockVariant('column', childArray(below).min(1))).min(2);
      variants[type] = blockVariant(type, kids);
    } else if (type === 'tab') {
      const itemKids = depth > 1 ? childArray(levels[depth - 2]!).optional() : undefined;
      variants[type] = blockVariant(
        'tab',
        below ? childArray(blockVariant('paragraph', itemKids)).optional() : undefined,
      );
    } else {
      variants[type] = blockVariant(type);
    }
  }
  return pickByKey(variants, unknownBlock) as unknown as AnySchema;
}

const LEVELS: AnySchema[] = [];
for (let depth = 0; depth <= 2; depth++) LEVELS.push(level(depth, LEVELS));

/** A top-level block: its children may nest two more levels. */
export const BlockRequestSchema = LEVELS[2]!;
export const BlockChildrenRequest = z.array(BlockRequestSchema).max(MAX_ARRAY);

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
export const appendChildrenBody = perVersion((version) => {
  return z.strictObject({
    children: BlockChildrenRequest,
    ...(emitsArchived(version) ? { after: IdRequest.optional() } : {}),
    position: AppendPosition.optional(),
  });
});
export type AppendChildrenBody = { children: BlockRequest[]; after?: string; position?: AppendPosition };

/**
 * PATCH /v1/blocks/{id} for a block whose wire type is `wireType` (trash flags already taken
 * out): `type` may be repeated but must match; the payload holds only the updatable fields.
 */
export function updateBlockBody(wireType: string) {
  const payload = UPDATE_PAYLOADS[wireType];
  return z.strictObject({
    type: z.literal(wireType).optional(),
    ...(payload ? { [wireType]: payload.optional() } : {}),
  });
}
