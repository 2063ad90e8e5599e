/**
 * Formula values of pages, computed at read time (so `now()` and related pages are always
 * current). Evaluation is synchronous over a "world" of loaded rows, users and schemas; a pass
 * that reaches a related row or user not loaded yet records it, the rows are loaded, and the
 * pass is repeated (one pass per relation level, capped).
 */

import {
  apiKind,
  type CompiledFormula,
  evaluate,
  FormulaError,
  formulaApiError,
  type PageV,
  renderResult,
  type Value,
} from '../domain/formula/index.ts';
import { FAIL } from '../domain/formula/values.ts';
import { relationTargets, schemaLookup, simpleValue } from '../domain/properties/formulas.ts';
import {
  computeRollup,
  type RolledItem,
  type RollupConfig,
  type RollupFunction,
  type RollupResult,
  rollupKind,
} from '../domain/properties/rollups.ts';
import {
  findProperty,
  findPropertyById,
  type PropertySchema,
  payloadOf,
  type Schema,
} from '../domain/properties/types.ts';
import type { StoredValues } from '../domain/properties/values.ts';
import { plainText, type RichText } from '../domain/rich-text.ts';
import type { RowSource } from '../present/page.present.ts';
import { MAX_REFERENCES, propertyValue } from '../present/property-values.present.ts';
import { columnStem, familyOf, rowTableName } from '../query/columns.ts';
import type { ComputedKind } from '../query/conditions.ts';
import {
  type FExpr,
  formulaToSql,
  MAX_SQL_SIZE,
  type OptionRef,
  type PropResolver,
  type RelationList,
  type RelationRef,
  type RolledColumn,
  type RollupFn,
  readsRow,
  sqlSize,
} from '../query/formula-sql.ts';
import type { BlockRow, StoreTx, UserRow } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { canSee, type OpEnv } from './env.ts';

/** Evaluation zone through the API (notion-formulas.md §6.2: UTC). */
export const FORMULA_TIME_ZONE = 'UTC';
const MAX_PASSES = 8;
const MAX_DEPTH = 64;

interface Rec {
  row: BlockRow;
  source?: RowSource;
}

class World {
  readonly schemas = new Map<string, Schema>();
  readonly rows = new Map<string, BlockRow | null>();
  readonly users = new Map<string, UserRow | null>();
  missingRows = new Set<string>();
  missingUsers = new Set<string>();
  private memo = new Map<string, Value>();
  private busy = new Set<string>();
  private depth = 0;
  private lookups = new Map<string, ReturnType<typeof schemaLookup>>();
  private parsed = new Map<string, StoredValues>();
  private readonly now: number;
  constructor(now: number) {
    this.now = now;
  }

  newPass() {
    this.memo.clear();
    this.missingRows = new Set();
    this.missingUsers = new Set();
  }

  lookup(ds: string) {
    let l = this.lookups.get(ds);
    if (!l) {
      l = schemaLookup(this.schemas, ds);
      this.lookups.set(ds, l);
    }
    return l;
  }

  resetLookups() {
    this.lookups.clear();
  }

  compiled(ds: string, prop: PropertySchema): CompiledFormula | FormulaError {
    try {
      return this.lookup(ds).compiled(ds, prop);
    } catch (e) {
      if (e instanceof FormulaError) return e;
      throw e;
    }
  }

  stored(row: BlockRow): StoredValues {
    let v = this.parsed.get(row.id);
    if (!v) {
      v = (row.properties ? JSON.parse(row.properties) : {}) as StoredValues;
      this.parsed.set(row.id, v);
    }
    return v;
  }

  page(row: BlockRow): PageV {
    const ds = row.parent_id ?? '';
    const schema = this.schemas.get(ds) ?? [];
    const title = schema.find((p) => p.type === 'title');
    const t = title ? this.stored(row)[title.id]?.title : undefined;
    return {
      kind: 'page',
      id: row.id,
      dataSourceId: ds,
      title: plainText((t as RichText | undefined) ?? []),
      prop: (id) => this.value(row, id),
    };
  }

