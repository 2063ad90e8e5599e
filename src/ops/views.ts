/**
 * Views (notion-api.md §4.6): tabs of a database and widgets of a dashboard view, each showing a
 * data source through a saved filter, sorts, quick filters and a configuration of its type.
 * Filters, sorts and quick filters are parsed by the data-source query parser against the data
 * source's schema, so they accept exactly what a query accepts, and are stored with properties
 * named by id (a renamed property keeps its views working). A view is visible exactly when its
 * database is (`canSee`). View writes record `view.*` events through the store's change log.
 */
import type { Schema } from '../domain/properties/types.ts';
import { newId } from '../lib/ids.ts';
import { keyAfter, keyBetween } from '../lib/order-key.ts';
import type { RowSource } from '../present/page.present.ts';
import type { ComputedKind } from '../query/conditions.ts';
import {
  type DataSourceSchema,
  findProperty,
  type ParseOptions,
  parseFilterAt,
  parseQuery,
} from '../query/parse.ts';
import type { StoreTx, ViewPatch, ViewRow } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { bodyError, type PathSegment } from '../wire/validation.ts';
import type { ApiVersion } from '../wire/versions.ts';
import {
  type CreateViewBody,
  checkPlacement,
  parseViewConfiguration,
  type UpdateViewBody,
  type ViewType,
} from '../wire/views.schema.ts';
import { type DataSourceRecord, getDatabase, getDataSource, schemaOf } from './databases.ts';
import { canSee, isPage, loadVisible, type OpEnv } from './env.ts';
import { computedKinds } from './formulas.ts';
import { childKey, newBlockRow } from './placement.ts';

/** A view with the schema of the data source it shows (empty for dashboards). */
export interface ViewRecord {
  row: ViewRow;
  schema: Schema;
}

/** The name Octavo gives the table view every new database starts with. */
export const DEFAULT_VIEW_NAME = 'Default view';

export type Json = Record<string, unknown>;

export const keyed = (schema: Schema): DataSourceSchema => Object.fromEntries(schema.map((p) => [p.name, p]));
const stamp = (env: OpEnv) => ({ last_edited_time: env.now, last_edited_by: env.actor.botUserId });
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

async function schemaFor(tx: StoreTx, row: Pick<ViewRow, 'data_source_id'>): Promise<Schema> {
  if (!row.data_source_id) return [];
  const ds = await tx.blocks.get(row.data_source_id);
  return ds ? schemaOf(ds) : [];
}

/** A view the integration can see (its database is shared with it), or the 404 of a missing one. */
export async function loadView(tx: StoreTx, env: OpEnv, id: string): Promise<ViewRecord> {
  const row = await tx.views.get(id);
  if (!row || !(await canSee(tx, env, row.database_id))) throw errors.notFound('view', id);
  return { row, schema: await schemaFor(tx, row) };
}

// --- filters, sorts, quick filters and configuration, checked against the schema ----------------

interface Checked {
  schema: DataSourceSchema;
  meUserId: string;
  version: ApiVersion;
  /** What the data source's formulas and rollups yield, so filters and sorts on them check. */
  computed: ReadonlyMap<string, ComputedKind>;
  rolled: NonNullable<ParseOptions['rolled']>;
  rolledKinds: ReadonlyMap<string, ComputedKind>;
}

/** The checks of a view of this data source (its schema, formulas and rollups). */
async function checkedFor(tx: StoreTx, env: OpEnv, source: RowSource, version: ApiVersion): Promise<Checked> {
  const { kinds, rolled, rolledKinds } = await computedKinds(tx, env, source);
  return {
    schema: keyed(source.schema),
    meUserId: env.actor.botUserId,
    version,
    computed: kinds,
    rolled,
    rolledKinds,
  };
}

/** Parse options for the checks: rollup `any` / `every` / `none` are noted in a throwaway map. */
const parseOptions = (c: Checked): ParseOptions => ({
  version: c.version,
  meUserId: c.meUserId,
  computed: c.computed,
  rolled: c.rolled,
  rolledKinds: c.rolledKinds,
  quantified: new Map(),
});

