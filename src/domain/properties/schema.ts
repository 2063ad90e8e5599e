/**
 * Building and changing data-source schemas: ids, defaults (number format, status groups, option
 * colors), the one-title rule, relations, and the list of changes existing rows must follow.
 */
import { errors } from '../../wire/errors.ts';
import type {
  OptionRequest,
  PropertyRename,
  PropertyRequest,
  RelationConfigRequest,
} from '../../wire/property-schema.schema.ts';
import { bodyError } from '../../wire/validation.ts';
import { checkSchemaFormulas, relationTargets } from './formulas.ts';
import { newOptionId, newPropertyId } from './ids.ts';
import { resolveRollup } from './rollups.ts';
import { findProperty, type PropertySchema, payloadOf, type Schema, type SelectOption } from './types.ts';

/** What schema building needs from the outside world. */
export interface SchemaContext {
  /** This data source (relations to itself are allowed). */
  self: { dataSourceId: string; databaseId: string };
  /** Resolves a relation target to its data source and database, or null when not visible. */
  relationTarget(ref: {
    dataSourceId?: string;
    databaseId?: string;
  }): Promise<{ dataSourceId: string; databaseId: string } | null>;
  /** The schema of another data source (formulas reading related pages), or null. */
  loadSchema?(dataSourceId: string): Promise<Schema | null>;
  /** The workspace id, written into the stored form of formula property references. */
  workspaceId?(): Promise<string | null>;
}

/** A reverse relation property to add to another data source (two-way relations). */
export interface ReverseRelation {
  dataSourceId: string;
  property: PropertySchema;
}

export type SchemaChange =
  | { kind: 'added'; property: PropertySchema }
  | { kind: 'removed'; property: PropertySchema }
  | { kind: 'retyped'; before: PropertySchema; after: PropertySchema }
  | { kind: 'options'; before: PropertySchema; after: PropertySchema };

export interface SchemaResult {
  schema: Schema;
  changes: SchemaChange[];
  reverse: ReverseRelation[];
}

const STATUS_DEFAULT: { name: string; color: OptionRequest['color']; group: number }[] = [
  { name: 'Not started', color: 'default', group: 0 },
  { name: 'In progress', color: 'blue', group: 1 },
  { name: 'Done', color: 'green', group: 2 },
];
const STATUS_GROUPS = [
  { name: 'To-do', color: 'gray' },
  { name: 'In progress', color: 'blue' },
  { name: 'Complete', color: 'green' },
];

function mergeOptions(
  path: string[],
  current: SelectOption[],
  requested: OptionRequest[] | undefined,
): SelectOption[] {
  const out = current.map((o) => ({ ...o }));
  const taken = new Set(out.map((o) => o.id));
  for (const [i, req] of (requested ?? []).entries()) {
    const existing = req.id ? out.find((o) => o.id === req.id) : out.find((o) => o.name === req.name);
    if (req.id && !existing)
      throw bodyError([...path, 'options', i, 'id'], 'should be an existing option id', req.id);
    if (existing) {
      if (req.name !== undefined && req.name !== existing.name && out.some((o) => o.name === req.name)) {
        throw bodyError([...path, 'options', i, 'name'], 'should be unique among the options', req.name);
      }
      if (req.name !== undefined) existing.name = req.name;
      if (req.color !== undefined) existing.color = req.color;
      if (req.description !== undefined) existing.description = req.description;
      continue;
    }
    if (req.name === undefined)
      throw bodyError([...path, 'options', i, 'name'], 'should be defined', undefined);
    const id = newOptionId(taken);
    taken.add(id);
    out.push({ id, name: req.name, color: req.color ?? 'default', description: req.description ?? null });
  }
  return out;
}

function statusPayload(
  path: string[],
  current: PropertySchema | undefined,
  options: OptionRequest[] | undefined,
) {
  if (current?.type === 'status') {
    const prev = payloadOf<{
      options: SelectOption[];
      groups: Array<{ id: string; name: string; color: string; option_ids: string[] }>;
    }>(current);
    const merged = mergeOptions(path, prev.options, options);
    const known = new Set(prev.options.map((o) => o.id));
    const groups = prev.groups.map((g, i) => ({
      ...g,
      option_ids: [
        ...g.option_ids.filter((id) => merged.some((o) => o.id === id)),
        ...(i === 0 ? merged.filter((o) => !known.has(o.id)).map((o) => o.id) : []),
      ],
    }));
    return { options: merged, groups };
  }
  const base =
    options && options.length > 0 ? [] : STATUS_DEFAULT.map((d) => ({ name: d.name, color: d.color }));
  const merged = mergeOptions(path, [], [...base, ...(options ?? [])]);
  const taken = new Set(merged.map((o) => o.id));
  const groups = STATUS_GROUPS.map((g, gi) => {
    const id = newOptionId(taken);
    taken.add(id);
    const members = merged.filter((o) => (STATUS_DEFAULT.find((d) => d.name === o.name)?.group ?? 0) === gi);
    return { id, name: g.name, color: g.color, option_ids: members.map((o) => o.id) };
  });
  return { options: merged, groups };
}