  person(id: string | null | undefined): Value {
    if (!id) return null;
    const u = this.users.get(id);
    if (u === undefined) {
      this.missingUsers.add(id);
      return FAIL('user not loaded');
    }
    return u ? { kind: 'person', id: u.id, name: u.name, email: u.email } : null;
  }

  value(row: BlockRow, ref: string): Value {
    const schema = this.schemas.get(row.parent_id ?? '');
    if (!schema) return null;
    const prop = ref.startsWith('name:') ? findProperty(schema, ref.slice(5)) : findPropertyById(schema, ref);
    if (!prop) return null;
    const stored = this.stored(row)[prop.id];
    const raw = stored && stored.type === prop.type ? stored[prop.type] : undefined;
    const simple = simpleValue(prop, raw);
    if (simple !== undefined) return simple;
    switch (prop.type) {
      case 'created_time':
        return { kind: 'date', start: Date.parse(row.created_time), hasTime: true };
      case 'last_edited_time':
        return { kind: 'date', start: Date.parse(row.last_edited_time), hasTime: true };
      case 'created_by':
        return this.person(row.created_by);
      case 'last_edited_by':
        return this.person(row.last_edited_by);
      case 'people': {
        const out = ((raw as { id: string }[] | undefined) ?? []).map((p) => this.person(p.id));
        return out.some((v) => v !== null && typeof v === 'object' && 'kind' in v && v.kind === 'fail')
          ? FAIL('users not loaded')
          : out.filter((v) => v !== null);
      }
      case 'relation': {
        const ids = ((raw as { id: string }[] | undefined) ?? []).map((r) => r.id);
        const pages: Value[] = [];
        let missing = false;
        for (const id of ids) {
          const r = this.rows.get(id);
          if (r === undefined) {
            this.missingRows.add(id);
            missing = true;
          } else if (r && r.in_trash !== 1) pages.push(this.page(r));
        }
        return missing ? FAIL('rows not loaded') : pages;
      }
      case 'formula':
        return this.formula(row, prop).value;
      case 'rollup':
        return this.rollup(row, prop).value;
      default:
        return null;
    }
  }