/** A filter as stored: each `property` named by its id. */
function byId(raw: unknown, schema: DataSourceSchema): unknown {
  if (Array.isArray(raw)) return raw.map((v) => byId(v, schema));
  if (!raw || typeof raw !== 'object') return raw;
  const out: Json = {};
  for (const [k, v] of Object.entries(raw)) {
    out[k] =
      k === 'property' && typeof v === 'string'
        ? (findProperty(schema, v)?.id ?? v)
        : k === 'and' || k === 'or'
          ? byId(v, schema)
          : v;
  }
  return out;
}

function checkFilter(filter: Json, c: Checked): Json {
  parseQuery({ filter }, c.schema, parseOptions(c));
  return byId(filter, c.schema) as Json;
}

function checkSorts(sorts: Json[], c: Checked, propertyOnly: boolean): Json[] {
  if (propertyOnly) {
    const i = sorts.findIndex((s) => 'timestamp' in s);
    if (i >= 0) throw bodyError(['sorts', i, 'timestamp'], 'should be not present', sorts[i]!.timestamp);
  }
  parseQuery({ sorts }, c.schema, parseOptions(c));
  return byId(sorts, c.schema) as Json[];
}

/** Quick filters keyed by property id; each condition is a property filter without `property`. */
function checkQuickFilters(quick: Record<string, Json>, c: Checked): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, condition] of Object.entries(quick)) {
    const prop = findProperty(c.schema, key);
    if (!prop) throw errors.validation(`Could not find property with name or id: ${key}`);
    if ('property' in condition) {
      throw bodyError(['quick_filters', key, 'property'], 'should be not present', condition.property);
    }
    parseFilterAt({ property: prop.id, ...condition }, ['quick_filters', key], c.schema, parseOptions(c));
    out[prop.id] = condition;
  }
  return out;
}

/** The group-by `type` that goes with each property type (Notion's names differ for two). */
const GROUP_TYPE: Record<string, string> = { people: 'person', rich_text: 'text' };
const groupTypeOf = (propertyType: string) => GROUP_TYPE[propertyType] ?? propertyType;
const DATE_TYPES = new Set(['date', 'created_time', 'last_edited_time']);
/** `type` values inside a configuration that are not group-by types (cover sources). */
const NOT_GROUP = new Set(['page_cover', 'page_content', 'page_content_first', 'property']);

/**
 * Property ids named inside a configuration, checked against the schema and stored as ids: each
 * must name a property, a group-by's `type` must be its property's, and calendar and timeline
 * dates must be date properties.
 */
function checkConfigProperties(config: Json, schema: DataSourceSchema, path: PathSegment[]): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    const at = [...path, k];
    if ((k === 'property_id' || k.endsWith('_property_id') || k === 'map_by') && typeof v === 'string') {
      const prop = findProperty(schema, v);
      if (!prop) throw errors.validation(`Could not find property with name or id: ${v}`);
      if ((k === 'date_property_id' || k === 'end_date_property_id') && !DATE_TYPES.has(prop.type)) {
        throw errors.validation(
          `${at.join('.')} should name a date property; ${prop.name} is a ${prop.type} property.`,
        );
      }
      const groupType = config.type;
      if (k === 'property_id' && typeof groupType === 'string' && !NOT_GROUP.has(groupType)) {
        if (groupType !== groupTypeOf(prop.type)) {
          throw bodyError([...path, 'type'], `should be \`"${groupTypeOf(prop.type)}"\``, groupType);
        }
      }
      out[k] = prop.id;
    } else if (Array.isArray(v)) {
      out[k] = v.map((item, i) =>
        item && typeof item === 'object' ? checkConfigProperties(item as Json, schema, [...at, i]) : item,
      );
    } else if (v && typeof v === 'object') {
      out[k] = checkConfigProperties(v as Json, schema, at);
    } else out[k] = v;
  }
  return out;
}

