/**
 * The pure part of a database's views in the browser app (no DOM, no fetch; tested in
 * test/web/view-model.test.ts): what a view of the Views API asks of the data-source query, how a
 * board groups its rows and what PATCH moves a card, which properties a card shows, and the
 * calendar's month grid. The components are in views.tsx, board.tsx, cards.tsx and calendar.tsx.
 */

type Json = Record<string, unknown>;

export interface OptionSchema {
  id?: string;
  name: string;
  color?: string;
}

/** A property of the data source's schema, as `GET /v1/data_sources/{id}` answers it. */
export interface ViewProperty {
  id: string;
  name: string;
  type: string;
  select?: { options: OptionSchema[] };
  status?: { options: OptionSchema[]; groups?: { id?: string; name: string; option_ids: string[] }[] };
}

/** The fields of a view object (notion-api.md §4.6) the app reads. */
export interface View {
  id: string;
  name: string;
  type: string;
  data_source_id: string | null;
  filter?: Json | null;
  sorts?: Json[] | null;
  quick_filters?: Record<string, Json> | null;
  configuration?: Json | null;
}

/** View types the app renders; the others are shown as a table with a notice. */
export const RENDERED_TYPES = ['table', 'board', 'list', 'gallery', 'calendar'] as const;
export type RenderedType = (typeof RENDERED_TYPES)[number];
export const isRendered = (type: string): type is RenderedType =>
  (RENDERED_TYPES as readonly string[]).includes(type);

/** The table a database with no views shows (nothing stored: the app never writes it). */
export const DEFAULT_VIEW: View = { id: '', name: 'Table', type: 'table', data_source_id: null };

/** Property filters joined by `and`; a top-level `and` is flattened so nesting stays within Notion's 2 levels. */
export function allOf(parts: (Json | null | undefined)[]): Json | undefined {
  const flat = parts
    .filter((p): p is Json => !!p && Object.keys(p).length > 0)
    .flatMap((p) => (Array.isArray(p.and) ? (p.and as Json[]) : [p]));
  if (flat.length === 0) return undefined;
  if (flat.length === 1) return flat[0];
  return { and: flat };
}

/**
 * The query body that shows a view's pages: its filter and every quick filter (all must hold,
 * as the view queries of the API apply them), plus `extra` conditions, and its sorts.
 */
export function viewQuery(view: View, extra: Json[] = []): { filter?: Json; sorts?: Json[] } {
  const quick = Object.entries(view.quick_filters ?? {}).map(([id, cond]) => ({ property: id, ...cond }));
  const filter = allOf([view.filter ?? null, ...quick, ...extra]);
  const sorts = (view.sorts ?? []).length > 0 ? view.sorts! : undefined;
  return { ...(filter ? { filter } : {}), ...(sorts ? { sorts } : {}) };
}

const propertyById = (props: ViewProperty[], id: unknown) =>
  typeof id === 'string' ? props.find((p) => p.id === id || p.name === id) : undefined;

const GROUPABLE = new Set(['select', 'status']);

/**
 * The property a board groups by: the view's `group_by` when it names a select or status
 * property, else the first select or status property of the schema; null when there is none.
 */
export function groupProperty(props: ViewProperty[], view: View): ViewProperty | null {
  const groupBy = view.configuration?.group_by as Json | undefined;
  const named = propertyById(props, groupBy?.property_id);
  if (named && GROUPABLE.has(named.type)) return named;
  return props.find((p) => GROUPABLE.has(p.type)) ?? null;
}

/** A board column: its key, its label, and the value a card moved into it takes. */
export interface Group {
  key: string;
  label: string;
  /** The option name written when a card is moved here; null clears the property. */
  option: string | null;
}

export const NO_GROUP = '__none__';

/** Whether a status board shows Notion's status groups (To-do, In progress, Complete) as columns. */
const byStatusGroup = (prop: ViewProperty, view: View) =>
  prop.type === 'status' &&
  (view.configuration?.group_by as Json | undefined)?.group_by === 'group' &&
  (prop.status?.groups?.length ?? 0) > 0;

/**
 * The columns of a board: one per option (or per status group, when the view says so), in the
 * schema's order or by name when the view's group sort asks, then "No <property>".
 */
export function boardGroups(prop: ViewProperty, view: View): Group[] {
  let groups: Group[];
  if (byStatusGroup(prop, view)) {
    const options = prop.status?.options ?? [];
    groups = (prop.status?.groups ?? []).map((g) => ({
      key: `group:${g.name}`,
      label: g.name,
      option: options.find((o) => o.id !== undefined && g.option_ids.includes(o.id))?.name ?? null,
    }));
  } else {
    const options = (prop.type === 'status' ? prop.status?.options : prop.select?.options) ?? [];
    groups = options.map((o) => ({ key: `option:${o.name}`, label: o.name, option: o.name }));
  }
  const order = ((view.configuration?.group_by as Json | undefined)?.sort as Json | undefined)?.type;
  if (order === 'ascending' || order === 'descending') {
    groups.sort((a, b) => a.label.localeCompare(b.label) * (order === 'ascending' ? 1 : -1));
  }
  return [...groups, { key: NO_GROUP, label: `No ${prop.name}`, option: null }];
}

/**
 * The columns with one more (before "No <property>") for each option a page has that the schema
 * read earlier did not list (an option added since, by a write elsewhere), so no card is lost.
 */
