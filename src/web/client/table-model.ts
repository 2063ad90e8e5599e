/**
 * The table view's data and its pure rules: the data source and row shapes the app reads from
 * /v1, a property value as text, and the PATCH /v1/pages/{id} body for a cell's new value.
 * No React and no requests here, so the cells, the board and the filters share them.
 */
import type { Page } from './api.ts';

export type Json = Record<string, unknown>;

export interface SelectOptionSchema {
  id?: string;
  name: string;
  color?: string;
}

export interface PropertySchema {
  id: string;
  name: string;
  type: string;
  select?: { options: SelectOptionSchema[] };
  multi_select?: { options: SelectOptionSchema[] };
  status?: { options: SelectOptionSchema[] };
  relation?: { data_source_id?: string; database_id?: string };
}

export interface DataSource {
  id: string;
  title: { plain_text: string }[];
  properties: Record<string, PropertySchema>;
}

export interface RowPage extends Omit<Page, 'properties'> {
  properties: Record<string, Json & { type: string }>;
}

export interface QueryResult {
  results: RowPage[];
  has_more: boolean;
  next_cursor: string | null;
}

/** The schema's properties, the title first, then in the schema's order. */
export function columnsOf(source: DataSource): PropertySchema[] {
  const all = Object.entries(source.properties).map(([name, p]) => ({ ...p, name }));
  return [...all.filter((p) => p.type === 'title'), ...all.filter((p) => p.type !== 'title')];
}

export const plain = (rt: unknown) =>
  ((rt as { plain_text: string }[] | undefined) ?? []).map((t) => t.plain_text).join('');
const nameOf = (v: unknown) => (v as { name?: string } | null)?.name ?? '';

/** A date value as text: the start, and `→ end` when it has one. */
export function dateText(d: unknown): string {
  const date = d as { start: string; end?: string | null } | null;
  if (!date) return '';
  return date.end ? `${date.start} → ${date.end}` : date.start;
}

/** The ids a relation value names. */
export const relationIds = (value: (Json & { type: string }) | undefined): string[] =>
  ((value?.relation as { id: string }[] | undefined) ?? []).map((r) => r.id);

/** A property value as text (for every type; read-only types included). */
export function valueText(value: (Json & { type: string }) | undefined): string {
  if (!value) return '';
  const v = value[value.type];
  switch (value.type) {
    case 'title':
    case 'rich_text':
      return plain(v);
    case 'number':
      return v === null || v === undefined ? '' : String(v);
    case 'select':
    case 'status':
      return nameOf(v);
    case 'multi_select':
      return ((v as { name: string }[]) ?? []).map((o) => o.name).join(', ');
    case 'date':
      return dateText(v);
    case 'checkbox':
      return v ? 'Yes' : 'No';
    case 'url':
    case 'email':
    case 'phone_number':
    case 'created_time':
    case 'last_edited_time':
      return (v as string | null) ?? '';
    case 'people':
      return ((v as { id: string; name?: string }[]) ?? []).map((p) => p.name ?? p.id).join(', ');
    case 'created_by':
    case 'last_edited_by':
      return nameOf(v) || ((v as { id?: string } | null)?.id ?? '');
    case 'relation': {
      const n = ((v as unknown[]) ?? []).length;
      return n === 1 ? '1 page' : `${n} pages`;
    }
    case 'files':
      return ((v as { name: string }[]) ?? []).map((f) => f.name).join(', ');
    case 'unique_id': {
      const u = v as { prefix: string | null; number: number | null } | null;
      return u?.number == null ? '' : `${u.prefix ? `${u.prefix}-` : ''}${u.number}`;
    }
    case 'formula': {
      const f = v as Json & { type: string };
      if (!f) return '';
      if (f.type === 'date') return dateText(f.date);
      if (f.type === 'boolean') return f.boolean ? 'Yes' : 'No';
      return f[f.type] === null || f[f.type] === undefined ? '' : String(f[f.type]);
    }
    case 'rollup': {
      const r = v as Json & { type: string };
      if (!r) return '';
      // "Show original" and the like: each related page's value, as that property shows it.
      if (r.type === 'array')
        return ((r.array as (Json & { type: string })[]) ?? [])
          .map((item) => valueText(item))
          .filter((t) => t !== '')
          .join(', ');
      if (r.type === 'date') return dateText(r.date);
      return r[r.type] === null || r[r.type] === undefined ? '' : String(r[r.type]);
    }
    default:
      return '';
  }
}