function checkConfiguration(type: ViewType, raw: Json, c: Checked): Json {
  const parsed = parseViewConfiguration(type, raw);
  return checkConfigProperties(parsed, c.schema, ['configuration']);
}

// --- create ------------------------------------------------------------------------------------

async function tabKey(
  tx: StoreTx,
  databaseId: string,
  position: CreateViewBody['position'],
): Promise<string> {
  const tabs = await tx.views.tabKeys(databaseId);
  if (!position || position.type === 'end') {
    const last = tabs.at(-1)?.sort_key;
    return last ? keyAfter(last) : keyBetween(null, null);
  }
  if (position.type === 'start') return keyBetween(null, tabs[0]?.sort_key ?? null);
  const i = tabs.findIndex((t) => t.id === position.view_id);
  if (i < 0) throw errors.validation(`View ${position.view_id} is not a tab of database ${databaseId}.`);
  return keyBetween(tabs[i]!.sort_key, tabs[i + 1]?.sort_key ?? null);
}

interface DashboardRow {
  id: string;
  widgets: { id: string; view_id: string; width?: number; row_index?: number }[];
  height?: number;
}

/** Places a new widget on its dashboard's rows (`new_row` at the end unless an index is given). */
function placeWidget(
  config: { rows?: DashboardRow[] },
  widgetViewId: string,
  placement: CreateViewBody['placement'],
): { type: 'dashboard'; rows: DashboardRow[] } {
  const rows = [...(config.rows ?? [])];
  const widget = { id: newId(), view_id: widgetViewId };
  if (placement?.type === 'existing_row') {
    const row = rows[placement.row_index];
    if (!row) {
      throw bodyError(['placement', 'row_index'], `should be < \`${rows.length}\``, placement.row_index);
    }
    rows[placement.row_index] = { ...row, widgets: [...row.widgets, widget] };
  } else {
    const at = Math.min(placement?.row_index ?? rows.length, rows.length);
    rows.splice(at, 0, { id: newId(), widgets: [widget] });
  }
  return {
    type: 'dashboard',
    rows: rows.map((r, i) => ({ ...r, widgets: r.widgets.map((w) => ({ ...w, row_index: i })) })),
  };
}

/** Creates a view as a database tab or a dashboard widget; answers it. */
export async function createView(
  tx: StoreTx,
  env: OpEnv,
  body: CreateViewBody,
  version: ApiVersion,
): Promise<ViewRecord> {
  const where = checkPlacement(body);
  const ds = await getDataSource(tx, env, body.data_source_id);
  if (ds.row.in_trash || ds.database.in_trash) {
    throw errors.validation(
      "Can't edit block that is archived. You must unarchive the block before editing.",
    );
  }
  let databaseId: string;
  let dashboard: ViewRow | null = null;
  if (where === 'create_database') {
    if (body.type === 'dashboard') throw bodyError(['type'], 'should be not `"dashboard"`', body.type);
    databaseId = (await createLinkedDatabase(tx, env, ds, body.create_database!)).id;
  } else if (where === 'database_id') {
    const db = await getDatabase(tx, env, body.database_id!);
    if (!db.dataSources.some((d) => d.id === ds.row.id)) {
      throw errors.validation(`Data source ${ds.row.id} does not belong to database ${db.row.id}.`);
    }
    databaseId = db.row.id;
  } else {
    dashboard = (await loadView(tx, env, body.view_id!)).row;
    if (dashboard.type !== 'dashboard')
      throw errors.validation(`View ${dashboard.id} is not a dashboard view.`);
    if (body.type === 'dashboard') throw bodyError(['type'], 'should be not `"dashboard"`', body.type);
    if (ds.row.parent_id !== dashboard.database_id) {
      throw errors.validation(
        `Data source ${ds.row.id} does not belong to database ${dashboard.database_id}.`,
      );
    }
    databaseId = dashboard.database_id;
  }
  const isDashboard = body.type === 'dashboard';
  if (isDashboard) {
    for (const k of ['filter', 'sorts', 'quick_filters', 'configuration'] as const)
      if (body[k] !== undefined) throw bodyError([k], 'should be not present', body[k]);
  }
  const schema = schemaOf(ds.row);
  const c = await checkedFor(
    tx,
    env,
    { schema, dataSourceId: ds.row.id, databaseId: ds.database.id },
    version,
  );
  const id = newId();
  const row: ViewRow = {
    id,
    database_id: databaseId,
    data_source_id: isDashboard ? null : ds.row.id,
    dashboard_view_id: dashboard?.id ?? null,
    name: body.name,
    type: body.type,
    filter: json(body.filter && checkFilter(body.filter, c)),
    sorts: json(body.sorts && checkSorts(body.sorts, c, false)),
    quick_filters: json(body.quick_filters && checkQuickFilters(body.quick_filters, c)),
    configuration: JSON.stringify(
      isDashboard
        ? { type: 'dashboard', rows: [] }
        : body.configuration
          ? checkConfiguration(body.type, body.configuration, c)
          : { type: body.type },
    ),
    sort_key: dashboard ? keyBetween(null, null) : await tabKey(tx, databaseId, body.position),
    created_time: env.now,
    created_by: env.actor.botUserId,
    ...stamp(env),
  };
  await tx.views.insert(row);
  if (dashboard) {
    const config = placeWidget(JSON.parse(dashboard.configuration ?? '{}'), id, body.placement);
    await tx.views.update(dashboard.id, { configuration: JSON.stringify(config), ...stamp(env) });
  }
  return { row, schema: isDashboard ? [] : schema };
}

