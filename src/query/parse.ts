/**
 * Notion's query JSON (`filter`, `sorts`) → the IR of ir.ts, validated against the data source's
 * schema. Every mistake is a `validation_error` raised here, never a SQL error later:
 * shape errors in the path grammar of wire/validation.ts, schema errors with Notion's own texts.
 */
import { errors } from '../wire/errors.ts';
import { bodyError, type PathSegment } from '../wire/validation.ts';
import type { ApiVersion } from '../wire/versions.ts';
import { type Family, familyOf, type SchemaProperty, targetOf } from './columns.ts';
import { type ComputedKind, type ConditionContext, parseCondition, type Quantified } from './conditions.ts';
import type { FExpr, RelationRef } from './formula-sql.ts';
import type { Filter, Query, Sort, Target, TimestampName } from './ir.ts';

export interface ParseOptions {
  /** The request's Notion-Version (kept for version-dependent rules; none differ today). */
  readonly version: ApiVersion;
  /** The user `"me"` stands for in people filters (the token's user or bot); null refuses `"me"`. */
  readonly meUserId: string | null;
  /** Result kinds of the formula and rollup properties (computed by the caller), by property id. */
  readonly computed?: ReadonlyMap<string, ComputedKind>;
  /** Formulas and rollups computed in SQL (formula-sql.ts), by property id. */
  readonly exprs?: ReadonlyMap<string, FExpr>;
  /** Relations SQL can read for rollup `any` / `every` / `none`, by rollup id (ConditionContext). */
  readonly relations?: ReadonlyMap<string, RelationRef>;
  /** Rolled-up rollups SQL can compute over the related row, by rollup id (ConditionContext). */
  readonly rolledExprs?: ReadonlyMap<string, FExpr>;
  /** Rolled-up properties of the rollups, by rollup id (for `any` / `every` / `none`). */
  readonly rolled?: ConditionContext['rolled'];
  /** Result kinds of rolled-up formulas and rollups, by rollup id (for `any` / `every` / `none`). */
  readonly rolledKinds?: ConditionContext['rolledKinds'];
  /** Receives the rollup `any` / `every` / `none` conditions (see ConditionContext). */
  readonly quantified?: Map<string, Quantified>;
}

/**
 * The type whose derived column form a computed value takes: filters and sorts on a formula or
 * rollup read a column of this type, filled by the caller (ops/query.ts evaluates them).
 */
export const COMPUTED_COLUMN_TYPE: Partial<Record<ComputedKind, string>> = {
  string: 'url',
  number: 'number',
  boolean: 'checkbox',
  date: 'date',
};

/** The filter key of each computed kind, as the API names it. */
const COMPUTED_FILTER_KEY: Partial<Record<ComputedKind, string>> = {
  string: 'string',
  number: 'number',
  boolean: 'checkbox',
  date: 'date',
};

/** A data source's properties in response form, keyed by name (§6.1). */
export type DataSourceSchema = Readonly<Record<string, SchemaProperty>>;

/** Compounds may hold compounds, which may hold only leaves (Notion's two levels of nesting). */
const MAX_COMPOUND_DEPTH = 2;

const TIMESTAMPS: readonly TimestampName[] = ['created_time', 'last_edited_time'];

/**
 * Filter keys of the SDK's PropertyFilter union (notion-api.md §7.2); a key outside it is simply
 * not allowed — `location` and `last_visited_time` among them: the contract gives them no filter.
 */
const FILTER_KEYS = new Set([
  'title',
  'rich_text',
  'number',
  'checkbox',
  'select',
  'multi_select',
  'status',
  'date',
  'people',
  'files',
  'url',
  'email',
  'phone_number',
  'relation',
  'created_by',
  'created_time',
  'last_edited_by',
  'last_edited_time',
  'formula',
  'unique_id',
  'rollup',
  'verification',
]);

const TEXT_KEYS = new Set(['title', 'rich_text']);