  /** Related rows of `row` through relation `relationId`; undefined while some are not loaded. */
  related(
    row: BlockRow,
    relationId: string | undefined,
    limit = Number.POSITIVE_INFINITY,
  ): BlockRow[] | undefined {
    const stored = relationId ? this.stored(row)[relationId] : undefined;
    // Only the first `limit` are loaded: a page object's rollup over 10,000 pages reads 25.
    const ids = ((stored?.relation as { id: string }[] | undefined) ?? []).slice(0, limit).map((r) => r.id);
    const out: BlockRow[] = [];
    let missing = false;
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r === undefined) {
        this.missingRows.add(id);
        missing = true;
      } else if (r && r.in_trash !== 1) out.push(r);
    }
    return missing ? undefined : out;
  }

  /**
   * A rollup of `row`: over the first `limit` related pages (page objects use 25), with the
   * value formulas see (always over all related pages) and the response-form result.
   */
  rollup(
    row: BlockRow,
    prop: PropertySchema,
    limit = Number.POSITIVE_INFINITY,
  ): { value: Value; result: RollupResult; items: RolledItem[]; rolled?: PropertySchema } {
    const cfg = payloadOf<Partial<RollupConfig>>(prop);
    const fn = (cfg.function ?? 'count') as RollupFunction;
    const schema = this.schemas.get(row.parent_id ?? '') ?? [];
    const relation = schema.find((p) => p.id === cfg.relation_property_id && p.type === 'relation');
    const target = relation ? payloadOf<{ data_source_id?: string }>(relation).data_source_id : undefined;
    const rolled = target
      ? this.schemas.get(target)?.find((p) => p.id === cfg.rollup_property_id)
      : undefined;
    const key = `${row.id}\u0000${prop.id}\u0000${limit}`;
    if (!relation || !rolled || this.busy.has(key) || this.depth >= MAX_DEPTH) {
      const empty = computeRollup(fn, [], FORMULA_TIME_ZONE);
      return { ...empty, items: [] };
    }
    const rows = this.related(row, relation.id, limit);
    if (!rows)
      return {
        value: FAIL('rows not loaded'),
        result: computeRollup(fn, [], FORMULA_TIME_ZONE).result,
        items: [],
      };
    this.busy.add(key);
    this.depth++;
    try {
      const items = rows
        .slice(0, limit)
        .map((r) => ({ value: this.value(r, rolled.id), item: this.item(r, rolled) }));
      const { result, value } = computeRollup(fn, items, FORMULA_TIME_ZONE);
      return { value, result, items, rolled };
    } finally {
      this.busy.delete(key);
      this.depth--;
    }
  }

  /** A related page's value of `prop` in response form without `id` (rollup array items, §8.4). */
  item(row: BlockRow, prop: PropertySchema): unknown {
    if (prop.type === 'formula') {
      const { value, compiled } = this.formula(row, prop);
      return {
        type: 'formula',
        formula: renderResult(value, compiled?.type ?? { t: 'any' }, FORMULA_TIME_ZONE),
      };
    }
    if (prop.type === 'rollup') return { type: 'rollup', rollup: this.rollup(row, prop).result };
    return { type: prop.type, [prop.type]: propertyValue(prop, this.stored(row)[prop.id], row) };
  }

  formula(row: BlockRow, prop: PropertySchema): { value: Value; compiled?: CompiledFormula } {
    const ds = row.parent_id ?? '';
    const c = this.compiled(ds, prop);
    if (c instanceof FormulaError) return { value: null };
    const key = `${row.id}\u0000${prop.id}`;
    const memo = this.memo.get(key);
    if (memo !== undefined) return { value: memo, compiled: c };
    // A cycle that slips through (through relations) or a chain too deep is empty (§7.7).
    if (this.busy.has(key) || this.depth >= MAX_DEPTH) return { value: null, compiled: c };
    this.busy.add(key);
    this.depth++;
    try {
      const value = evaluate(c.root, { now: this.now, timeZone: FORMULA_TIME_ZONE, page: this.page(row) });
      this.memo.set(key, value);
      return { value, compiled: c };
    } finally {
      this.busy.delete(key);
      this.depth--;
    }
  }
}

async function loadSchemas(tx: StoreTx, world: World, start: Iterable<string>): Promise<void> {
  const queue = [...start];
  while (queue.length > 0 && world.schemas.size < 64) {
    const id = queue.shift()!;
    if (world.schemas.has(id)) continue;
    const ds = await tx.blocks.get(id);
    if (ds?.type !== 'data_source') continue;
    const schema = ds.properties ? (JSON.parse(ds.properties) as Schema) : [];
    world.schemas.set(id, schema);
    world.resetLookups();
    queue.push(...relationTargets(schema));
  }
}

/**
 * Computes the formula properties of `records` and attaches them to their sources
 * (`source.computed`, keyed by property id, as the API renders them). Records without formulas
 * are returned unchanged.
 */
