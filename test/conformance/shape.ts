/**
 * Structural comparison of two JSON bodies, for replaying recorded Notion conversations: same keys
 * (recursively), same JSON types, same `object`/`type` values, same key order at the top level of
 * pages and blocks. Values are otherwise ignored (ids, timestamps, request ids, urls, names).
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Keys whose values are compared, not just their types. */
const DISCRIMINATORS = new Set(['object', 'type', 'code', 'status']);

/**
 * Keys whose nullness depends on workspace data rather than on the request (the recorded
 * workspace's users have avatars; Octavo's fresh one has none).
 */
const DATA_NULLABLE = new Set(['avatar_url', 'name']);

/** Objects whose own key order must match Notion's. */
const ORDERED_OBJECTS = new Set(['page', 'block']);

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function isObject(v: unknown): v is { [k: string]: Json } {
  return jsonType(v) === 'object';
}

/** The element of `actual` to compare with `recorded`: same `object` and `type`, else the first. */
function counterpart(recorded: Json, actual: Json[]): Json | undefined {
  if (isObject(recorded)) {
    const same = actual.find((a) => isObject(a) && a.object === recorded.object && a.type === recorded.type);
    if (same !== undefined) return same;
  }
  return actual[0];
}

/** Every structural difference between `recorded` (Notion) and `actual` (Octavo), as text. */
export function shapeDiff(recorded: unknown, actual: unknown, path = '$'): string[] {
  const rt = jsonType(recorded);
  const at = jsonType(actual);
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (rt !== at) {
    if ((rt === 'null' || at === 'null') && DATA_NULLABLE.has(key)) return [];
    return [`${path}: Notion has ${rt}${describe(recorded)}, Octavo has ${at}${describe(actual)}`];
  }
  if (rt === 'array') {
    const r = recorded as Json[];
    const a = actual as Json[];
    if (r.length === 0 || a.length === 0) {
      return r.length === a.length ? [] : [`${path}: Notion has ${r.length} items, Octavo has ${a.length}`];
    }
    return shapeDiff(r[0], counterpart(r[0]!, a), `${path}[0]`);
  }
  if (rt !== 'object') {
    if (DISCRIMINATORS.has(key) && recorded !== actual) {
      return [`${path}: Notion has ${JSON.stringify(recorded)}, Octavo has ${JSON.stringify(actual)}`];
    }
    return [];
  }
  const r = recorded as { [k: string]: Json };
  const a = actual as { [k: string]: Json };
  const out: string[] = [];
  const missing = Object.keys(r).filter((k) => !(k in a));
  const extra = Object.keys(a).filter((k) => !(k in r));
  if (missing.length > 0) out.push(`${path}: Octavo lacks ${missing.map((k) => `"${k}"`).join(', ')}`);
  if (extra.length > 0) out.push(`${path}: Octavo adds ${extra.map((k) => `"${k}"`).join(', ')}`);
  if (typeof r.object === 'string' && ORDERED_OBJECTS.has(r.object)) {
    const rOrder = Object.keys(r).filter((k) => k in a);
    const aOrder = Object.keys(a).filter((k) => k in r);
    if (rOrder.join() !== aOrder.join()) {
      out.push(`${path}: key order differs: Notion ${rOrder.join(',')} / Octavo ${aOrder.join(',')}`);
    }
  }
  for (const k of Object.keys(r)) if (k in a) out.push(...shapeDiff(r[k], a[k], `${path}.${k}`));
  return out;
}

function describe(v: unknown): string {
  if (v === null || typeof v === 'object') return '';
  const text = JSON.stringify(v);
  return ` ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}