/**
 * Parses and validates the `filter` and `sorts` of a query body (other body keys are the
 * endpoint's business). A property is named by name or by id (ids compared URL-decoded).
 * Throws ApiError('validation_error') on the first problem.
 */
export function parseQuery(body: unknown, schema: DataSourceSchema, options: ParseOptions): Query {
  const b = isObject(body) ? body : {};
  const ctx = contextOf(options);
  const filter =
    b.filter === undefined || b.filter === null ? null : parseFilter(b.filter, ['filter'], 0, schema, ctx);
  return { filter, sorts: parseSorts(b.sorts, schema, ctx) };
}

/**
 * Parses one filter found at `path` in the body, with the same rules as a query's `filter`
 * (a view's quick filter, whose condition names its property by the map's key).
 */
export function parseFilterAt(
  raw: unknown,
  path: PathSegment[],
  schema: DataSourceSchema,
  options: ParseOptions,
): Filter {
  return parseFilter(raw, path, 0, schema, contextOf(options));
}

function contextOf(options: ParseOptions): ConditionContext {
  return {
    meUserId: options.meUserId,
    ...(options.computed ? { computed: options.computed } : {}),
    ...(options.exprs ? { exprs: options.exprs } : {}),
    ...(options.relations ? { relations: options.relations } : {}),
    ...(options.rolledExprs ? { rolledExprs: options.rolledExprs } : {}),
    ...(options.rolled ? { rolled: options.rolled } : {}),
    ...(options.rolledKinds ? { rolledKinds: options.rolledKinds } : {}),
    ...(options.quantified ? { quantified: options.quantified } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decode(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

/** Finds a property by exact name, else by URL-decoded id. */
export function findProperty(schema: DataSourceSchema, nameOrId: string): SchemaProperty | undefined {
  const byName = Object.values(schema).find((p) => p.name === nameOrId) ?? schema[nameOrId];
  if (byName) return byName;
  const id = decode(nameOrId);
  return Object.values(schema).find((p) => decode(p.id) === id);
}

function rejectExtraKeys(
  raw: Record<string, unknown>,
  allowed: readonly string[],
  path: PathSegment[],
): void {
  const extra = Object.keys(raw).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw bodyError([...path, extra], 'should be not present', raw[extra]);
}

function parseFilter(
  raw: unknown,
  path: PathSegment[],
  depth: number,
  schema: DataSourceSchema,
  ctx: ConditionContext,
): Filter {
  if (!isObject(raw)) throw bodyError(path, 'should be an object', raw);
  if ('and' in raw || 'or' in raw) {
    const kind = 'and' in raw ? 'and' : 'or';
    rejectExtraKeys(raw, [kind], path);
    const list = raw[kind];
    if (depth >= MAX_COMPOUND_DEPTH) throw bodyError([...path, kind], 'should be not present', list);
    if (!Array.isArray(list)) throw bodyError([...path, kind], 'should be an array', list);
    const filters = list.map((f, i) => parseFilter(f, [...path, kind, i], depth + 1, schema, ctx));
    return { kind, filters };
  }
  if ('timestamp' in raw) return parseTimestampFilter(raw, path, ctx);
  if (!('property' in raw)) throw bodyError([...path, 'property'], 'should be defined', undefined);
  return parsePropertyFilter(raw, path, schema, ctx);
}

function parseTimestampFilter(
  raw: Record<string, unknown>,
  path: PathSegment[],
  ctx: ConditionContext,
): Filter {
  const ts = raw.timestamp;
  if (!(TIMESTAMPS as readonly unknown[]).includes(ts)) {
    throw bodyError([...path, 'timestamp'], 'should be `"created_time"` or `"last_edited_time"`', ts);
  }
  const name = ts as TimestampName;
  rejectExtraKeys(raw, ['timestamp', 'type', name], path);
  if (raw.type !== undefined && raw.type !== name)
    throw bodyError([...path, 'type'], `should be \`"${name}"\``, raw.type);
  if (raw[name] === undefined) throw bodyError([...path, name], 'should be defined', undefined);
  return parseCondition('date', name, { source: 'row', column: name }, raw[name], [...path, name], ctx);
}

/** The condition family and type a property's filter uses (row-mapped types included). */
function conditionFamily(type: string): { family: Family; type: string } {
  if (type === 'created_time' || type === 'last_edited_time') return { family: 'date', type };
  if (type === 'created_by' || type === 'last_edited_by') return { family: 'multi', type: 'people' };
  return { family: familyOf(type), type };
}

function mismatch(propType: string, key: string) {
  const filterName = TEXT_KEYS.has(key) ? 'text' : key;
  return errors.validation(
    `The property type in the database does not match the property type of the filter provided: database property ${propType} does not match filter ${filterName}`,
  );
}

function keyMatches(propType: string, key: string): boolean {
  return key === propType || (TEXT_KEYS.has(key) && TEXT_KEYS.has(propType));
}

function parsePropertyFilter(
  raw: Record<string, unknown>,
  path: PathSegment[],
  schema: DataSourceSchema,
  ctx: ConditionContext,
): Filter {
  const name = raw.property;
  if (typeof name !== 'string') throw bodyError([...path, 'property'], 'should be a string', name);
  const prop = findProperty(schema, name);
  if (!prop) throw errors.validation(`Could not find property with name or id: ${name}`);
  const keys = Object.keys(raw).filter((k) => k !== 'property' && k !== 'type');
  const unknown = keys.find((k) => !FILTER_KEYS.has(k));
  if (unknown !== undefined) throw bodyError([...path, unknown], 'should be not present', raw[unknown]);
  const key = keys[0];
  if (key === undefined) throw bodyError([...path, prop.type], 'should be defined', undefined);
  if (keys.length > 1) throw bodyError([...path, keys[1]!], 'should be not present', raw[keys[1]!]);
  if (raw.type !== undefined && raw.type !== key)
    throw bodyError([...path, 'type'], `should be \`"${key}"\``, raw.type);
  if (!keyMatches(prop.type, key)) throw mismatch(prop.type, key);
  if (prop.type === 'formula' || prop.type === 'rollup') {
    return parseComputedFilter(prop, raw[key], [...path, key], ctx);
  }
  const { family, type } = conditionFamily(prop.type);
  return parseCondition(family, type, targetOf(prop), raw[key], [...path, key], ctx);
}

/**
 * `{"formula": {"number": {…}}}` / `{"rollup": {"date": {…}}}`: the sub-filter must fit what the
 * property yields; it then reads the computed value like a property of that type.
 */
function parseComputedFilter(
  prop: SchemaProperty,
  raw: unknown,
  path: PathSegment[],
  ctx: ConditionContext,
): Filter {
  const kind = ctx.computed?.get(prop.id);
  if (!isObject(raw)) throw bodyError(path, 'should be an object', raw);
  const allowed =
    prop.type === 'formula'
      ? ['string', 'number', 'checkbox', 'date']
      : ['number', 'date', 'any', 'every', 'none'];
  const keys = Object.keys(raw);
  if (keys.length !== 1 || !allowed.includes(keys[0]!)) {
    throw bodyError(path, `should have exactly one of ${allowed.map((k) => `\`${k}\``).join(', ')}`, raw);
  }
  const sub = keys[0]!;
  if (sub === 'any' || sub === 'every' || sub === 'none')
    return parseQuantified(prop, sub, raw[sub], [...path, sub], ctx);
  const expected = kind ? COMPUTED_FILTER_KEY[kind] : undefined;
  if (!kind || expected !== sub) {
    throw errors.validation(
      `The ${prop.type} result type does not match the filter: ${prop.type} ${prop.name} yields ${kind ?? 'no value'}, filter is ${sub}.`,
    );
  }
  const type = COMPUTED_COLUMN_TYPE[kind]!;
  return parseCondition(
    familyOf(type),
    type,
    computedTarget(prop.id, type, ctx),
    raw[sub],
    [...path, sub],
    ctx,
  );
}

/**
 * `{"rollup": {"any": {"number": {…}}}}`: the inner condition is one on the rolled-up property
 * (its own filter key), tested on each related page; the leaf reads a checkbox column the caller
 * fills with the quantified answer.
 */
function parseQuantified(
  prop: SchemaProperty,
  mode: 'any' | 'every' | 'none',
  raw: unknown,
  path: PathSegment[],
  ctx: ConditionContext,
): Filter {
  const rolled = ctx.rolled?.get(prop.id);
  if (!rolled || !ctx.quantified) {
    throw errors.validation(`Rollup ${prop.name} does not name a property that can be filtered.`);
  }
  if (!isObject(raw)) throw bodyError(path, 'should be an object', raw);
  const keys = Object.keys(raw);
  if (keys.length !== 1) throw bodyError(path, 'should have exactly one condition', raw);
  const key = keys[0]!;
  if (rolled.type === 'formula' || rolled.type === 'rollup')
    return parseQuantifiedComputed(prop, rolled, mode, raw, key, path, ctx);
  if (conditionFamily(rolled.type).family === 'none') {
    throw errors.validation(`Rollup filters over ${rolled.type} properties are not supported yet.`);
  }
  if (!keyMatches(rolled.type, key)) throw mismatch(rolled.type, key);
  const { family, type } = conditionFamily(rolled.type);
  const filter = parseCondition(family, type, targetOf(rolled), raw[key], [...path, key], ctx);
  const rel = ctx.relations?.get(prop.id);
  if (rel) {
    // Run in SQL: a correlated subquery over the related rows (formula-sql.ts).
    const expr: FExpr = { t: 'bool', k: 'quant', mode, rel, filter };
    return {
      kind: 'checkbox',
      target: { source: 'expr', id: prop.id, expr, type: 'checkbox' },
      op: 'equals',
      value: true,
    };
  }
  const id = `${prop.id}:${mode}:${ctx.quantified.size}`;
  ctx.quantified.set(id, { rollupId: prop.id, mode, filter });
  return {
    kind: 'checkbox',
    target: { source: 'property', id, type: 'checkbox' },
    op: 'equals',
    value: true,
  };
}

/** The `any` / `every` / `none` key of each formula result kind (the rollup sub-filter keys). */
const QUANTIFIED_FORMULA_KEY: Partial<Record<ComputedKind, string>> = {
  string: 'rich_text',
  number: 'number',
  boolean: 'checkbox',
  date: 'date',
};

/**
 * `any` / `every` / `none` over a rolled-up formula or rollup: the condition is the key of what
 * it yields (`rich_text` for text, as the rollup sub-filters name it; `number` or `date` for a
 * rollup), read from the related page's computed value; always by the evaluator (ops/query.ts
 * computes the related pages' formula or rollup).
 */
function parseQuantifiedComputed(
  prop: SchemaProperty,
  rolled: { readonly id: string; readonly type: string; readonly name?: unknown },
  mode: 'any' | 'every' | 'none',
  raw: Record<string, unknown>,
  key: string,
  path: PathSegment[],
  ctx: ConditionContext,
): Filter {
  const kind = ctx.rolledKinds?.get(prop.id);
  const expected = kind ? QUANTIFIED_FORMULA_KEY[kind] : undefined;
  if (!kind || !expected) {
    throw errors.validation(
      `Rollup filters over ${rolled.type}s that yield ${kind ?? 'no value'} are not supported.`,
    );
  }
  if (key !== expected) {
    throw errors.validation(
      `The rollup result type does not match the filter: rollup ${prop.name} rolls up ${rolled.type} ${String(rolled.name)}, which yields ${kind}; filter is ${key}.`,
    );
  }
  const type = COMPUTED_COLUMN_TYPE[kind]!;
  const inner = ctx.rolledExprs?.get(prop.id);
  const rel = ctx.relations?.get(prop.id);
  const fits = { number: 'number', date: 'date' }[type];
  if (inner && rel && fits === inner.t) {
    // Run in SQL: the rolled-up rollup computed on each related row, inside the condition.
    const target: Target = { source: 'expr', id: rolled.id, expr: inner, type: type as 'number' | 'date' };
    const filter = parseCondition(familyOf(type), type, target, raw[key], [...path, key], ctx);
    const expr: FExpr = { t: 'bool', k: 'quant', mode, rel, filter };
    return {
      kind: 'checkbox',
      target: { source: 'expr', id: prop.id, expr, type: 'checkbox' },
      op: 'equals',
      value: true,
    };
  }
  const filter = parseCondition(
    familyOf(type),
    type,
    { source: 'property', id: rolled.id, type },
    raw[key],
    [...path, key],
    ctx,
  );
  const id = `${prop.id}:${mode}:${ctx.quantified!.size}`;
  ctx.quantified!.set(id, { rollupId: prop.id, mode, filter, formula: { id: rolled.id, kind } });
  return {
    kind: 'checkbox',
    target: { source: 'property', id, type: 'checkbox' },
    op: 'equals',
    value: true,
  };
}

/** A computed property's target: its SQL expression when it has one, else its computed column. */
function computedTarget(id: string, type: string, ctx: ConditionContext): Target {
  const expr = ctx.exprs?.get(id);
  const fits: Record<string, string> = { number: 'number', checkbox: 'bool', url: 'text', date: 'date' };
  if (expr && fits[type] === expr.t)
    return { source: 'expr', id, expr, type: type as 'number' | 'checkbox' | 'url' | 'date' };
  return { source: 'property', id, type };
}

function parseSorts(raw: unknown, schema: DataSourceSchema, ctx: ConditionContext): Sort[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw bodyError(['sorts'], 'should be an array', raw);
  return raw.map((s, i) => parseSort(s, ['sorts', i], schema, ctx));
}

function parseSort(raw: unknown, path: PathSegment[], schema: DataSourceSchema, ctx: ConditionContext): Sort {
  if (!isObject(raw)) throw bodyError(path, 'should be an object', raw);
  const direction = raw.direction;
  const ts = 'timestamp' in raw;
  rejectExtraKeys(raw, [ts ? 'timestamp' : 'property', 'direction'], path);
  if (direction !== 'ascending' && direction !== 'descending') {
    throw bodyError([...path, 'direction'], 'should be `"ascending"` or `"descending"`', direction);
  }
  if (ts) {
    if (!(TIMESTAMPS as readonly unknown[]).includes(raw.timestamp)) {
      throw bodyError(
        [...path, 'timestamp'],
        'should be `"created_time"` or `"last_edited_time"`',
        raw.timestamp,
      );
    }
    return { target: { source: 'row', column: raw.timestamp as TimestampName }, direction };
  }
  const name = raw.property;
  if (name === undefined) throw bodyError([...path, 'property'], 'should be defined', undefined);
  if (typeof name !== 'string') throw bodyError([...path, 'property'], 'should be a string', name);
  const prop = findProperty(schema, name);
  if (!prop) throw errors.validation(`Could not find sort property with name or id: ${name}`);
  if (prop.type === 'formula' || prop.type === 'rollup') {
    const kind = ctx.computed?.get(prop.id);
    const type = kind ? COMPUTED_COLUMN_TYPE[kind] : undefined;
    if (!type)
      throw errors.validation(
        `Sorting by this ${prop.type} property is not supported: it yields ${kind ?? 'no value'}.`,
      );
    return { target: computedTarget(prop.id, type, ctx), direction };
  }
  if (familyOf(prop.type) === 'none') {
    throw errors.validation(`Sorting by ${prop.type} properties is not supported yet.`);
  }
  const optionOrder = familyOf(prop.type) === 'option' ? optionNames(prop) : undefined;
  return { target: targetOf(prop), direction, ...(optionOrder ? { optionOrder } : {}) };
}

function optionNames(prop: SchemaProperty): string[] {
  const config = prop[prop.type] as { options?: { name?: unknown }[] } | undefined;
  return (config?.options ?? []).map((o) => o?.name).filter((n): n is string => typeof n === 'string');
}