/**
 * A linked database (`create_database`): an inline `child_database` block in a page that shows
 * another database's data source through its own views. Its title starts empty: a copy of the
 * source's title would tell it to readers of the page who cannot see the source.
 */
async function createLinkedDatabase(
  tx: StoreTx,
  env: OpEnv,
  ds: DataSourceRecord,
  spec: NonNullable<CreateViewBody['create_database']>,
) {
  const page = await loadVisible(tx, env, spec.parent.page_id, 'page', isPage);
  if (page.in_trash) {
    throw errors.validation(
      "Can't edit block that is archived. You must unarchive the block before editing.",
    );
  }
  const position = spec.position
    ? { type: 'after_block' as const, after_block: { id: spec.position.block_id } }
    : undefined;
  const row = newBlockRow(env.actor.botUserId, env.now, {
    id: newId(),
    type: 'database',
    parent_type: 'page_id',
    parent_id: page.id,
    sort_key: await childKey(tx, page.id, position),
    data: JSON.stringify({
      title: [],
      description: [],
      is_inline: true,
      linked_data_source_id: ds.row.id,
    }),
  });
  await tx.blocks.insertMany([row]);
  return row;
}

/** The table view a new database starts with, as in Notion. */
export async function createDefaultView(
  tx: StoreTx,
  env: OpEnv,
  databaseId: string,
  dataSourceId: string,
): Promise<void> {
  await tx.views.insert({
    id: newId(),
    database_id: databaseId,
    data_source_id: dataSourceId,
    dashboard_view_id: null,
    name: DEFAULT_VIEW_NAME,
    type: 'table',
    filter: null,
    sorts: null,
    quick_filters: null,
    configuration: JSON.stringify({ type: 'table' }),
    sort_key: keyBetween(null, null),
    created_time: env.now,
    created_by: env.actor.botUserId,
    ...stamp(env),
  });
}

// --- list, update, delete ------------------------------------------------------------------------

