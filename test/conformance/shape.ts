/**
 * Structural comparison of two JSON bodies, for replaying recorded Notion conversations: same keys
 * (recursively), same JSON types, same `object`/`type` values, same key order at the top level of
 * pages, blocks, databases, data sources, lists, property items, users and errors, the same booleans, and
 * timestamps written the same way. Other values are ignored (ids, which replay.ts checks against
 * the objects it has seen, instants, request ids, urls, names).
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Keys whose values are compared, not just their types. */
const DISCRIMINATORS = new Set(['object', 'type', 'code', 'status']);

/**
 * Keys whose nullness depends on workspace data rather than on the request (the recorded
 * workspace's users have avatars; Octavo's fresh one has none).
 */
const DATA_NULLABLE = new Set(['avatar_url', 'name']);

/**
 * Booleans are compared by value too (`in_trash`, `archived`, `has_children`, `has_more`,
 * `is_inline`, annotations…): they follow from the requests a recording makes. Except these,
 * which describe the recorded workspace: its owner verified their email address; Octavo does not
 * verify addresses and says so (`false`).
 */
const DATA_BOOLEANS = new Set(['email_verified']);

/** Objects whose own key order must match Notion's. */
const ORDERED_OBJECTS = new Set([
  'page',
  'block',
  'database',
  'data_source',
  'list',
  'property_item',
  'user',
  'error',
]);

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * How a timestamp is written, not when it is: its fraction digits and its zone (`Z` or an
 * offset), plus, when Notion's is rounded to the minute, that Octavo's is too. (A Notion value
 * with seconds cannot require Octavo's to have seconds: a real instant may fall on a minute.)
 */
function timestampDiff(recorded: string, actual: string): string | undefined {
  const r = TIMESTAMP.exec(recorded);
  const a = TIMESTAMP.exec(actual);
  if (!r) return undefined;
  if (!a) return `Notion has a timestamp ${JSON.stringify(recorded)}, Octavo has ${JSON.stringify(actual)}`;
  const form = (m: RegExpExecArray) =>
    `${m[1]?.length ?? 0} fraction digits, zone ${m[2] === 'Z' ? 'Z' : 'offset'}`;
  if (form(r) !== form(a))
    return `timestamp written as ${form(r)} by Notion (${recorded}), ${form(a)} by Octavo (${actual})`;
  const onMinute = (t: string) => /:00(?:\.0+)?(?:Z|[+-]\d{2}:\d{2})$/.test(t);
  if (onMinute(recorded) && !onMinute(actual))
    return `Notion rounds this timestamp to the minute (${recorded}), Octavo does not (${actual})`;
  return undefined;
}

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
    if (rt === 'string') {
      const diff = timestampDiff(recorded as string, actual as string);
      if (diff) return [`${path}: ${diff}`];
    }
    const compared = DISCRIMINATORS.has(key) || (rt === 'boolean' && !DATA_BOOLEANS.has(key));
    if (compared && recorded !== actual) {
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