async function relationPayload(path: string[], config: RelationConfigRequest, ctx: SchemaContext) {
  if (!config.data_source_id && !config.database_id) {
    throw bodyError([...path, 'data_source_id'], 'should be defined', undefined);
  }
  const ref = {
    ...(config.data_source_id ? { dataSourceId: config.data_source_id } : {}),
    ...(config.database_id ? { databaseId: config.database_id } : {}),
  };
  const target = ref.dataSourceId === ctx.self.dataSourceId ? ctx.self : await ctx.relationTarget(ref);
  if (!target) {
    throw config.data_source_id
      ? errors.notFound('data_source', config.data_source_id)
      : errors.notFound('database', config.database_id!);
  }
  const dual =
    config.type === 'dual_property' || (config.type === undefined && config.dual_property !== undefined);
  return { target, dual, requestedSyncedName: config.dual_property?.synced_property_name };
}

/** Builds one property from its request; `current` is the property being changed, if any. */
async function buildProperty(
  path: string[],
  name: string,
  req: PropertyRequest,
  id: string,
  current: PropertySchema | undefined,
  ctx: SchemaContext,
  reverse: ReverseRelation[],
  sourceName: string,
): Promise<PropertySchema> {
  const sameType = current?.type === req.type ? current : undefined;
  const description = req.description !== undefined ? req.description : (current?.description ?? null);
  const base = { id, name, description, type: req.type };
  const cfg = req.config;
  switch (req.type) {
    case 'number':
      return {
        ...base,
        number: {
          format:
            (cfg.format as string | undefined) ??
            payloadOf<{ format?: string }>(sameType ?? (base as PropertySchema)).format ??
            'number',
        },
      };
    case 'select':
    case 'multi_select': {
      const prev = sameType ? payloadOf<{ options: SelectOption[] }>(sameType).options : [];
      return {
        ...base,
        [req.type]: {
          options: mergeOptions([...path, req.type], prev, cfg.options as OptionRequest[] | undefined),
        },
      };
    }
    case 'status':
      return {
        ...base,
        status: statusPayload([...path, 'status'], sameType, cfg.options as OptionRequest[] | undefined),
      };
    case 'formula': {
      const expression =
        cfg.expression ?? (sameType ? payloadOf<{ expression?: string }>(sameType).expression : undefined);
      if (typeof expression !== 'string') {
        throw bodyError([...path, 'formula', 'expression'], 'should be a string', cfg.expression);
      }
      return { ...base, formula: { expression } };
    }
    case 'rollup':
      // Resolved against the whole schema and the relation's target once all are built.
      return { ...base, rollup: { ...cfg } };
    case 'unique_id':
      return { ...base, unique_id: { prefix: (cfg.prefix as string | null | undefined) ?? null } };
    case 'relation': {
      const { target, dual, requestedSyncedName } = await relationPayload(
        [...path, 'relation'],
        cfg as RelationConfigRequest,
        ctx,
      );
      const prev = sameType ? payloadOf<Record<string, unknown>>(sameType) : undefined;
      if (prev && prev.data_source_id === target.dataSourceId && (prev.type === 'dual_property') === dual) {
        return { ...base, relation: prev };
      }
      if (!dual) {
        return {
          ...base,
          relation: {
            database_id: target.databaseId,
            data_source_id: target.dataSourceId,
            type: 'single_property',
            single_property: {},
          },
        };
      }
      const syncedName = requestedSyncedName ?? `Related to ${sourceName} (${name})`;
      const syncedId = newPropertyId(new Set());
      reverse.push({
        dataSourceId: target.dataSourceId,
        property: {
          id: syncedId,
          name: syncedName,
          description: null,
          type: 'relation',
          relation: {
            database_id: ctx.self.databaseId,
            data_source_id: ctx.self.dataSourceId,
            type: 'dual_property',
            dual_property: { synced_property_id: id, synced_property_name: name },
          },
        },
      });
      return {
        ...base,
        relation: {
          database_id: target.databaseId,
          data_source_id: target.dataSourceId,
          type: 'dual_property',
          dual_property: { synced_property_id: syncedId, synced_property_name: syncedName },
        },
      };
    }
    default:
      return { ...base, [req.type]: {} };
  }
}

function checkTitleRule(schema: Schema): void {
  const titles = schema.filter((p) => p.type === 'title').length;
  if (titles !== 1) {
    throw errors.validation(
      titles === 0
        ? 'Title property is required: a data source must have exactly one title property.'
        : 'A data source can have only one title property.',
    );
  }
}

/** Builds a new schema from its create-form properties (one title required). */
export async function buildSchema(
  requests: Record<string, PropertyRequest>,
  ctx: SchemaContext,
  sourceName: string,
  root: string[] = ['properties'],
): Promise<SchemaResult> {
  const schema: Schema = [];
  const reverse: ReverseRelation[] = [];
  const taken = new Set<string>();
  for (const [key, req] of Object.entries(requests)) {
    const name = req.name ?? key;
    if (schema.some((p) => p.name === name))
      throw bodyError([...root, key, 'name'], 'should be unique', name);
    const id = req.type === 'title' ? 'title' : newPropertyId(taken);
    taken.add(id);
    schema.push(await buildProperty([...root, key], name, req, id, undefined, ctx, reverse, sourceName));
  }
  checkTitleRule(schema);
  const formulas = new Set(
    schema.filter((p) => p.type === 'formula' || p.type === 'rollup').map((p) => p.id),
  );
  const checked = await withFormulas(schema, ctx, formulas);
  return { schema: checked, changes: checked.map((property) => ({ kind: 'added', property })), reverse };
}