export async function withComputed<R extends Rec>(
  tx: StoreTx,
  env: OpEnv,
  records: R[],
  options: { rollupLimit?: number; only?: ReadonlySet<string> } = { rollupLimit: MAX_REFERENCES },
): Promise<R[]> {
  // The rows of a query share one schema: each is looked through once, not once per row.
  const computes = new Map<Schema, boolean>();
  const targets = records.filter((r) => {
    const schema = r.source?.schema;
    if (!schema) return false;
    let yes = computes.get(schema);
    if (yes === undefined) {
      yes = schema.some((p) => p.type === 'formula' || p.type === 'rollup');
      computes.set(schema, yes);
    }
    return yes;
  });
  if (targets.length === 0) return records;
  const world = await worldFor(tx, env, targets);
  let results = new Map<string, Map<string, unknown>>();
  await settle(tx, env, world, () => {
    results = new Map();
    for (const r of targets) {
      const out = new Map<string, unknown>();
      for (const p of r.source!.schema) {
        if (options.only && !options.only.has(p.id)) continue;
        if (p.type === 'rollup') {
          out.set(p.id, world.rollup(r.row, p, options.rollupLimit).result);
          continue;
        }
        if (p.type !== 'formula') continue;
        const { value, compiled } = world.formula(r.row, p);
        out.set(
          p.id,
          renderResult(
            value,
            compiled?.type ?? { t: 'any' },
            FORMULA_TIME_ZONE,
            Number.isFinite(options.rollupLimit ?? Number.POSITIVE_INFINITY)
              ? options.rollupLimit
              : undefined,
          ),
        );
      }
      results.set(r.row.id, out);
    }
  });
  return records.map((r) => {
    const computed = results.get(r.row.id);
    return computed && r.source ? { ...r, source: { ...r.source, computed } } : r;
  });
}

async function worldFor(tx: StoreTx, env: OpEnv, targets: Rec[]): Promise<World> {
  const world = new World(Date.parse(env.now));
  for (const r of targets) {
    world.schemas.set(r.source!.dataSourceId, r.source!.schema);
    world.rows.set(r.row.id, r.row);
  }
  await loadSchemas(
    tx,
    world,
    targets.flatMap((r) => relationTargets(r.source!.schema)),
  );
  return world;
}

/** Runs `pass` until it reaches no row or user that is not loaded yet (one pass per level). */
async function settle(tx: StoreTx, env: OpEnv, world: World, pass: () => void): Promise<void> {
  for (let n = 0; n < MAX_PASSES; n++) {
    world.newPass();
    pass();
    if (world.missingRows.size === 0 && world.missingUsers.size === 0) return;
    const rowIds = [...world.missingRows];
    const loaded = await tx.blocks.getMany(rowIds);
    for (const id of rowIds) world.rows.set(id, null);
    // A related page the integration cannot see reads as one that does not exist (env.ts canSee).
    for (const row of loaded) if (await canSee(tx, env, row.id)) world.rows.set(row.id, row);
    await loadSchemas(
      tx,
      world,
      loaded.map((row) => row.parent_id ?? '').filter((id) => id && !world.schemas.has(id)),
    );
    for (const id of world.missingUsers) world.users.set(id, (await tx.users.get(id)) ?? null);
  }
}

/**
 * A rollup of one page over all its related pages, for the property item endpoint: the result
 * and the related values in response form (with the rolled-up property's id and type).
 */
export async function rollupInFull(
  tx: StoreTx,
  env: OpEnv,
  record: Rec,
  prop: PropertySchema,
): Promise<{ result: RollupResult; items: { id: string; type: string; [k: string]: unknown }[] }> {
  const world = await worldFor(tx, env, [record]);
  let out: ReturnType<World['rollup']> | undefined;
  await settle(tx, env, world, () => {
    out = world.rollup(record.row, prop);
  });
  const rolled = out?.rolled;
  return {
    result: out!.result,
    items: rolled ? out!.items.map((i) => ({ ...(i.item as { type: string }), id: rolled.id })) : [],
  };
}

/**
 * What each formula and rollup of `source` yields, as the API types it; the formulas and rollups
 * that compile to SQL (formula-sql.ts), and the relations whose related rows SQL may read (the
 * related data source is visible to the integration as a whole), for queries.
 */
