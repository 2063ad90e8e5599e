/**
 * Formula properties in schemas: the static type each property has inside formulas, the lookup
 * the checker resolves `prop(…)` against (own and related data sources), compiling and checking
 * the formulas of a schema (refusing circular references), and turning stored page values into
 * formula values. Pure: schemas and rows are handed in.
 */

import { parseIso } from '../formula/dates.ts';
import {
  type CompiledFormula,
  compileFormula,
  type DateV,
  FormulaError,
  type FType,
  formulaApiError,
  type PropInfo,
  type SchemaLookup,
  T,
  type Value,
} from '../formula/index.ts';
import { plainText, type RichText } from '../rich-text.ts';
import { type RollupConfig, rollupType } from './rollups.ts';
import { findProperty, type PropertySchema, payloadOf, type Schema, type SelectOption } from './types.ts';

/** Schemas of the data sources a formula can reach, by data source id. */
export type SchemaSet = ReadonlyMap<string, Schema>;

const relationTarget = (p: PropertySchema) => payloadOf<{ data_source_id?: string }>(p).data_source_id;

/**
 * A lookup over `schemas` for formulas of data source `self`. Formula properties get the static
 * type of their own expression (compiled on demand); a cycle among them is a type error.
 */
export function schemaLookup(
  schemas: SchemaSet,
  self: string,
): SchemaLookup & {
  compiled(ds: string, prop: PropertySchema): CompiledFormula | FormulaError;
} {
  const compiled = new Map<string, CompiledFormula | FormulaError>();
  const inProgress = new Set<string>();
  const lookup = {
    byName: (name: string, ds?: string) => info(ds ?? self, (s) => s.find((p) => p.name === name)),
    byId: (id: string, ds?: string) => info(ds ?? self, (s) => findProperty(s, id)),
    compiled: (ds: string, prop: PropertySchema): CompiledFormula | FormulaError => {
      const key = `${ds}\u0000${prop.id}`;
      const done = compiled.get(key);
      if (done) return done;
      if (inProgress.has(key)) {
        return new FormulaError('type', `circular reference through "${prop.name}"`, { start: 0, end: 0 });
      }
      inProgress.add(key);
      let out: CompiledFormula | FormulaError;
      try {
        const expression = payloadOf<{ expression?: string }>(prop).expression ?? '';
        out = compileFormula(expression, ds === self ? lookup : relativeTo(ds), { allowMissing: true });
      } catch (e) {
        if (!(e instanceof FormulaError)) throw e;
        out = e;
      } finally {
        inProgress.delete(key);
      }
      compiled.set(key, out);
      return out;
    },
  };
  const relativeTo = (ds: string): SchemaLookup => ({
    byName: (name, inner) => lookup.byName(name, inner ?? ds),
    byId: (id, inner) => lookup.byId(id, inner ?? ds),
  });
  const info = (ds: string, find: (s: Schema) => PropertySchema | undefined): PropInfo | undefined => {
    const schema = schemas.get(ds);
    const prop = schema && find(schema);
    if (!prop) return undefined;
    return { id: prop.id, name: prop.name, type: staticType(ds, prop) };
  };
  const staticType = (ds: string, p: PropertySchema): FType => {
    if (p.type === 'formula') {
      const c = lookup.compiled(ds, p);
      if (c instanceof FormulaError) {
        if (c.detail.startsWith('circular')) throw c;
        return T.any;
      }
      return c.type;
    }
    if (p.type === 'rollup') {
      const cfg = payloadOf<Partial<RollupConfig>>(p);
      const rel = schemas.get(ds)?.find((q) => q.id === cfg.relation_property_id);
      const target = rel ? relationTarget(rel) : undefined;
      const rolled = target ? schemas.get(target)?.find((q) => q.id === cfg.rollup_property_id) : undefined;
      if (!cfg.function) return T.any;
      const key = `${ds}\u0000${p.id}`;
      if (inProgress.has(key) || !rolled || !target) return rollupType(cfg.function, T.any);
      inProgress.add(key);
      try {
        return rollupType(cfg.function, staticType(target, rolled));
      } finally {
        inProgress.delete(key);
      }
    }
    return propertyType(p);
  };
  return lookup;
}

