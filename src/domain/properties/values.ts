/**
 * Page property values: requests checked against the data source's schema and normalized to
 * their stored form (keyed by property id). Select names that do not exist yet become options.
 */
import { errors } from '../../wire/errors.ts';
import { PROPERTY_TYPES } from '../../wire/property-schema.schema.ts';
import type { OptionRef } from '../../wire/property-values.schema.ts';
import { isWritableType, valueRequest } from '../../wire/property-values.schema.ts';
import { bodyError, parseAt } from '../../wire/validation.ts';
import { attachedFile } from '../block-payloads.ts';
import { storedFile } from '../file-uploads.ts';
import { type MentionResolver, normalizeRichText } from '../rich-text.ts';
import { newOptionId } from './ids.ts';
import {
  findProperty,
  type PropertySchema,
  payloadOf,
  READ_ONLY_TYPES,
  type Schema,
  type SelectOption,
} from './types.ts';

/** A stored value: `{type, <type>: payload}`. */
export type StoredValue = { type: string; [payload: string]: unknown };
export type StoredValues = Record<string, StoredValue>;

export interface ValueContext {
  resolver: MentionResolver;
  userExists(id: string): Promise<boolean>;
  /** True when `pageId` is a page of data source `dataSourceId`. */
  isRowOf(pageId: string, dataSourceId: string): Promise<boolean>;
}

export interface NormalizedValues {
  values: StoredValues;
  /** The schema with any options created by these values (same array when none were). */
  schema: Schema;
  schemaChanged: boolean;
}

/** The example shown when a value is not an object keyed by its type. */
function example(p: PropertySchema): string {
  const samples: Record<string, string> = {
    title: '{"title": [{"text": {"content": "…"}}]}',
    rich_text: '{"rich_text": [{"text": {"content": "…"}}]}',
    number: '{"number": 42}',
    select: '{"select": {"name": "…"}}',
    status: '{"status": {"name": "…"}}',
    multi_select: '{"multi_select": [{"name": "…"}]}',
    date: '{"date": {"start": "2024-01-31"}}',
    people: '{"people": [{"id": "…"}]}',
    files: '{"files": [{"name": "…", "external": {"url": "…"}}]}',
    checkbox: '{"checkbox": true}',
    url: '{"url": "https://…"}',
    email: '{"email": "…"}',
    phone_number: '{"phone_number": "…"}',
    relation: '{"relation": [{"id": "…"}]}',
  };
  return samples[p.type] ?? `{"${p.type}": …}`;
}

function pickOption(
  path: (string | number)[],
  prop: PropertySchema,
  ref: OptionRef,
  options: SelectOption[],
  allowCreate: boolean,
): { option: SelectOption; created: boolean } {
  if ('id' in ref) {
    const byId = options.find((o) => o.id === ref.id);
    if (!byId) throw bodyError([...path, 'id'], 'should be an existing option id', ref.id);
    return { option: byId, created: false };
  }
  const byName = options.find((o) => o.name === ref.name);
  if (byName) return { option: byName, created: false };
  if (!allowCreate) {
    throw errors.validation(
      `Invalid status option. Status option "${ref.name}" does not exist for ${prop.name}.`,
    );
  }
  const option = {
    id: newOptionId(new Set(options.map((o) => o.id))),
    name: ref.name,
    color: ref.color ?? 'default',
    description: ref.description ?? null,
  };
  options.push(option);
  return { option, created: true };
}

const TYPE_NAMES: ReadonlySet<string> = new Set(PROPERTY_TYPES);

/** The type a value object names (its `type`, or its one type-named key), if any. */
function namedType(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.type === 'string') return v.type;
  return Object.keys(v).find((k) => TYPE_NAMES.has(k));
}

/**
 * Notion checks every key of a request against the schema first and reports all the mismatches
 * in one message: "Genre is expected to be multi_select. Status is not a property that exists."
 */
function checkNames(schema: Schema, request: Record<string, unknown>): void {
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(request)) {
    const prop = findProperty(schema, key);
    if (!prop) {
      problems.push(`${key} is not a property that exists.`);
      continue;
    }
    const named = namedType(raw);
    const bareText = Array.isArray(raw) && (prop.type === 'title' || prop.type === 'rich_text');
    if (!bareText && named !== undefined && named !== prop.type) {
      problems.push(`${key} is expected to be ${prop.type}.`);
    }
  }
  if (problems.length > 0) throw errors.validation(problems.join(' '));
}

type FileItem = {
  name?: string;
  external?: { url: string };
  file?: { url: string };
  file_upload?: { id: string };
};

/**
 * Files property items in stored form: external links as given; uploads (and URLs this server
 * signed, re-submitted as `{file: {url}}`) as the upload's stored reference, named by the
 * request or else by the upload's filename.
 */