export async function computedKinds(
  tx: StoreTx,
  env: OpEnv,
  source: RowSource,
): Promise<{
  kinds: Map<string, ComputedKind>;
  exprs: Map<string, FExpr>;
  relations: Map<string, RelationRef>;
  /** The rolled-up rollup of a rollup as SQL over the related row, by rollup id (when it has one). */
  rolledExprs: Map<string, FExpr>;
  rolled: Map<string, PropertySchema>;
  /**
   * What each rolled-up formula or rollup yields, by rollup id (rollup `any` / `every` / `none`
   * over it).
   */
  rolledKinds: Map<string, ComputedKind>;
  schemas: ReadonlyMap<string, Schema>;
}> {
  const out = new Map<string, ComputedKind>();
  const exprs = new Map<string, FExpr>();
  const relations = new Map<string, RelationRef>();
  const rolledExprs = new Map<string, FExpr>();
  const rolled = new Map<string, PropertySchema>();
  const rolledKinds = new Map<string, ComputedKind>();
  const props = source.schema.filter((p) => p.type === 'formula' || p.type === 'rollup');
  if (props.length === 0)
    return { kinds: out, exprs, relations, rolledExprs, rolled, rolledKinds, schemas: new Map() };
  const world = await worldFor(tx, env, [{ row: { parent_id: source.dataSourceId } as BlockRow, source }]);
  const visible = new Set<string>();
  for (const target of relationTargets(source.schema))
    if (world.schemas.has(target) && (await canSee(tx, env, target))) visible.add(target);
  const sqlOf = sqlResolver(world, source, visible);
  for (const p of props) {
    if (p.type === 'rollup') {
      const cfg = payloadOf<Partial<RollupConfig>>(p);
      out.set(p.id, !cfg.function ? 'unsupported' : rollupKind(cfg.function));
      const rel = source.schema.find((q) => q.id === cfg.relation_property_id);
      const target = rel && payloadOf<{ data_source_id?: string }>(rel).data_source_id;
      const prop = target && world.schemas.get(target)?.find((q) => q.id === cfg.rollup_property_id);
      if (prop) rolled.set(p.id, prop);
      if (prop && prop.type === 'formula' && target) {
        const c = world.compiled(target, prop);
        rolledKinds.set(p.id, c instanceof FormulaError ? 'string' : apiKind(c.type));
      }
      if (prop && prop.type === 'rollup') {
        const fn = payloadOf<Partial<RollupConfig>>(prop).function;
        rolledKinds.set(p.id, fn ? rollupKind(fn) : 'unsupported');
      }
      if (rel && target && visible.has(target)) {
        relations.set(p.id, { col: columnStem(rel.id), table: rowTableName(target) });
        if (prop && prop.type === 'rollup') {
          // The rolled-up rollup in SQL over the related row, when its own relation's data
          // source is visible as a whole too.
          const schema = world.schemas.get(target) ?? [];
          const seen = new Set<string>();
          for (const t of relationTargets(schema))
            if (world.schemas.has(t) && (await canSee(tx, env, t))) seen.add(t);
          const inner = sqlResolver(world, { schema, dataSourceId: target, databaseId: '' }, seen)(prop.id);
          if (inner && inner.t !== 'option' && inner.k === 'rollup') rolledExprs.set(p.id, inner);
        }
      }
    } else {
      const c = world.compiled(source.dataSourceId, p);
      out.set(p.id, c instanceof FormulaError ? 'string' : apiKind(c.type));
    }
    const e = sqlOf(p.id);
    if (e && e.t !== 'option' && readsRow(e)) exprs.set(p.id, e);
  }
  return { kinds: out, exprs, relations, rolledExprs, rolled, rolledKinds, schemas: world.schemas };
}

const TEXT_TYPES = new Set(['title', 'rich_text', 'url', 'email', 'phone_number']);
const NUMBER_FNS = new Set(['sum', 'average', 'median', 'min', 'max', 'range']);
const CHECK_FNS = new Set(['checked', 'unchecked', 'percent_checked', 'percent_unchecked']);
const DATE_FNS = new Set(['earliest_date', 'latest_date', 'date_range']);
const ANY_FNS = new Set([
  'count',
  'count_values',
  'empty',
  'not_empty',
  'percent_empty',
  'percent_not_empty',
]);