/** A date being edited: start, optional end, whether it has a time (`YYYY-MM-DDTHH:mm`). */
export interface DateDraft {
  start: string;
  end: string;
  time: boolean;
}

/** A cell's new value as the editors hold it. */
export type CellValue = string | boolean | string[] | DateDraft;

/** The browser's offset from UTC as `+HH:MM`, for a date with a time typed in local time. */
export function localOffset(at: Date): string {
  const m = -at.getTimezoneOffset();
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

function dateBody(d: DateDraft): Json | null {
  if (!d.start) return null;
  const at = (s: string) => (d.time ? `${s}:00${localOffset(new Date(s))}` : s.slice(0, 10));
  return { start: at(d.start), end: d.end ? at(d.end) : null };
}

/** Types whose cells are edited in place (the others are computed or read-only). */
export const EDITABLE = new Set([
  'title',
  'rich_text',
  'number',
  'checkbox',
  'select',
  'status',
  'multi_select',
  'date',
  'url',
  'email',
  'phone_number',
  'people',
  'relation',
]);

/** The PATCH /v1/pages/{id} `properties` body for a new value of an editable property. */
export function propertyBody(type: string, value: CellValue): Json {
  const s = typeof value === 'string' ? value : '';
  const list = Array.isArray(value) ? value : [];
  const rich = s ? [{ type: 'text', text: { content: s } }] : [];
  switch (type) {
    case 'title':
      return { title: rich };
    case 'rich_text':
      return { rich_text: rich };
    case 'number':
      return { number: s.trim() === '' ? null : Number(s) };
    case 'checkbox':
      return { checkbox: value === true };
    case 'select':
      return { select: s ? { name: s } : null };
    case 'status':
      return { status: s ? { name: s } : null };
    case 'multi_select':
      return { multi_select: list.map((name) => ({ name })) };
    case 'people':
      return { people: list.map((id) => ({ id })) };
    case 'relation':
      return { relation: list.map((id) => ({ id })) };
    case 'date':
      if (typeof value === 'object' && !Array.isArray(value)) return { date: dateBody(value) };
      return { date: s ? { start: s } : null };
    case 'url':
      return { url: s || null };
    case 'email':
      return { email: s || null };
    case 'phone_number':
      return { phone_number: s || null };
    default:
      throw new Error(`${type} cannot be edited here`);
  }
}

/**
 * The properties a row made in a filtered table starts with, so that it shows under the filter
 * as Notion does it: for a single condition, or conditions joined by `and`, each `equals` of a
 * title, text, number, select, status, checkbox or date, and each `contains` of a multi-select,
 * people or relation, gives its value (a checkbox's `does_not_equal` its opposite); other
 * conditions (and any `or`) give nothing, and the row simply appears. Answers the
 * `properties` of `POST /v1/pages`, keyed by property name (the title only when `title` is
 * given, which wins over the filter's).
 */
export function filterDefaults(filter: Json | null, columns: PropertySchema[], title?: string): Json {
  const out: Json = {};
  const conditions: Json[] = !filter
    ? []
    : Array.isArray(filter.and)
      ? (filter.and as Json[])
      : filter.or
        ? []
        : [filter];
  const rich = (s: string) => [{ type: 'text', text: { content: s } }];
  for (const c of conditions) {
    const prop = columns.find((p) => p.id === c.property || p.name === c.property);
    if (!prop || out[prop.name] !== undefined) continue;
    const cond = c[prop.type] as Json | undefined;
    if (!cond || typeof cond !== 'object') continue;
    const eq = cond.equals;
    const has = cond.contains;
    switch (prop.type) {
      case 'title':
      case 'rich_text':
        if (typeof eq === 'string') out[prop.name] = { [prop.type]: rich(eq) };
        break;
      case 'number':
        if (typeof eq === 'number') out[prop.name] = { number: eq };
        break;
      case 'select':
      case 'status':
        if (typeof eq === 'string' && eq) out[prop.name] = { [prop.type]: { name: eq } };
        break;
      case 'checkbox':
        if (typeof eq === 'boolean') out[prop.name] = { checkbox: eq };
        else if (typeof cond.does_not_equal === 'boolean')
          out[prop.name] = { checkbox: !cond.does_not_equal };
        break;
      case 'date':
        if (typeof eq === 'string' && eq) out[prop.name] = { date: { start: eq } };
        break;
      case 'multi_select':
        if (typeof has === 'string' && has) out[prop.name] = { multi_select: [{ name: has }] };
        break;
      case 'people':
      case 'relation':
        if (typeof has === 'string' && /^[0-9a-f-]{32,36}$/i.test(has))
          out[prop.name] = { [prop.type]: [{ id: has }] };
        break;
    }
  }
  if (title !== undefined) {
    const t = columns.find((p) => p.type === 'title');
    if (t) out[t.name] = { title: title ? rich(title) : [] };
  }
  return out;
}

/** A files property's item as the API answers it (uploaded, external, or being attached). */
export interface FileItem {
  name: string;
  type: 'file' | 'external' | 'file_upload';
  file?: { url: string; expiry_time?: string };
  external?: { url: string };
  file_upload?: { id: string };
}

/** A files item's address (what a link or a thumbnail shows); none for an upload being attached. */
export const fileUrl = (f: FileItem): string => f.file?.url ?? f.external?.url ?? '';

/** Whether a files item looks like an image (by its name or address), to show it as a thumbnail. */
export const isImageFile = (f: FileItem): boolean =>
  /\.(png|jpe?g|gif|webp|avif|svg|bmp)$/i.test(f.name) ||
  /\.(png|jpe?g|gif|webp|avif|svg|bmp)(\?|#|$)/i.test(fileUrl(f));

/**
 * A files property's items as they are written back in `PATCH /v1/pages/{id}`: uploaded files by
 * their hosted address (the API keeps them), external ones by their URL.
 */
export function filesBody(items: FileItem[]): Json {
  return {
    files: items.map((f) =>
      f.type === 'external'
        ? { name: f.name, type: 'external', external: { url: f.external?.url ?? '' } }
        : f.type === 'file_upload'
          ? { name: f.name, type: 'file_upload', file_upload: { id: f.file_upload?.id ?? '' } }
          : { name: f.name, type: 'file', file: { url: f.file?.url ?? '' } },
    ),
  };
}

/**
 * The columns in a view's order (`order`: property ids, as the view's `configuration.properties`
 * lists them): the title first (it is the row's header), then the listed properties in the
 * listed order, then the ones the view does not list, in the schema's order.
 */
export function orderColumns(columns: PropertySchema[], order: string[]): PropertySchema[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  const rest = columns.filter((c) => c.type !== 'title');
  const listed = rest.filter((c) => rank.has(c.id)).sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  return [...columns.filter((c) => c.type === 'title'), ...listed, ...rest.filter((c) => !rank.has(c.id))];
}

/**
 * The ids of `columns` (in the order shown) with `id` moved to `to` among them; the title
 * stays first and nothing moves before it. Unchanged when `id` is not a movable column.
 */
export function moveColumn(columns: PropertySchema[], id: string, to: number): string[] {
  const ids = columns.map((c) => c.id);
  const from = ids.indexOf(id);
  const titles = columns.filter((c) => c.type === 'title').length;
  if (from < titles) return ids;
  ids.splice(from, 1);
  ids.splice(Math.min(Math.max(to, titles), ids.length), 0, id);
  return ids;
}

/** The property ids a view's configuration lists, in its order. */
export const viewOrder = (config: Json | null | undefined): string[] =>
  ((config?.properties as { property_id: string }[] | undefined) ?? []).map((p) => p.property_id);

/**
 * A formula as the person reads it: the stored form's property tokens
 * (`{{notion:block_property:<id>:…}}`) written back as `prop("Name")` where the id is one of
 * this schema's (a token for another data source's property stays as it is: the server reads
 * both forms).
 */
export function readableFormula(expression: string, source: DataSource): string {
  const names = new Map(columnsOf(source).map((p) => [p.id, p.name]));
  return expression.replace(/\{\{notion:block_property:([^:}]+):[^}]*\}\}/g, (token, id: string) => {
    let key = id;
    try {
      key = decodeURIComponent(id);
    } catch {
      // Not percent-encoded: the id as written.
    }
    const name = names.get(key);
    return name === undefined ? token : `prop(${JSON.stringify(name)})`;
  });
}