async function storedFiles(items: FileItem[], resolver: MentionResolver, path: (string | number)[]) {
  const out: StoredValue[] = [];
  for (const [i, f] of items.entries()) {
    if (f.external) {
      out.push({ name: f.name, type: 'external', external: { url: f.external.url } });
      continue;
    }
    let file: ReturnType<typeof storedFile>;
    if (f.file_upload) {
      file = await attachedFile(resolver, f.file_upload, [...path, i, 'file_upload']);
    } else {
      const at = [...path, i, 'file', 'url'];
      if (!resolver.hostedFile)
        throw bodyError(at, 'should be a file URL signed by this server', f.file?.url);
      file = storedFile(await resolver.hostedFile(f.file?.url ?? '', at));
    }
    out.push({ name: f.name ?? file.file.filename, ...file });
  }
  return out;
}

/** Normalizes `request` (keys are names or ids) against `schema`. */
export async function normalizeValues(
  schema: Schema,
  request: Record<string, unknown>,
  ctx: ValueContext,
  root: (string | number)[] = ['properties'],
): Promise<NormalizedValues> {
  let working = schema;
  let schemaChanged = false;
  const values: StoredValues = {};
  checkNames(schema, request);
  for (const [key, raw] of Object.entries(request)) {
    const prop = findProperty(working, key);
    const path = [...root, key];
    if (!prop) throw errors.validation(`${key} is not a property that exists.`);
    if (READ_ONLY_TYPES.has(prop.type) || !isWritableType(prop.type)) {
      throw errors.validation(`${prop.name} is a ${prop.type} property, which cannot be written.`);
    }
    const isBareTitle = (prop.type === 'title' || prop.type === 'rich_text') && Array.isArray(raw);
    const wrapped = isBareTitle ? { [prop.type]: raw } : raw;
    if (wrapped === null || typeof wrapped !== 'object' || Array.isArray(wrapped)) {
      throw bodyError(path, `should be an object like ${example(prop)}`, raw);
    }
    const parsed = parseAt(
      valueRequest(prop.type),
      wrapped,
      isBareTitle ? path.slice(0, -1) : path,
    ) as Record<string, unknown>;
    const payload = parsed[prop.type];
    const vpath = [...path, prop.type];
    let stored: unknown;
    switch (prop.type) {
      case 'title':
      case 'rich_text':
        stored = await normalizeRichText(payload as never, ctx.resolver);
        break;
      case 'select':
      case 'status':
      case 'multi_select': {
        const options = payloadOf<{ options: SelectOption[] }>(prop).options.map((o) => ({ ...o }));
        const refs =
          prop.type === 'multi_select' ? (payload as OptionRef[]) : payload ? [payload as OptionRef] : [];
        const picked = refs.map((ref, i) =>
          pickOption(
            prop.type === 'multi_select' ? [...vpath, i] : vpath,
            prop,
            ref,
            options,
            prop.type !== 'status',
          ),
        );
        if (picked.some((p) => p.created)) {
          working = working.map((p) =>
            p.id === prop.id ? { ...p, [p.type]: { ...payloadOf<Record<string, unknown>>(p), options } } : p,
          );
          schemaChanged = true;
        }
        const ids = [...new Set(picked.map((p) => p.option.id))].map((id) => ({ id }));
        stored = prop.type === 'multi_select' ? ids : (ids[0] ?? null);
        break;
      }
      case 'date': {
        const d = payload as { start: string; end?: string | null; time_zone?: string | null } | null;
        stored = d ? { start: d.start, end: d.end ?? null, time_zone: d.time_zone ?? null } : null;
        break;
      }
      case 'people': {
        const people = payload as { id: string; object?: string }[];
        for (const person of people) {
          if (!(await ctx.userExists(person.id))) throw errors.notFound('user', person.id);
        }
        stored = [...new Map(people.map((p) => [p.id, { object: p.object ?? 'user', id: p.id }])).values()];
        break;
      }
      case 'files':
        stored = await storedFiles(payload as FileItem[], ctx.resolver, vpath);
        break;
      case 'relation': {
        const target = payloadOf<{ data_source_id: string }>(prop).data_source_id;
        const ids = [...new Set((payload as { id: string }[]).map((r) => r.id))];
        for (const id of ids) if (!(await ctx.isRowOf(id, target))) throw errors.notFound('page', id);
        stored = ids.map((id) => ({ id }));
        break;
      }
      case 'verification': {
        const v = payload as {
          state: string;
          date?: { start: string; end?: string | null; time_zone?: string | null } | null;
        };
        // The date as a date property stores it: every key present (the SDK's type requires them).
        const date = v.date
          ? { start: v.date.start, end: v.date.end ?? null, time_zone: v.date.time_zone ?? null }
          : null;
        stored =
          v.state === 'verified'
            ? { state: 'verified', date, verified_by: null }
            : { state: 'unverified', date: null, verified_by: null };
        break;
      }
      default:
        stored = payload;
    }
    values[prop.id] = { type: prop.type, [prop.type]: stored };
  }
  return { values, schema: working, schemaChanged };
}
