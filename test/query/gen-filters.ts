/**
 * Random Notion filter and sort JSON over a generated schema, valid by construction (the
 * differential test parses it with the real parser, so generator and parser must agree).
 */
import type { SchemaProperty } from '../../src/query/columns.ts';
import type { DataSourceSchema } from '../../src/query/parse.ts';
import { dateString, type Rng, type World } from './gen.ts';

type Json = Record<string, unknown>;

const TEXT_NEEDLES = [
  'apple',
  'APP',
  'pie',
  '%',
  '_',
  'a_b',
  '50%',
  'ü',
  'STRASSE',
  'straße',
  'i̇',
  '😀',
  'é',
  'ab',
  '',
  // Three characters or more: served through the trigram index where there is one.
  'le5',
  'É',
  'ße',
  'straße',
  'İstanbul',
  '日本語',
  'x%y',
  '%_',
  '"hi"',
  'zzz',
  'appleapple',
  'ünïcode',
];
const NUMBER_VALUES = [0, 1, -1, 2.5, 3, 10, -100, 0.30000000000000004, 42, 25];
const RELATIVE = [
  'today',
  'tomorrow',
  'yesterday',
  'one_week_ago',
  'one_week_from_now',
  'one_month_ago',
  'one_month_from_now',
];
const RANGES = ['this_week', 'past_week', 'past_month', 'past_year', 'next_week', 'next_month', 'next_year'];

function existence(rng: Rng): Json {
  return rng.chance(0.5) ? { is_empty: true } : { is_not_empty: true };
}

function textCondition(rng: Rng): Json {
  if (rng.chance(0.15)) return existence(rng);
  const op = rng.pick([
    'equals',
    'does_not_equal',
    'contains',
    'does_not_contain',
    'starts_with',
    'ends_with',
  ]);
  return { [op]: rng.pick(TEXT_NEEDLES) };
}

function numberCondition(rng: Rng): Json {
  if (rng.chance(0.15)) return existence(rng);
  const op = rng.pick([
    'equals',
    'does_not_equal',
    'greater_than',
    'less_than',
    'greater_than_or_equal_to',
    'less_than_or_equal_to',
  ]);
  return { [op]: rng.pick(NUMBER_VALUES) };
}

function dateCondition(rng: Rng, world: World): Json {
  const r = rng.next();
  if (r < 0.1) return existence(rng);
  if (r < 0.3) return { [rng.pick(RANGES)]: {} };
  const op = rng.pick(['equals', 'before', 'after', 'on_or_before', 'on_or_after']);
  if (r < 0.45) return { [op]: rng.pick(RELATIVE) };
  return { [op]: dateString(rng, world.now, rng.chance(0.5)) };
}

function listOrOne(rng: Rng, pool: readonly string[]): string | string[] {
  return rng.chance(0.6) ? rng.pick(pool) : rng.some(pool, 3);
}

/** One condition object for a property's type. */
function condition(rng: Rng, world: World, prop: SchemaProperty): Json {
  const options = ((prop[prop.type] as { options?: { name: string }[] }).options ?? []).map((o) => o.name);
  const names = [...options, 'Red', 'Stale option', 'nope'];
  switch (prop.type) {
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number':
      return textCondition(rng);
    case 'number':
    case 'unique_id':
      return numberCondition(rng);
    case 'checkbox':
      return { [rng.pick(['equals', 'does_not_equal'])]: rng.chance(0.5) };
    case 'select':
    case 'status':
      return rng.chance(0.2)
        ? existence(rng)
        : { [rng.pick(['equals', 'does_not_equal'])]: listOrOne(rng, names) };
    case 'multi_select':
      return rng.chance(0.2)
        ? existence(rng)
        : { [rng.pick(['contains', 'does_not_contain'])]: listOrOne(rng, names) };
    case 'people':
    case 'created_by':
    case 'last_edited_by':
    case 'relation': {
      if (rng.chance(0.2)) return existence(rng);
      const pool = prop.type === 'relation' ? world.pages : [...world.users, 'me'];
      return { [rng.pick(['contains', 'does_not_contain'])]: rng.pick(pool) };
    }
    case 'files':
      return existence(rng);
    case 'date':
    case 'created_time':
    case 'last_edited_time':
      return dateCondition(rng, world);
    case 'verification':
      return { [rng.pick(['status', 'does_not_equal'])]: rng.pick(['verified', 'expired', 'none']) };
    default:
      throw new Error(`no condition for ${prop.type}`);
  }
}

/** A leaf: a property filter (by name or id, title/rich_text keys mixed) or a timestamp filter. */
function leaf(rng: Rng, world: World, schema: DataSourceSchema): Json {
  if (rng.chance(0.1)) {
    const ts = rng.pick(['created_time', 'last_edited_time']);
    return { timestamp: ts, [ts]: dateCondition(rng, world) };
  }
  // No filter exists for last_visited_time (notion-api.md §7.2); it is still sorted.
  const props = Object.values(schema).filter(
    (p) => p.type !== 'formula' && p.type !== 'place' && p.type !== 'last_visited_time',
  );
  const prop = rng.pick(props);
  const key = prop.type === 'title' && rng.chance(0.3) ? 'rich_text' : prop.type;
  return { property: rng.chance(0.7) ? prop.name : prop.id, [key]: condition(rng, world, prop) };
}

/** A filter: a leaf, or a compound nested at most two levels deep. */
export function makeFilter(rng: Rng, world: World, schema: DataSourceSchema, depth = 0): Json {
  if (depth >= 2 || rng.chance(depth === 0 ? 0.3 : 0.6)) return leaf(rng, world, schema);
  const n = rng.int(4);
  return {
    [rng.pick(['and', 'or'])]: Array.from({ length: n }, () => makeFilter(rng, world, schema, depth + 1)),
  };
}

/**
 * A filter around substring conditions on the title and rich_text properties, the conditions a
 * trigram index serves: alone, two of them under `or` (both served), beside another condition
 * under `and` (served) or under `or` (not served).
 */
export function makeTextFilter(rng: Rng, world: World, schema: DataSourceSchema): Json {
  const texts = Object.values(schema).filter((p) => p.type === 'title' || p.type === 'rich_text');
  const textLeaf = (): Json => {
    const prop = rng.pick(texts);
    const op = rng.pick(['contains', 'contains', 'starts_with', 'ends_with', 'does_not_contain']);
    return { property: prop.name, [prop.type]: { [op]: rng.pick(TEXT_NEEDLES) } };
  };
  switch (rng.int(4)) {
    case 0:
      return textLeaf();
    case 1:
      return { or: [textLeaf(), textLeaf()] };
    case 2:
      return { and: [textLeaf(), leaf(rng, world, schema)] };
    default:
      return { or: [textLeaf(), leaf(rng, world, schema)] };
  }
}

/** Zero to three sorts over properties and timestamps. */
export function makeSorts(rng: Rng, schema: DataSourceSchema): Json[] {
  const props = Object.values(schema).filter((p) => !['formula', 'place', 'files'].includes(p.type));
  return Array.from({ length: rng.int(4) }, () => {
    const direction = rng.pick(['ascending', 'descending']);
    if (rng.chance(0.15)) return { timestamp: rng.pick(['created_time', 'last_edited_time']), direction };
    return { property: rng.pick(props).name, direction };
  });
}
