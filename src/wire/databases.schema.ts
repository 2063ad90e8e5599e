/** Request schemas of the database and data-source endpoints, per version family. */
import { z } from 'zod';
import { CoverRequest, IconRequest, IdRequest, RichTextRequest } from './common.schema.ts';
import { pickByKey } from './pick.ts';
import { PropertiesCreateRequest, PropertiesUpdateRequest } from './property-schema.schema.ts';
import { type ApiVersion, emitsArchived, hasDataSources, perVersion } from './versions.ts';

const PageParent = z.strictObject({ type: z.literal('page_id').optional(), page_id: IdRequest });
const WorkspaceParent = z.strictObject({
  type: z.literal('workspace').optional(),
  workspace: z.literal(true),
});
export const DatabaseParent = pickByKey({ page_id: PageParent, workspace: WorkspaceParent }, PageParent);
export const DataSourceParent = z.strictObject({
  type: z.literal('database_id').optional(),
  database_id: IdRequest,
});

const trashFlags = (version: ApiVersion) => ({
  in_trash: z.boolean().optional(),
  ...(emitsArchived(version) ? { archived: z.boolean().optional() } : {}),
});

/** POST /v1/databases: `initial_data_source` from 2025-09-03, top-level `properties` before. */
export const createDatabaseBody = perVersion((version) => {
  const common = {
    parent: DatabaseParent,
    title: RichTextRequest.optional(),
    description: RichTextRequest.optional(),
    is_inline: z.boolean().optional(),
    icon: IconRequest.nullable().optional(),
    cover: CoverRequest.nullable().optional(),
  };
  if (hasDataSources(version)) {
    return z.strictObject({
      ...common,
      initial_data_source: z.strictObject({ properties: PropertiesCreateRequest.optional() }).optional(),
    });
  }
  return z.strictObject({ ...common, properties: PropertiesCreateRequest });
});
export type CreateDatabaseBody = {
  parent: z.output<typeof DatabaseParent>;
  title?: z.output<typeof RichTextRequest>;
  description?: z.output<typeof RichTextRequest>;
  is_inline?: boolean;
  icon?: z.output<typeof IconRequest> | null;
  cover?: z.output<typeof CoverRequest> | null;
  initial_data_source?: { properties?: z.output<typeof PropertiesCreateRequest> };
  properties?: z.output<typeof PropertiesCreateRequest>;
};

/** PATCH /v1/databases/{id}: the schema (`properties`) is editable here only under 2022-06-28. */
export const updateDatabaseBody = perVersion((version) => {
  return z.strictObject({
    title: RichTextRequest.optional(),
    description: RichTextRequest.optional(),
    is_inline: z.boolean().optional(),
    icon: IconRequest.nullable().optional(),
    cover: CoverRequest.nullable().optional(),
    is_locked: z.boolean().optional(),
    parent: DatabaseParent.optional(),
    ...trashFlags(version),
    ...(hasDataSources(version) ? {} : { properties: PropertiesUpdateRequest.optional() }),
  });
});
export type UpdateDatabaseBody = {
  title?: z.output<typeof RichTextRequest>;
  description?: z.output<typeof RichTextRequest>;
  is_inline?: boolean;
  icon?: z.output<typeof IconRequest> | null;
  cover?: z.output<typeof CoverRequest> | null;
  is_locked?: boolean;
  parent?: z.output<typeof DatabaseParent>;
  in_trash?: boolean;
  archived?: boolean;
  properties?: z.output<typeof PropertiesUpdateRequest>;
};

export const CreateDataSourceBody = z.strictObject({
  parent: DataSourceParent,
  properties: PropertiesCreateRequest,
  title: RichTextRequest.optional(),
  icon: IconRequest.nullable().optional(),
});
export type CreateDataSourceBody = z.output<typeof CreateDataSourceBody>;

export const updateDataSourceBody = perVersion((version) => {
  return z.strictObject({
    title: RichTextRequest.optional(),
    icon: IconRequest.nullable().optional(),
    properties: PropertiesUpdateRequest.optional(),
    parent: DataSourceParent.optional(),
    ...trashFlags(version),
  });
});
export type UpdateDataSourceBody = {
  title?: z.output<typeof RichTextRequest>;
  icon?: z.output<typeof IconRequest> | null;
  properties?: z.output<typeof PropertiesUpdateRequest>;
  parent?: z.output<typeof DataSourceParent>;
  in_trash?: boolean;
  archived?: boolean;
};

/** The body of a data-source (or 2022 database) query; `filter` and `sorts` are parsed by query/. */
export const queryBody = perVersion((version) => {
  return z.strictObject({
    filter: z.unknown().optional(),
    sorts: z.unknown().optional(),
    start_cursor: z.unknown().optional(),
    page_size: z.unknown().optional(),
    in_trash: z.boolean().optional(),
    ...(emitsArchived(version) ? { archived: z.boolean().optional() } : {}),
    result_type: z.enum(['page', 'data_source']).optional(),
  });
});
export type QueryBody = z.output<ReturnType<typeof queryBody>> & { archived?: boolean };