/** The rolled-up column of a property of the related table, when SQL reads it as the evaluator does. */
function rolledColumn(prop: PropertySchema): RolledColumn | undefined {
  const stem = columnStem(prop.id);
  if (prop.type === 'number') return { family: 'number', col: stem };
  if (prop.type === 'checkbox') return { family: 'checkbox', col: stem };
  if (prop.type === 'date') return { family: 'date', lo: `${stem}_lo`, hi: `${stem}_hi` };
  if (TEXT_TYPES.has(prop.type)) return { family: 'text', col: stem };
  if (familyOf(prop.type) === 'option') return { family: 'option', col: stem };
  return undefined;
}

/** Whether rollup function `fn` over a column of `family` has an SQL form (formula-sql.ts). */
function rollupInSql(fn: string, family: RolledColumn['family']): boolean {
  if (ANY_FNS.has(fn)) return true;
  if (fn === 'unique') return family === 'number' || family === 'option' || family === 'date';
  if (NUMBER_FNS.has(fn)) return family === 'number';
  if (CHECK_FNS.has(fn)) return family === 'checkbox';
  return DATE_FNS.has(fn) && family === 'date';
}

/**
 * Resolves the properties of `source` to their SQL expressions (undefined: evaluator only).
 * Rollups and list functions over related pages (formula-sql.ts `agg`) read only the data
 * sources of `visible` (seen as a whole by the integration, as the evaluator would see every
 * page of them); `lists` false: no list function over related pages (the related pages' own
 * properties, one level of traversal only).
 */
function sqlResolver(
  world: World,
  source: RowSource,
  visible: ReadonlySet<string>,
  lists = true,
): PropResolver {
  const memo = new Map<string, FExpr | OptionRef | undefined>();
  const busy = new Set<string>();
  const targets = new Map<string, PropResolver>();
  const relation = (id: string): RelationList | undefined => {
    const p = lists ? findPropertyById(source.schema, id) : undefined;
    if (p?.type !== 'relation') return undefined;
    const target = payloadOf<{ data_source_id?: string }>(p).data_source_id;
    const schema = target && world.schemas.get(target);
    if (!target || !schema || !visible.has(target)) return undefined;
    let prop = targets.get(target);
    if (!prop) {
      // The related pages' properties without rollups nor relations of their own.
      prop = sqlResolver(world, { schema, dataSourceId: target, databaseId: '' }, new Set(), false);
      targets.set(target, prop);
    }
    return { rel: { col: columnStem(p.id), table: rowTableName(target) }, prop };
  };
  const resolve = (id: string): FExpr | OptionRef | undefined => {
    if (memo.has(id)) return memo.get(id);
    const p = findPropertyById(source.schema, id);
    if (!p || busy.has(id)) return undefined;
    busy.add(id);
    try {
      const e = build(p);
      memo.set(id, e);
      return e;
    } finally {
      busy.delete(id);
    }
  };
  const build = (p: PropertySchema): FExpr | OptionRef | undefined => {
    const stem = columnStem(p.id);
    if (p.type === 'number') return { t: 'number', k: 'col', col: stem };
    if (p.type === 'checkbox') return { t: 'bool', k: 'col', col: stem };
    if (p.type === 'date') return { t: 'date', k: 'dcol', lo: `${stem}_lo`, hi: `${stem}_hi` };
    if (TEXT_TYPES.has(p.type)) return { t: 'text', k: 'col', col: stem };
    // Select and status: compared by name only (formula-sql.ts OptionRef).
    if (familyOf(p.type) === 'option') return { t: 'option', col: stem };
    if (p.type === 'formula') {
      const c = world.compiled(source.dataSourceId, p);
      if (c instanceof FormulaError) return undefined;
      const e = formulaToSql(c.root, resolve, relation);
      if (e && sqlSize(e) > MAX_SQL_SIZE) return undefined;
      const want = { number: 'number', string: 'text', boolean: 'bool', date: 'date' }[
        apiKind(c.type) as string
      ];
      return e && e.t === want ? e : undefined;
    }
    if (p.type !== 'rollup') return undefined;
    const cfg = payloadOf<Partial<RollupConfig>>(p);
    const rel = source.schema.find((q) => q.id === cfg.relation_property_id && q.type === 'relation');
    const target = rel && payloadOf<{ data_source_id?: string }>(rel).data_source_id;
    if (!rel || !target || !visible.has(target) || !cfg.function) return undefined;
    const prop = world.schemas.get(target)?.find((q) => q.id === cfg.rollup_property_id);
    const v = prop && rolledColumn(prop);
    if (!v || !rollupInSql(cfg.function, v.family)) return undefined;
    return {
      t: DATE_FNS.has(cfg.function) ? 'date' : 'number',
      k: 'rollup',
      fn: cfg.function as RollupFn,
      rel: { col: columnStem(rel.id), table: rowTableName(target) },
      v,
    };
  };
  return resolve;
}

