/**
 * Databases and data sources on the wire. From 2025-09-03 a database is a container listing its
 * data sources; under 2022-06-28 it carries the (single) data source's schema itself.
 */

import type { PropertySchema, Schema } from '../domain/properties/types.ts';
import { plainText, type RichText } from '../domain/rich-text.ts';
import { toMinute, toOffsetIso } from '../lib/clock.ts';
import type { BlockRow } from '../store/store.ts';
import { emitsArchived, hasDataSources } from '../wire/versions.ts';
import type { PresentContext } from './context.ts';
import { presentFileColumn } from './files.present.ts';
import { pageUrl } from './page.present.ts';
import { presentParent } from './parent.present.ts';
import { partialUser } from './user.present.ts';

interface StoredDatabase {
  title: RichText;
  description: RichText;
  is_inline: boolean;
}

function json<T>(text: string | null): T | null {
  return text ? (JSON.parse(text) as T) : null;
}

function schemaOf(row: Pick<BlockRow, 'properties'>): Schema {
  return json<Schema>(row.properties) ?? [];
}

/** A relation's config as each version shows it (2022-06-28 has no data source ids). */
function presentProperty(p: PropertySchema, ctx: PresentContext): PropertySchema {
  if (p.type !== 'relation' || hasDataSources(ctx.version)) return p;
  const { data_source_id: _ds, ...relation } = p.relation as Record<string, unknown>;
  return { ...p, relation };
}

/** The schema keyed by property name, in definition order. */
export function presentSchema(schema: Schema, ctx: PresentContext): Record<string, PropertySchema> {
  return Object.fromEntries(schema.map((p) => [p.name, presentProperty(p, ctx)]));
}

export function presentDatabase(row: BlockRow, dataSources: BlockRow[], ctx: PresentContext) {
  const data = JSON.parse(row.data) as StoredDatabase;
  const archived = emitsArchived(ctx.version) ? { archived: row.in_trash === 1 } : {};
  const common = {
    title: data.title,
    description: data.description,
    parent: presentParent(row),
    is_inline: data.is_inline,
    in_trash: row.in_trash === 1,
  };
  const url = pageUrl(ctx.publicUrl, row.id, '');
  if (hasDataSources(ctx.version)) {
    return {
      object: 'database' as const,
      id: row.id,
      ...common,
      is_locked: row.is_locked === 1,
      created_time: toOffsetIso(row.created_time),
      last_edited_time: toOffsetIso(row.last_edited_time),
      data_sources: dataSources.map((d) => ({
        id: d.id,
        name: plainText((JSON.parse(d.data) as StoredDatabase).title),
      })),
      icon: presentFileColumn(row.icon, ctx),
      cover: presentFileColumn(row.cover, ctx),
      url,
      public_url: null,
      ...archived,
    };
  }
  const source = dataSources[0];
  return {
    object: 'database' as const,
    id: row.id,
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: partialUser(row.created_by),
    last_edited_by: partialUser(row.last_edited_by),
    title: data.title,
    description: data.description,
    icon: presentFileColumn(row.icon, ctx),
    cover: presentFileColumn(row.cover, ctx),
    properties: presentSchema(source ? schemaOf(source) : [], ctx),
    parent: presentParent(row),
    url,
    public_url: null,
    archived: row.in_trash === 1,
    in_trash: row.in_trash === 1,
    is_inline: data.is_inline,
    is_locked: row.is_locked === 1,
  };
}

export function presentDataSource(row: BlockRow, database: BlockRow, ctx: PresentContext) {
  const data = JSON.parse(row.data) as Partial<StoredDatabase>;
  const db = JSON.parse(database.data) as StoredDatabase;
  return {
    object: 'data_source' as const,
    id: row.id,
    cover: presentFileColumn(database.cover, ctx),
    icon: presentFileColumn(row.icon, ctx),
    created_time: toMinute(row.created_time),
    created_by: partialUser(row.created_by),
    last_edited_by: partialUser(row.last_edited_by),
    last_edited_time: toMinute(row.last_edited_time),
    title: data.title ?? [],
    description: data.description ?? [],
    is_inline: db.is_inline,
    properties: presentSchema(schemaOf(row), ctx),
    parent: { type: 'database_id' as const, database_id: database.id },
    database_parent: presentParent(database),
    url: pageUrl(ctx.publicUrl, database.id, ''),
    public_url: null,
    in_trash: row.in_trash === 1,
    ...(emitsArchived(ctx.version) ? { archived: row.in_trash === 1 } : {}),
  };
}