/** Applies PATCH-form property changes: add, rename, retype, change options, delete. */
export async function updateSchema(
  current: Schema,
  updates: Record<string, PropertyRequest | PropertyRename | null>,
  ctx: SchemaContext,
  sourceName: string,
): Promise<SchemaResult> {
  let schema = current.map((p) => ({ ...p }));
  const changes: SchemaChange[] = [];
  const reverse: ReverseRelation[] = [];
  const formulas = new Set<string>();
  for (const [key, req] of Object.entries(updates)) {
    const path = ['properties', key];
    const existing = findProperty(schema, key);
    if (req === null) {
      if (!existing) throw errors.validation(`${key} is not a property that exists.`);
      if (existing.type === 'title') throw errors.validation('The title property cannot be deleted.');
      schema = schema.filter((p) => p.id !== existing.id);
      changes.push({ kind: 'removed', property: existing });
      continue;
    }
    const newName = req.name ?? existing?.name ?? key;
    if (newName !== existing?.name && schema.some((p) => p.name === newName)) {
      throw bodyError([...path, 'name'], 'should be unique', newName);
    }
    if (req.type === undefined) {
      if (!existing) throw errors.validation(`${key} is not a property that exists.`);
      Object.assign(existing, {
        name: newName,
        ...(req.description !== undefined ? { description: req.description } : {}),
      });
      continue;
    }
    if (!existing) {
      const id = req.type === 'title' ? 'title' : newPropertyId(new Set(schema.map((p) => p.id)));
      const property = await buildProperty(path, newName, req, id, undefined, ctx, reverse, sourceName);
      if (property.type === 'formula' || property.type === 'rollup') formulas.add(id);
      schema.push(property);
      changes.push({ kind: 'added', property });
      continue;
    }
    if (existing.type === 'title' && req.type !== 'title')
      throw errors.validation('The title property cannot change its type.');
    const after = await buildProperty(path, newName, req, existing.id, existing, ctx, reverse, sourceName);
    if (after.type === 'formula' || after.type === 'rollup') formulas.add(after.id);
    schema = schema.map((p) => (p.id === existing.id ? after : p));
    if (after.type !== existing.type) changes.push({ kind: 'retyped', before: existing, after });
    else if (JSON.stringify(after[after.type]) !== JSON.stringify(existing[existing.type])) {
      changes.push({ kind: 'options', before: existing, after });
    }
  }
  checkTitleRule(schema);
  schema = refreshRollupNames(schema);
  if (formulas.size === 0) return { schema, changes, reverse };
  const checked = await withFormulas(schema, ctx, formulas);
  const byId = new Map(checked.map((p) => [p.id, p]));
  return {
    schema: checked,
    changes: changes.map((c) =>
      c.kind === 'added'
        ? { ...c, property: byId.get(c.property.id) ?? c.property }
        : c.kind === 'removed'
          ? c
          : { ...c, after: byId.get(c.after.id) ?? c.after },
    ),
    reverse,
  };
}

/** Checks the formulas in `changed` against the schema and the schemas of related data sources. */
async function withFormulas(
  schema: Schema,
  ctx: SchemaContext,
  changed: ReadonlySet<string>,
): Promise<Schema> {
  if (changed.size === 0) return schema;
  const related = new Map<string, Schema>();
  const queue = relationTargets(schema);
  while (queue.length > 0 && related.size < 32) {
    const ds = queue.shift()!;
    if (ds === ctx.self.dataSourceId || related.has(ds)) continue;
    const s = (await ctx.loadSchema?.(ds)) ?? null;
    if (!s) continue;
    related.set(ds, s);
    queue.push(...relationTargets(s));
  }
  const resolved = schema.map((p) =>
    p.type === 'rollup' && changed.has(p.id)
      ? {
          ...p,
          rollup: resolveRollup(['properties', p.name, 'rollup'], payloadOf(p), schema, (ds) =>
            ds === ctx.self.dataSourceId ? schema : related.get(ds),
          ),
        }
      : p,
  );
  const space = (await ctx.workspaceId?.()) ?? undefined;
  return checkSchemaFormulas(resolved, ctx.self.dataSourceId, related, changed, space);
}

/** Rollups name their relation property: a rename of the relation shows in them. */
function refreshRollupNames(schema: Schema): Schema {
  return schema.map((p) => {
    if (p.type !== 'rollup') return p;
    const cfg = payloadOf<{ relation_property_id?: string; relation_property_name?: string }>(p);
    const rel = schema.find((q) => q.id === cfg.relation_property_id);
    return rel && rel.name !== cfg.relation_property_name
      ? { ...p, rollup: { ...cfg, relation_property_name: rel.name } }
      : p;
  });
}
