/**
 * Seeded generators for the differential test: schemas with every filterable property type,
 * page values in response form (empties, unicode, `%`/`_`, date-only and date-time values with
 * and without end, negative and decimal numbers), and Notion filter/sort JSON drawn from the same
 * pools so that conditions actually hit.
 */
import type { SchemaProperty } from '../../src/query/columns.ts';
import type { DataSourceSchema } from '../../src/query/parse.ts';

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => next() < p;
  const some = <T>(xs: readonly T[], max: number): T[] => {
    const out: T[] = [];
    for (let i = int(max + 1); i > 0; i--) {
      const x = pick(xs);
      if (!out.includes(x)) out.push(x);
    }
    return out;
  };
  const uuid = () => {
    let h = '';
    for (let i = 0; i < 32; i++) h += int(16).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  return { next, int, pick, chance, some, uuid };
}
export type Rng = ReturnType<typeof prng>;

const FRAGMENTS = [
  'apple',
  'Apple',
  'APPLE',
  'pie',
  '50%',
  'a_b',
  '%',
  '_',
  'x%y',
  'ünïcode',
  'Straße',
  'STRASSE',
  'İstanbul',
  'ǅemal',
  '日本語',
  '😀',
  'é',
  'É',
  ' ',
  'ab',
  'ba',
  'zz',
  'Zebra',
  '\u{1F600}x',
  '\uFFFD',
  'say "hi"',
];
const NUMBERS = [0, -0, 1, -1, 2.5, -2.5, 3, 10, 100, -100, 0.1, 0.2, 0.30000000000000004, 1e6, -1e-6, 42];
const ZONES = ['America/New_York', 'Asia/Kolkata', 'Europe/Paris'];
const TYPES = [
  'rich_text',
  'url',
  'email',
  'phone_number',
  'number',
  'unique_id',
  'checkbox',
  'select',
  'status',
  'multi_select',
  'people',
  'relation',
  'files',
  'date',
  'date',
  'verification',
  'created_time',
  'last_edited_time',
  'last_visited_time',
  'created_by',
  'last_edited_by',
];
const ID_CHARS = ['a', 'B', '%3A', '%40', '%5B', '%7C', 'z', '9', '%3F'];

export interface World {
  readonly now: Date;
  readonly users: readonly string[];
  readonly pages: readonly string[];
  readonly options: readonly string[];
}

export function makeWorld(rng: Rng, now: Date): World {
  return {
    now,
    users: Array.from({ length: 5 }, rng.uuid),
    pages: Array.from({ length: 6 }, rng.uuid),
    options: ['Red', 'green', 'Blue', 'A,B', 'ünï', '50%'],
  };
}

/** A schema with a title and one property of every type (names and ids made awkward on purpose). */
export function makeSchema(rng: Rng, world: World): DataSourceSchema {
  const schema: Record<string, SchemaProperty> = {};
  const add = (name: string, id: string, type: string, config: Record<string, unknown> = {}) => {
    schema[name] = { id, name, type, description: null, [type]: config };
  };
  add('Name', 'title', 'title');
  TYPES.forEach((type, i) => {
    const id = `${rng.pick(ID_CHARS)}${rng.pick(ID_CHARS)}${i}`;
    const options = rng.some(world.options, 6).map((name, j) => ({ id: `o${j}`, name, color: 'default' }));
    const config = type === 'select' || type === 'status' || type === 'multi_select' ? { options } : {};
    add(`${type} ${i}`, id, type, config);
  });
  return schema;
}

function text(rng: Rng): string {
  return rng.chance(0.2) ? '' : Array.from({ length: 1 + rng.int(3) }, () => rng.pick(FRAGMENTS)).join('');
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** A date or date-time string within ±40 days of `now`; date-times sometimes carry an offset. */
export function dateString(rng: Rng, now: Date, dateOnly: boolean): string {
  const d = new Date(now.getTime() + (rng.int(80 * 24) - 40 * 24) * 3_600_000 + rng.int(3_600_000));
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (dateOnly) return day;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  return `${day}T${time}${rng.pick(['Z', '', '+05:30', '-04:00'])}`;
}

function dateValue(rng: Rng, now: Date) {
  if (rng.chance(0.2)) return null;
  const dateOnly = rng.chance(0.5);
  const start = dateString(rng, now, dateOnly);
  const end = rng.chance(0.3) ? dateString(rng, now, dateOnly) : null;
  const ordered = end && end < start ? { start: end, end: start } : { start, end };
  const zone = !dateOnly && rng.chance(0.2) && !/[Z+-]\d*:?\d*$/.test(start) ? rng.pick(ZONES) : null;
  return { ...ordered, time_zone: zone };
}

/** A response-form value for a property (row-mapped types return undefined). */
export function makeValue(rng: Rng, world: World, prop: SchemaProperty): unknown {
  const optionNames = ((prop[prop.type] as { options?: { name: string }[] }).options ?? []).map(
    (o) => o.name,
  );
  switch (prop.type) {
    case 'title':
    case 'rich_text': {
      const t = text(rng);
      return t === '' ? [] : [{ type: 'text', text: { content: t, link: null }, plain_text: t, href: null }];
    }
    case 'url':
    case 'email':
    case 'phone_number':
      return rng.chance(0.2) ? null : text(rng);
    case 'number':
      return rng.chance(0.2) ? null : rng.chance(0.7) ? rng.pick(NUMBERS) : (rng.next() - 0.5) * 200;
    case 'unique_id':
      return { prefix: null, number: rng.chance(0.1) ? null : rng.int(50) };
    case 'checkbox':
      return rng.chance(0.5);
    case 'select':
    case 'status': {
      if (rng.chance(0.2)) return null;
      const name = rng.chance(0.1) ? 'Stale option' : rng.pick([...optionNames, 'Red']);
      return { id: 'x', name, color: 'default' };
    }
    case 'multi_select':
      return rng.some([...optionNames, 'Red'], 3).map((name) => ({ id: 'x', name, color: 'default' }));
    case 'people':
      return rng.some(world.users, 3).map((id) => ({ object: 'user', id }));
    case 'relation':
      return rng.some(world.pages, 3).map((id) => ({ id: id.replaceAll('-', '').toUpperCase() }));
    case 'files':
      return rng
        .some(['a.png', 'b%.pdf', 'ü.txt'], 2)
        .map((name) => ({ name, type: 'external', external: { url: 'x' } }));
    case 'date':
      return dateValue(rng, world.now);
    case 'last_visited_time':
      // Computed by Octavo as never visited: always empty.
      return null;
    case 'verification':
      return rng.chance(0.3)
        ? null
        : { state: rng.pick(['verified', 'expired', 'unverified']), date: null, verified_by: null };
    default:
      return undefined;
  }
}
