/**
 * Converting stored values when a property changes type, the way Notion converts a column:
 * through the value's text, then parsed as the new type. Select names that do not exist become
 * options of the new property.
 */

import { plainText, textItem } from '../rich-text.ts';
import { newOptionId } from './ids.ts';
import { type PropertySchema, payloadOf, type SelectOption } from './types.ts';
import type { StoredValue } from './values.ts';

/** The ids of users and pages a stored value refers to (their names are part of its text). */
export function referencedIds(prop: PropertySchema, stored: StoredValue | undefined): string[] {
  if (!stored || stored.type !== prop.type || (prop.type !== 'people' && prop.type !== 'relation')) return [];
  return ((stored[prop.type] as { id: string }[] | null) ?? []).map((r) => r.id);
}

/**
 * The text a value shows as (what a conversion starts from). People and relations show as the
 * names in `names` (user names and page titles by id, see `referencedIds`).
 */
export function valueText(
  prop: PropertySchema,
  stored: StoredValue | undefined,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  if (!stored || stored.type !== prop.type) return '';
  const v = stored[prop.type];
  const optionNames = (refs: { id: string }[]) =>
    refs
      .map((r) => payloadOf<{ options: SelectOption[] }>(prop).options.find((o) => o.id === r.id)?.name)
      .filter((n): n is string => Boolean(n));
  switch (prop.type) {
    case 'title':
    case 'rich_text':
      return plainText(v as never);
    case 'number':
      return v === null || v === undefined ? '' : String(v);
    case 'select':
    case 'status':
      return v ? (optionNames([v as { id: string }])[0] ?? '') : '';
    case 'multi_select':
      return optionNames((v as { id: string }[]) ?? []).join(', ');
    case 'checkbox':
      return v === true ? 'Yes' : 'No';
    case 'date': {
      const d = v as { start: string; end: string | null } | null;
      return d ? (d.end ? `${d.start} → ${d.end}` : d.start) : '';
    }
    case 'url':
    case 'email':
    case 'phone_number':
      return (v as string | null) ?? '';
    case 'files':
      return ((v as { name: string }[]) ?? []).map((f) => f.name).join(', ');
    case 'people':
    case 'relation':
      return referencedIds(prop, stored)
        .map((id) => names.get(id))
        .filter((n): n is string => Boolean(n))
        .join(', ');
    case 'unique_id': {
      const prefix = payloadOf<{ prefix?: string | null }>(prop).prefix;
      return typeof v === 'number' ? (prefix ? `${prefix}-${v}` : String(v)) : '';
    }
    default:
      return '';
  }
}

/** Types whose values name options of the property. */
export const OPTION_TYPES: ReadonlySet<string> = new Set(['select', 'multi_select', 'status']);

/**
 * The options a property retyped from `from` to `to` starts with: its own, then (select and
 * multi_select only) the old property's options it lacks, keeping their ids, colors and
 * descriptions, as Notion keeps them when a select becomes a multi-select.
 */
export function startingOptions(from: PropertySchema, to: PropertySchema): SelectOption[] | null {
  if (!OPTION_TYPES.has(to.type)) return null;
  const own = (payloadOf<{ options?: SelectOption[] }>(to).options ?? []).map((o) => ({ ...o }));
  if (to.type === 'status' || !OPTION_TYPES.has(from.type)) return own;
  const ids = new Set(own.map((o) => o.id));
  for (const o of payloadOf<{ options?: SelectOption[] }>(from).options ?? []) {
    if (own.some((x) => x.name === o.name)) continue;
    const id = ids.has(o.id) ? newOptionId(ids) : o.id;
    ids.add(id);
    own.push({ id, name: o.name, color: o.color, description: o.description ?? null });
  }
  return own;
}

const TRUE_WORDS = new Set(['yes', 'true', '1', 'checked', 'x', '✓', 'on']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The value of `to` converted from `from`'s stored value. `options` is the new property's
 * option list, extended in place with names the conversion creates; `names` as for `valueText`.
 */
export function convertValue(
  from: PropertySchema,
  to: PropertySchema,
  stored: StoredValue | undefined,
  options: SelectOption[],
  names: ReadonlyMap<string, string> = new Map(),
): StoredValue | undefined {
  const keepsRefs = ['people', 'relation', 'files'];
  if (keepsRefs.includes(to.type)) {
    return from.type === to.type && stored ? stored : undefined;
  }
  const text = valueText(from, stored, names).trim();
  const wrap = (v: unknown): StoredValue => ({ type: to.type, [to.type]: v });
  const optionFor = (name: string, create: boolean): { id: string } | null => {
    const found = options.find((o) => o.name === name);
    if (found) return { id: found.id };
    if (!create) return null;
    const option = {
      id: newOptionId(new Set(options.map((o) => o.id))),
      name,
      color: 'default',
      description: null,
    };
    options.push(option);
    return { id: option.id };
  };
  switch (to.type) {
    case 'title':
    case 'rich_text':
      return wrap(text ? [textItem(text)] : []);
    case 'number': {
      const n = Number.parseFloat(text.replace(/[^0-9eE+.-]/g, ''));
      return wrap(Number.isFinite(n) ? n : null);
    }
    case 'select':
    case 'status': {
      const first = text.split(',')[0]?.trim() ?? '';
      return wrap(first ? optionFor(first.replaceAll(',', ''), to.type === 'select') : null);
    }
    case 'multi_select': {
      const parts = text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      return wrap([...new Set(parts)].map((p) => optionFor(p, true)!));
    }
    case 'checkbox':
      return wrap(TRUE_WORDS.has(text.toLowerCase()));
    case 'date':
      return wrap(
        ISO_DATE.test(text) && !Number.isNaN(Date.parse(text))
          ? { start: text, end: null, time_zone: null }
          : null,
      );
    case 'url':
    case 'email':
    case 'phone_number':
      return wrap(text || null);
    default:
      return undefined;
  }
}