/** A database's tabs, or the views of a data source, that the integration can see. */
export async function listViews(
  tx: StoreTx,
  env: OpEnv,
  where: { databaseId?: string | undefined; dataSourceId?: string | undefined },
  from: string | null,
  limit: number,
) {
  if (!where.databaseId && !where.dataSourceId) {
    throw errors.validation('One of database_id or data_source_id must be provided.');
  }
  if (where.databaseId) await getDatabase(tx, env, where.databaseId);
  if (where.dataSourceId) await getDataSource(tx, env, where.dataSourceId);
  if (from) {
    const anchor = await tx.views.get(from);
    const fits =
      anchor &&
      (!where.databaseId || anchor.database_id === where.databaseId) &&
      (!where.dataSourceId || anchor.data_source_id === where.dataSourceId);
    if (!fits) throw errors.validation(`The start_cursor provided is invalid: ${from}`);
  }
  return tx.views.list(
    {
      ...(where.databaseId ? { databaseId: where.databaseId } : {}),
      ...(where.dataSourceId ? { dataSourceId: where.dataSourceId } : {}),
    },
    from,
    limit,
  );
}

/** Changes a view's name, filter, sorts, quick filters or configuration; answers the view. */
export async function updateView(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: UpdateViewBody,
  version: ApiVersion,
): Promise<ViewRecord> {
  const { row, schema } = await loadView(tx, env, id);
  const type = row.type as ViewType;
  if (type === 'dashboard') {
    for (const k of ['filter', 'sorts', 'quick_filters', 'configuration'] as const)
      if (body[k] !== undefined) throw bodyError([k], 'should be not present', body[k]);
  }
  const source = { schema, dataSourceId: row.data_source_id ?? '', databaseId: row.database_id };
  const c = await checkedFor(tx, env, source, version);
  const patch: ViewPatch = { ...stamp(env) };
  if (body.name !== undefined) patch.name = body.name;
  if (body.filter !== undefined) patch.filter = json(body.filter && checkFilter(body.filter, c));
  if (body.sorts !== undefined) patch.sorts = json(body.sorts && checkSorts(body.sorts, c, true));
  if (body.quick_filters !== undefined) patch.quick_filters = quickFiltersPatch(row, body.quick_filters, c);
  if (body.configuration !== undefined) {
    // Sub-fields given replace the stored ones; a null clears one.
    const merged = { ...(JSON.parse(row.configuration ?? '{}') as Json), ...body.configuration };
    const cleared = Object.fromEntries(
      Object.entries(merged).filter(([k]) => body.configuration![k] !== null),
    );
    patch.configuration = JSON.stringify(checkConfiguration(type, cleared, c));
  }
  await tx.views.update(id, patch);
  return { row: { ...row, ...patch }, schema };
}

/** Per-key upsert; a key set to null is removed; the whole field null clears them all. */
function quickFiltersPatch(
  row: ViewRow,
  given: NonNullable<UpdateViewBody['quick_filters']> | null,
  c: Checked,
): string | null {
  if (given === null) return null;
  const current = JSON.parse(row.quick_filters ?? '{}') as Record<string, Json>;
  const set: Record<string, Json> = {};
  for (const [key, condition] of Object.entries(given)) {
    if (condition === null) {
      const prop = findProperty(c.schema, key);
      delete current[prop?.id ?? key];
    } else set[key] = condition;
  }
  const next = { ...current, ...checkQuickFilters(set, c) };
  return Object.keys(next).length > 0 ? JSON.stringify(next) : null;
}

/** Deletes a view (a dashboard with its widgets; a widget leaves its dashboard); answers it. */
export async function deleteView(tx: StoreTx, env: OpEnv, id: string): Promise<ViewRow> {
  const { row } = await loadView(tx, env, id);
  if (row.type === 'dashboard') for (const w of await tx.views.widgets(row.id)) await tx.views.delete(w.id);
  if (row.dashboard_view_id) {
    const dashboard = await tx.views.get(row.dashboard_view_id);
    if (dashboard) {
      const config = JSON.parse(dashboard.configuration ?? '{}') as { rows?: DashboardRow[] };
      const rows = (config.rows ?? [])
        .map((r) => ({ ...r, widgets: r.widgets.filter((w) => w.view_id !== id) }))
        .filter((r) => r.widgets.length > 0);
      await tx.views.update(dashboard.id, {
        configuration: JSON.stringify({ type: 'dashboard', rows }),
        ...stamp(env),
      });
    }
  }
  await tx.views.delete(id);
  return row;
}
