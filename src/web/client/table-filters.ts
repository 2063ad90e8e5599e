/**
 * The table's filter and sorts as data, in the shapes `POST /v1/data_sources/{id}/query` takes:
 * the conditions offered per property type, a filter group (conditions joined by "and" or "or",
 * groups inside one level deep) built into Notion's filter and read back from a view's, and a
 * view's sorts as sort keys. Properties are named by id, so a rename does not break them. Pure:
 * the forms are table-query.tsx.
 */
import type { Json, PropertySchema } from './table-model.ts';

/** Conditions the filter form offers per property type (Notion's filter conditions). */
export const CONDITIONS: Record<string, string[]> = {
  title: [
    'contains',
    'equals',
    'does_not_contain',
    'does_not_equal',
    'starts_with',
    'ends_with',
    'is_empty',
    'is_not_empty',
  ],
  rich_text: [
    'contains',
    'equals',
    'does_not_contain',
    'does_not_equal',
    'starts_with',
    'ends_with',
    'is_empty',
    'is_not_empty',
  ],
  url: ['contains', 'equals', 'does_not_contain', 'is_empty', 'is_not_empty'],
  email: ['contains', 'equals', 'does_not_contain', 'is_empty', 'is_not_empty'],
  phone_number: ['contains', 'equals', 'does_not_contain', 'is_empty', 'is_not_empty'],
  number: [
    'equals',
    'does_not_equal',
    'greater_than',
    'less_than',
    'greater_than_or_equal_to',
    'less_than_or_equal_to',
    'is_empty',
    'is_not_empty',
  ],
  checkbox: ['equals', 'does_not_equal'],
  select: ['equals', 'does_not_equal', 'is_empty', 'is_not_empty'],
  status: ['equals', 'does_not_equal', 'is_empty', 'is_not_empty'],
  multi_select: ['contains', 'does_not_contain', 'is_empty', 'is_not_empty'],
  date: ['equals', 'before', 'after', 'on_or_before', 'on_or_after', 'is_empty', 'is_not_empty'],
  created_time: ['equals', 'before', 'after', 'on_or_before', 'on_or_after'],
  last_edited_time: ['equals', 'before', 'after', 'on_or_before', 'on_or_after'],
  people: ['contains', 'does_not_contain', 'is_empty', 'is_not_empty'],
  relation: ['contains', 'does_not_contain', 'is_empty', 'is_not_empty'],
};

export const NO_VALUE = new Set(['is_empty', 'is_not_empty']);

/** One property filter in the shape POST /v1/data_sources/{id}/query takes. */
export function buildFilter(prop: PropertySchema, condition: string, value: string): Json {
  let v: unknown = value;
  if (NO_VALUE.has(condition)) v = true;
  else if (prop.type === 'number') v = Number(value);
  else if (prop.type === 'checkbox') v = value !== 'false'; // the form starts on "checked"
  return { property: prop.id, [prop.type]: { [condition]: v } };
}

export interface Condition {
  kind: 'condition';
  property: string;
  condition: string;
  value: string;
}
export interface Group {
  kind: 'group';
  op: 'and' | 'or';
  items: (Condition | Group)[];
}

export const find = (columns: PropertySchema[], p: unknown) =>
  columns.find((c) => c.id === p || c.name === p);

/** The query's filter for a group; null when it has no conditions. */
export function groupFilter(group: Group, columns: PropertySchema[], top = true): Json | null {
  const parts = group.items
    .map((item) => {
      if (item.kind === 'group') return groupFilter(item, columns, false);
      const prop = find(columns, item.property);
      return prop && CONDITIONS[prop.type] ? buildFilter(prop, item.condition, item.value) : null;
    })
    .filter((f): f is Json => f !== null);
  if (parts.length === 0) return null;
  if (parts.length === 1 && top && group.items[0]?.kind === 'condition') return parts[0]!;
  return { [group.op]: parts };
}

/** A filter as the editor's group, or null when it has a shape the editor cannot show. */
export function parseFilter(filter: Json | null, columns: PropertySchema[], depth = 0): Group | null {
  if (!filter) return { kind: 'group', op: 'and', items: [] };
  for (const op of ['and', 'or'] as const) {
    const list = filter[op];
    if (!Array.isArray(list)) continue;
    if (depth > 1) return null;
    const items: (Condition | Group)[] = [];
    for (const f of list as Json[]) {
      const item = f.and || f.or ? parseFilter(f, columns, depth + 1) : parseCondition(f, columns);
      if (!item) return null;
      items.push(item);
    }
    return { kind: 'group', op, items };
  }
  const one = parseCondition(filter, columns);
  return one ? { kind: 'group', op: 'and', items: [one] } : null;
}

function parseCondition(f: Json, columns: PropertySchema[]): Condition | null {
  const prop = find(columns, f.property);
  const body = prop && (f[prop.type] as Json | undefined);
  if (!prop || !body || !CONDITIONS[prop.type]) return null;
  const [condition, v] = Object.entries(body)[0] ?? [];
  if (!condition || !CONDITIONS[prop.type]!.includes(condition)) return null;
  return {
    kind: 'condition',
    property: prop.id,
    condition,
    value: v === true || v === false ? String(v) : String(v ?? ''),
  };
}

/** One sort key: a property (by id) or a timestamp, and a direction. */
export type SortKey =
  | { property: string; direction: 'ascending' | 'descending' }
  | { timestamp: 'created_time' | 'last_edited_time'; direction: 'ascending' | 'descending' };

/** A view's sorts as sort keys, properties named by id; unknown properties are left out. */
export function parseSorts(sorts: Json[] | null | undefined, columns: PropertySchema[]): SortKey[] {
  const out: SortKey[] = [];
  for (const s of sorts ?? []) {
    const direction = s.direction === 'descending' ? 'descending' : 'ascending';
    if (s.timestamp === 'created_time' || s.timestamp === 'last_edited_time')
      out.push({ timestamp: s.timestamp, direction });
    const prop = find(columns, s.property);
    if (prop) out.push({ property: prop.id, direction });
  }
  return out;
}

export const keyOf = (k: SortKey) => ('property' in k ? k.property : `timestamp:${k.timestamp}`);
