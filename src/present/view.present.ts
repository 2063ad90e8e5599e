/**
 * Views and view queries on the wire (SDK `DataSourceViewObjectResponse`, `ViewQueryResponse`).
 * The same under every API version. Timestamps are written as Notion writes a view's: unrounded,
 * with `+00:00` (every recorded view). Configuration goes out as stored plus the convenience
 * `*_property_name` fields the SDK's response types add next to each property id.
 */
import type {
  DataSourceViewObjectResponse,
  DeletedViewQueryResponse,
  PartialDataSourceViewObjectResponse,
  ViewQueryResponse,
} from '@notionhq/client';
import type { Schema } from '../domain/properties/types.ts';
import { toOffsetIso } from '../lib/clock.ts';
import { compactId } from '../lib/ids.ts';
import type { ViewQueryRow, ViewRow } from '../store/store.ts';
import type { PresentContext } from './context.ts';
import { pageUrl } from './page.present.ts';
import { partialUser } from './user.present.ts';

type Json = Record<string, unknown>;
type ViewType = DataSourceViewObjectResponse['type'];

const parse = <T>(text: string | null): T | null => (text ? (JSON.parse(text) as T) : null);

/** `<public url>/p/<database id>?v=<view id>`, as Notion links a view. */
export function viewUrl(publicUrl: string, row: Pick<ViewRow, 'id' | 'database_id'>): string {
  return `${pageUrl(publicUrl, row.database_id, '')}?v=${compactId(row.id)}`;
}

/** Where a property id key gets its name written (the SDK's response fields). */
function nameKey(key: string): string | null {
  if (key === 'property_id') return 'property_name';
  if (key === 'map_by') return 'map_by_property_name';
  if (key.endsWith('_property_id') && !key.startsWith('x_axis') && !key.startsWith('y_axis'))
    return key.replace(/_id$/, '_name');
  return null;
}

/** The stored configuration with each named property's current name beside its id. */
function withNames(config: unknown, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(config)) return config.map((v) => withNames(v, names));
  if (!config || typeof config !== 'object') return config;
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    out[k] = withNames(v, names);
    const name = typeof v === 'string' ? nameKey(k) : null;
    if (name && names.has(v as string)) out[name] = names.get(v as string);
  }
  return out;
}

export function presentPartialView(row: ViewRow): PartialDataSourceViewObjectResponse {
  return {
    object: 'view',
    id: row.id,
    parent: { type: 'database_id', database_id: row.database_id },
    type: row.type as ViewType,
  };
}

export function presentView(row: ViewRow, schema: Schema, ctx: PresentContext): DataSourceViewObjectResponse {
  const names = new Map(schema.map((p) => [p.id, p.name]));
  const view: DataSourceViewObjectResponse = {
    object: 'view',
    id: row.id,
    parent: { type: 'database_id', database_id: row.database_id },
    data_source_id: row.data_source_id,
    name: row.name,
    type: row.type as ViewType,
    created_time: toOffsetIso(row.created_time),
    created_by: partialUser(row.created_by),
    last_edited_time: toOffsetIso(row.last_edited_time),
    last_edited_by: partialUser(row.last_edited_by),
    url: viewUrl(ctx.publicUrl, row),
    filter: parse(row.filter),
    sorts: parse(row.sorts),
    quick_filters: parse(row.quick_filters),
    configuration: withNames(
      parse(row.configuration),
      names,
    ) as DataSourceViewObjectResponse['configuration'],
  };
  if (row.dashboard_view_id) view.dashboard_view_id = row.dashboard_view_id;
  return view;
}

/** A kept query with one page of its results. */
export function presentViewQuery(
  q: ViewQueryRow,
  ids: readonly string[],
  next: string | null,
): ViewQueryResponse {
  return {
    object: 'view_query',
    id: q.id,
    view_id: q.view_id,
    expires_at: toOffsetIso(q.expires_at),
    total_count: q.total_count,
    results: ids.map((id) => ({ object: 'page', id })),
    next_cursor: next,
    has_more: next !== null,
    ...(q.incomplete === 1
      ? { request_status: { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' } }
      : {}),
  } as ViewQueryResponse;
}

export function presentDeletedViewQuery(id: string): DeletedViewQueryResponse {
  return { object: 'view_query', id, deleted: true };
}