/** The live related rows of each record through each relation of `relationIds`. */
export async function relatedRows(
  tx: StoreTx,
  env: OpEnv,
  records: Rec[],
  relationIds: ReadonlySet<string>,
): Promise<Map<string, Map<string, BlockRow[]>>> {
  const out = new Map<string, Map<string, BlockRow[]>>();
  if (relationIds.size === 0 || records.length === 0) return out;
  const world = await worldFor(tx, env, records);
  await settle(tx, env, world, () => {
    for (const r of records) {
      const byRelation = new Map<string, BlockRow[]>();
      for (const id of relationIds) byRelation.set(id, world.related(r.row, id) ?? []);
      out.set(r.row.id, byRelation);
    }
  });
  return out;
}

/** The property id a condition formula is computed under (never a real property's id). */
const CONDITION_ID = 'octavo:condition';

function conditionProperty(expression: string): PropertySchema {
  return {
    id: CONDITION_ID,
    name: CONDITION_ID,
    description: null,
    type: 'formula',
    formula: { expression },
  };
}

/**
 * Checks a condition formula (automations): it must parse, type-check against the data source's
 * schema (and related ones) and yield a checkbox; Notion's formula errors otherwise, with `what`
 * (the definition's field) named.
 */
export async function checkConditionFormula(
  tx: StoreTx,
  source: RowSource,
  expression: string,
  what: string,
): Promise<void> {
  const world = new World(Date.now());
  world.schemas.set(source.dataSourceId, [...source.schema, conditionProperty(expression)]);
  await loadSchemas(tx, world, relationTargets(source.schema));
  const c = schemaLookup(world.schemas, source.dataSourceId).compiled(
    source.dataSourceId,
    conditionProperty(expression),
  );
  if (c instanceof FormulaError) {
    const e = formulaApiError(c, expression);
    throw errors.validation(`${what}: ${e.message}`);
  }
  const kind = apiKind(c.type);
  if (kind !== 'boolean')
    throw errors.validation(
      `${what} should be a formula that yields a checkbox (true or false), instead it yields ${kind}.`,
    );
}

/**
 * Whether a condition formula holds for one row: computed as a formula property of the row's
 * data source would be (related pages as `env` sees them, `now()` at `env.now`); empty is false.
 */
export async function conditionHolds(
  tx: StoreTx,
  env: OpEnv,
  source: RowSource,
  row: BlockRow,
  expression: string,
): Promise<boolean> {
  const extended: RowSource = { ...source, schema: [...source.schema, conditionProperty(expression)] };
  const [record] = await withComputed(tx, env, [{ row, source: extended }], {
    rollupLimit: Number.POSITIVE_INFINITY,
    only: new Set([CONDITION_ID]),
  });
  const value = record?.source?.computed?.get(CONDITION_ID) as
    | { type?: string; boolean?: unknown }
    | undefined;
  return value?.type === 'boolean' && value.boolean === true;
}