/** The static type of a (non-formula) property inside formulas (notion-formulas.md §3.2). */
export function propertyType(p: PropertySchema): FType {
  switch (p.type) {
    case 'title':
    case 'rich_text':
    case 'select':
    case 'status':
    case 'email':
    case 'url':
    case 'phone_number':
    case 'unique_id':
      return T.text;
    case 'multi_select':
    case 'files':
      return T.list(T.text);
    case 'checkbox':
      return T.boolean;
    case 'number':
      return T.number;
    case 'date':
    case 'created_time':
    case 'last_edited_time':
    case 'last_visited_time':
      return T.date;
    case 'created_by':
    case 'last_edited_by':
      return T.person;
    case 'people':
      return T.list(T.person);
    case 'relation':
      return T.list(T.page(relationTarget(p)));
    default:
      return T.any;
  }
}

/**
 * Compiles the formulas of `schema` whose ids are in `changed` (new or edited expressions),
 * refusing them as Notion does, and writes their stored form back. Other formulas are checked
 * leniently (a deleted reference makes them empty, not invalid). Returns the new schema.
 */
export function checkSchemaFormulas(
  schema: Schema,
  self: string,
  related: SchemaSet,
  changed: ReadonlySet<string>,
  space?: string,
): Schema {
  const schemas = new Map(related);
  schemas.set(self, schema);
  const lookup = schemaLookup(schemas, self);
  const out = schema.map((p) => ({ ...p }));
  for (const p of out) {
    if (p.type !== 'formula' || !changed.has(p.id)) continue;
    const expression = payloadOf<{ expression?: string }>(p).expression ?? '';
    try {
      const c = compileFormula(expression, lookup, space ? { space } : {});
      // Circular references: checking this formula's own type walks every formula it reads.
      const self_ = lookup.compiled(self, p);
      if (self_ instanceof FormulaError) throw self_;
      p.formula = { expression: c.stored };
    } catch (e) {
      if (e instanceof FormulaError) throw formulaApiError(e, expression);
      throw e;
    }
  }
  return out;
}

/** Data sources reachable through relations from `schema` (for loading their schemas). */
export function relationTargets(schema: Schema): string[] {
  return [
    ...new Set(
      schema
        .filter((p) => p.type === 'relation')
        .map(relationTarget)
        .filter((x) => !!x),
    ),
  ] as string[];
}

/** Formula value of a stored `date` payload; a `time_zone` places a zone-less time (§6.2). */
export function dateValue(
  d: { start: string; end?: string | null; time_zone?: string | null } | null,
): DateV | null {
  if (!d?.start) return null;
  const zone = d.time_zone ?? 'UTC';
  const s = parseIso(d.start, zone);
  if (!s) return null;
  const e = d.end ? parseIso(d.end, zone) : undefined;
  return { kind: 'date', start: s.ms, ...(e ? { end: e.ms } : {}), hasTime: s.hasTime };
}

/** Formula value of a plain stored value (no rows or users needed); undefined for other types. */
export function simpleValue(p: PropertySchema, v: unknown): Value | undefined {
  switch (p.type) {
    case 'title':
    case 'rich_text': {
      const t = plainText((v as RichText | undefined) ?? []);
      return t === '' ? null : t;
    }
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'checkbox':
      return v === true;
    case 'url':
    case 'email':
    case 'phone_number':
      return typeof v === 'string' && v !== '' ? v : null;
    case 'select':
    case 'status': {
      const id = (v as { id?: string } | null | undefined)?.id;
      return payloadOf<{ options: SelectOption[] }>(p).options.find((o) => o.id === id)?.name ?? null;
    }
    case 'multi_select': {
      const opts = payloadOf<{ options: SelectOption[] }>(p).options;
      return ((v as { id: string }[] | undefined) ?? []).flatMap((r) => {
        const o = opts.find((x) => x.id === r.id);
        return o ? [o.name] : [];
      });
    }
    case 'date':
      return dateValue(v as never);
    case 'unique_id': {
      if (typeof v !== 'number') return null;
      const prefix = payloadOf<{ prefix?: string | null }>(p).prefix;
      return prefix ? `${prefix}-${v}` : String(v);
    }
    case 'files':
      return ((v as { name?: string }[] | undefined) ?? []).map((f) => f.name ?? '');
    default:
      return undefined;
  }
}
