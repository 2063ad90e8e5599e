/** Request schemas of the page endpoints. */
import { z } from 'zod';
import { BlockChildrenRequest } from './blocks.schema.ts';
import { CoverRequest, IconRequest, IdRequest } from './common.schema.ts';
import { pickByKey } from './pick.ts';
import { emitsArchived, perVersion } from './versions.ts';

const PageParent = z.strictObject({ type: z.literal('page_id').optional(), page_id: IdRequest });
const DatabaseParent = z.strictObject({ type: z.literal('database_id').optional(), database_id: IdRequest });
const DataSourceParent = z.strictObject({
  type: z.literal('data_source_id').optional(),
  data_source_id: IdRequest,
  database_id: IdRequest.optional(),
});
const WorkspaceParent = z.strictObject({
  type: z.literal('workspace').optional(),
  workspace: z.literal(true),
});

export const CreateParent = pickByKey(
  {
    page_id: PageParent,
    database_id: DatabaseParent,
    data_source_id: DataSourceParent,
    workspace: WorkspaceParent,
  },
  PageParent,
);
export type CreateParent = z.output<typeof CreateParent>;

export const MoveParent = pickByKey({ page_id: PageParent, data_source_id: DataSourceParent }, PageParent);

export const PagePosition = pickByKey(
  {
    after_block: z.strictObject({
      type: z.literal('after_block').optional(),
      after_block: z.strictObject({ id: IdRequest }),
    }),
    page_start: z.strictObject({ type: z.literal('page_start') }),
    page_end: z.strictObject({ type: z.literal('page_end') }),
  },
  z.strictObject({ type: z.enum(['after_block', 'page_start', 'page_end']) }),
);
export type PagePosition = z.output<typeof PagePosition>;

const Template = z.union([
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('default'), timezone: z.string().max(100).optional() }),
  z.strictObject({
    type: z.literal('template_id'),
    template_id: IdRequest,
    timezone: z.string().max(100).optional(),
  }),
]);

export const CreatePageBody = z.strictObject({
  parent: CreateParent,
  properties: z.record(z.string(), z.unknown()).optional(),
  icon: IconRequest.nullable().optional(),
  cover: CoverRequest.nullable().optional(),
  children: BlockChildrenRequest.optional(),
  content: BlockChildrenRequest.optional(),
  markdown: z.string().optional(),
  allow_async: z.boolean().optional(),
  template: Template.optional(),
  position: PagePosition.optional(),
});
export type CreatePageBody = z.output<typeof CreatePageBody>;

/** PATCH /v1/pages/{id}; `archived` exists only before 2026-03-11. */
export const updatePageBody = perVersion((version) => {
  return z.strictObject({
    properties: z.record(z.string(), z.unknown()).optional(),
    icon: IconRequest.nullable().optional(),
    cover: CoverRequest.nullable().optional(),
    is_locked: z.boolean().optional(),
    in_trash: z.boolean().optional(),
    ...(emitsArchived(version) ? { archived: z.boolean().optional() } : {}),
    is_archived: z.boolean().optional(),
    template: Template.optional(),
    erase_content: z.boolean().optional(),
  });
});
export type UpdatePageBody = z.output<ReturnType<typeof updatePageBody>> & { archived?: boolean };

export const MovePageBody = z.strictObject({ parent: MoveParent });