export function withPagesOptions(groups: Group[], pageKeys: Iterable<string>): Group[] {
  const known = new Set(groups.map((g) => g.key));
  const extra: Group[] = [];
  for (const key of pageKeys) {
    if (known.has(key) || !key.startsWith('option:')) continue;
    known.add(key);
    const name = key.slice('option:'.length);
    extra.push({ key, label: name, option: name });
  }
  return extra.length === 0 ? groups : [...groups.slice(0, -1), ...extra, groups.at(-1)!];
}

/** The key of the column a page belongs in. */
export function groupKeyOf(properties: Record<string, Json>, prop: ViewProperty, view: View): string {
  const value = properties[prop.name]?.[prop.type] as { id?: string; name?: string } | null | undefined;
  if (!value?.name) return NO_GROUP;
  if (byStatusGroup(prop, view)) {
    const id = value.id ?? prop.status?.options.find((o) => o.name === value.name)?.id;
    const group = prop.status?.groups?.find((g) => id !== undefined && g.option_ids.includes(id));
    return group ? `group:${group.name}` : NO_GROUP;
  }
  return `option:${value.name}`;
}

/** The `properties` of the PATCH /v1/pages/{id} that moves a card into `group`. */
export function moveBody(prop: ViewProperty, group: Group): Json {
  return { [prop.name]: { [prop.type]: group.option === null ? null : { name: group.option } } };
}

/**
 * The properties a card or list row shows besides its title: the view's visible properties when
 * it lists them, else the first `max` of the schema; never the title and never `exclude`.
 */
export function shownProperties(
  props: ViewProperty[],
  view: View,
  exclude: string[] = [],
  max = 3,
): ViewProperty[] {
  const skip = (p: ViewProperty) => p.type === 'title' || exclude.includes(p.id);
  const listed = view.configuration?.properties as { property_id: string; visible?: boolean }[] | undefined;
  if (listed && listed.length > 0) {
    return listed
      .filter((l) => l.visible !== false)
      .map((l) => propertyById(props, l.property_id))
      .filter((p): p is ViewProperty => !!p && !skip(p));
  }
  return props.filter((p) => !skip(p)).slice(0, max);
}

const DATE_TYPES = new Set(['date', 'created_time', 'last_edited_time']);

/** The date property a calendar places pages by: the view's, else the schema's first date property. */
export function dateProperty(props: ViewProperty[], view: View): ViewProperty | null {
  const named = propertyById(props, view.configuration?.date_property_id);
  if (named && DATE_TYPES.has(named.type)) return named;
  return props.find((p) => p.type === 'date') ?? null;
}

/** `YYYY-MM-DD` of a calendar day (UTC arithmetic: days, not instants). */
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The month after (`delta` 1) or before (-1) `month` (`YYYY-MM`). */
export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return isoDay(new Date(Date.UTC(y, m - 1 + delta, 1))).slice(0, 7);
}

/**
 * The weeks shown for a month (`YYYY-MM`), Monday first: whole weeks from the one holding the
 * 1st to the one holding the last day, each a list of seven `YYYY-MM-DD` days.
 */
export function monthGrid(month: string): string[][] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const first = new Date(Date.UTC(y, m - 1, 1));
  const last = new Date(Date.UTC(y, m, 0));
  const start = new Date(first);
  start.setUTCDate(1 - ((first.getUTCDay() + 6) % 7));
  const weeks: string[][] = [];
  const day = new Date(start);
  while (day <= last) {
    const week: string[] = [];
    for (let i = 0; i < 7; i++) {
      week.push(isoDay(day));
      day.setUTCDate(day.getUTCDate() + 1);
    }
    weeks.push(week);
  }
  return weeks;
}

/**
 * The days (`YYYY-MM-DD`) a page's date covers, as written (a time's own offset is kept: the
 * day is the one the writer meant); a range covers each of its days, at most 62.
 */
export function daysOf(value: Json | undefined): string[] {
  if (!value) return [];
  const raw = value[value.type as string] as { start?: string; end?: string | null } | string | null;
  const start = typeof raw === 'string' ? raw : raw?.start;
  if (!start) return [];
  const end = typeof raw === 'string' ? null : raw?.end;
  const first = start.slice(0, 10);
  if (!end || end.slice(0, 10) <= first) return [first];
  const days: string[] = [];
  const d = new Date(`${first}T00:00:00Z`);
  for (let i = 0; i < 62 && isoDay(d) <= end.slice(0, 10); i++) {
    days.push(isoDay(d));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return days;
}

/** The configuration a new view of `type` is created with (board and calendar need a property). */
export function newViewConfiguration(type: string, property: ViewProperty | null): Json | undefined {
  if (type === 'board') {
    if (!property) return undefined;
    return {
      type: 'board',
      group_by: {
        type: property.type,
        property_id: property.id,
        sort: { type: 'manual' },
        ...(property.type === 'status' ? { group_by: 'option' } : {}),
      },
    };
  }
  if (type === 'calendar') return property ? { type: 'calendar', date_property_id: property.id } : undefined;
  return undefined;
}

/** The starting sort and filter of a table view: its first property sort and its filter. */
export function tableDefaults(view: View, props: ViewProperty[]) {
  const s = (view.sorts ?? []).find((x) => typeof x.property === 'string');
  const col = s && propertyById(props, s.property);
  return {
    sort:
      s && col
        ? ({
            property: col.name,
            direction: s.direction === 'descending' ? 'descending' : 'ascending',
          } as const)
        : null,
    filter: view.filter && Object.keys(view.filter).length > 0 ? view.filter : null,
  };
}

/** The same id written with or without dashes (a view's URL uses the compact form). */
export const sameId = (a: string, b: string) => a.replaceAll('-', '') === b.replaceAll('-', '');
