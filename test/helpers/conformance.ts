/**
 * Checks applied to every response that passes through the test harness, so that each test also
 * measures wire compatibility: JSON bodies, request ids, Notion's error envelope, and — for every
 * 2xx — the body validated against the JSON Schema generated from the official SDK's published
 * response type for that endpoint (test/fixtures/schemas, made by `npm run schemas`).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { EndpointEntry, Manifest } from '../../scripts/gen-schemas.ts';

const SDK_ERROR_CODES = new Set([
  'unauthorized',
  'restricted_resource',
  'object_not_found',
  'rate_limited',
  'invalid_json',
  'invalid_request_url',
  'invalid_request',
  'invalid_beta',
  'validation_error',
  'conflict_error',
  'internal_server_error',
  'service_overload',
  'service_unavailable',
  'gateway_timeout',
  'missing_version',
  // Notion's OAuth code for a bad code or refresh token (notion-api.md §9.2); the SDK has no class for it.
  'invalid_grant',
]);

export class ConformanceError extends Error {}

function fail(url: string, why: string, body: unknown): never {
  throw new ConformanceError(`${url}: ${why}\n${JSON.stringify(body, null, 2).slice(0, 2000)}`);
}

export const SCHEMA_DIR = resolve(import.meta.dirname, '..', 'fixtures', 'schemas');

/** The committed manifest: SDK version, hashes and the endpoint -> schema table. */
export const MANIFEST = JSON.parse(readFileSync(join(SCHEMA_DIR, 'manifest.json'), 'utf8')) as Manifest;

/**
 * How a response shape depends on Notion-Version beyond what the SDK 5.x types say:
 * - `current`: 2025-09-03, the version the SDK types describe (they still require `archived`);
 * - `no-archived`: 2026-03-11 removed `archived` from every object, so the schema must forbid it;
 * - `legacy`: 2022-06-28, where databases and search have pre-data-source shapes that SDK 5.x does
 *   not describe at all (see LEGACY_UNTYPED).
 */
export type SchemaProfile = 'current' | 'no-archived' | 'legacy';

export function profileFor(version: string | null): SchemaProfile {
  if (version === '2022-06-28') return 'legacy';
  if (version !== null && version >= '2026-03-11') return 'no-archived';
  return 'current';
}

/**
 * Endpoints whose 2022-06-28 bodies have no schema: the SDK dropped the legacy database/search
 * types in v5, so validating them against the data-source-era types would be wrong. Their bodies
 * still get the envelope checks. (`databases/{id}/query` exists only in 2022-06-28.)
 */
const LEGACY_UNTYPED: ReadonlyArray<{ method: string; path: string }> = [
  { method: 'POST', path: 'databases' },
  { method: 'GET', path: 'databases/{database_id}' },
  { method: 'PATCH', path: 'databases/{database_id}' },
  { method: 'POST', path: 'databases/{database_id}/query' },
  { method: 'POST', path: 'search' },
];

interface Route {
  method: string;
  path: string;
  segments: string[];
  literals: number;
  schema: string | null;
}

function toRoute(method: string, path: string, schema: string | null): Route {
  const segments = path.split('/');
  return { method, path, segments, literals: segments.filter((s) => !s.startsWith('{')).length, schema };
}

const ROUTES: Route[] = MANIFEST.endpoints.map((e: EndpointEntry) => toRoute(e.method, e.path, e.schema));
const LEGACY_ROUTES: Route[] = LEGACY_UNTYPED.map((e) => toRoute(e.method, e.path, null));

/** Most literal segments first, so `users/me` wins over `users/{user_id}`. */
function matchRoute(routes: Route[], method: string, segments: string[]): Route | undefined {
  return routes
    .filter(
      (r) =>
        r.method === method &&
        r.segments.length === segments.length &&
        r.segments.every((s, i) => s.startsWith('{') || s === segments[i]),
    )
    .sort((a, b) => b.literals - a.literals)[0];
}

/**
 * 2xx bodies Notion sends without a top-level `request_id` (every recorded templates listing:
 * `{templates, has_more, next_cursor}` and nothing else); the header still carries the id.
 */
const NO_REQUEST_ID_IN_BODY: Route[] = [toRoute('GET', 'data_sources/{data_source_id}/templates', null)];

/** Whether a success body for this request carries `request_id` (it must match the header). */
export function bodyCarriesRequestId(method: string, url: string, status: number): boolean {
  if (status >= 400) return true;
  const { pathname } = new URL(url, 'http://octavo.test');
  const segments = pathname.slice(4).replace(/\/+$/, '').split('/');
  return !matchRoute(NO_REQUEST_ID_IN_BODY, method.toUpperCase(), segments);
}

/**
 * The schema name for a request, `null` when the endpoint is deliberately unvalidated under this
 * version (LEGACY_UNTYPED), `undefined` when the endpoint is not known at all.
 */
export function schemaFor(
  method: string,
  url: string,
  profile: SchemaProfile,
  status = 200,
): string | null | undefined {
  // 202 Accepted answers an `allow_async` write with an async task (notion-api.md §2.4).
  if (status === 202) return 'GetAsyncTaskResponse';
  const { pathname } = new URL(url, 'http://octavo.test');
  if (!pathname.startsWith('/v1/')) return undefined;
  const segments = pathname.slice(4).replace(/\/+$/, '').split('/');
  const m = method.toUpperCase();
  if (profile === 'legacy') {
    const legacy = matchRoute(LEGACY_ROUTES, m, segments);
    if (legacy) return null;
  }
  return matchRoute(ROUTES, m, segments)?.schema;
}

/** Removes `archived` from every object schema: required nowhere, and (closed objects) forbidden. */
function withoutArchived(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutArchived);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'required' && Array.isArray(v)) out[k] = v.filter((x) => x !== 'archived');
    else if (k === 'properties' && v && typeof v === 'object') {
      const { archived: _gone, ...rest } = v as Record<string, unknown>;
      out[k] = withoutArchived(rest);
    } else out[k] = withoutArchived(v);
  }
  return out;
}

/**
 * Keys the real API sends that the SDK 5.x types do not declare, seen in the recordings
 * (/work/shared/notion-recordings): the schemas stay closed everywhere else.
 * - `person.email_verified` (boolean) on person users, next to `email`.
 */
function withRealApiExtras(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withRealApiExtras);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = withRealApiExtras(v);
  const props = out.properties as Record<string, Record<string, unknown>> | undefined;
  const person = props?.person?.properties as Record<string, unknown> | undefined;
  if (person && 'email' in person) person.email_verified = { type: 'boolean' };
  // A view's quick filters map property ids to conditions; the SDK types each condition as
  // `Record<string, never>` (a placeholder, notion-api.md §13), which no condition satisfies.
  const quick = props?.quick_filters as { anyOf?: Array<{ additionalProperties?: unknown }> } | undefined;
  const map = quick?.anyOf?.[0];
  if (map?.additionalProperties) map.additionalProperties = { type: 'object' };
  // Relation values on page objects carry `has_more` (true past 25 references).
  if (props?.type?.const === 'relation' && props.relation?.type === 'array') {
    props.has_more = { type: 'boolean' };
  }
  // Data-source schemas may hold types the SDK's config union lacks (Notion documents them).
  const branches = out.anyOf as Array<{ properties?: Record<string, unknown> }> | undefined;
  if (Array.isArray(branches) && branches.some((b) => b.properties?.checkbox && b.properties?.name)) {
    const template = branches.find((b) => b.properties?.checkbox)!;
    for (const type of ['verification', 'button', 'place', 'location', 'last_visited_time']) {
      const { checkbox, ...rest } = template.properties!;
      branches.push({
        ...template,
        properties: { ...rest, type: { const: type, type: 'string' }, [type]: checkbox },
        required: ['description', 'id', 'name', 'type', type],
      } as never);
    }
  }
  // Values of `location` and `last_visited_time` (notion-api.md §6.1: request-only in the SDK,
  // read-only per §6.2), which Octavo computes as always empty: wherever a union has a `url`
  // value branch (page values, property items), the same branch holding `null` under their type.
  if (Array.isArray(branches)) {
    const url = branches.find(
      (b) => (b.properties?.type as { const?: unknown } | undefined)?.const === 'url' && b.properties?.url,
    ) as { properties: Record<string, unknown>; required?: string[] } | undefined;
    if (url) {
      const { url: _value, ...rest } = url.properties;
      for (const type of ['location', 'last_visited_time']) {
        branches.push({
          ...url,
          properties: { ...rest, type: { const: type, type: 'string' }, [type]: { type: 'null' } },
          required: (url.required ?? []).map((k) => (k === 'url' ? type : k)),
        } as never);
      }
    }
  }
  const refs = out.anyOf as Array<{ $ref?: string }> | undefined;
  if (Array.isArray(refs) && refs.some((b) => b.$ref?.endsWith('/UrlPropertyItemObjectResponse'))) {
    for (const name of EMPTY_ITEM_TYPES.keys()) refs.push({ $ref: `#/definitions/${name}` });
  }
  const defs = out.definitions as Record<string, { properties: Record<string, unknown> }> | undefined;
  const urlItem = defs?.UrlPropertyItemObjectResponse;
  if (defs && urlItem) {
    for (const [name, type] of EMPTY_ITEM_TYPES) {
      const { url: _value, ...rest } = urlItem.properties;
      defs[name] = {
        ...urlItem,
        properties: { ...rest, type: { const: type, type: 'string' }, [type]: { type: 'null' } },
        required: ['type', type, 'object', 'id'],
      } as never;
    }
  }
  return out;
}

/** Property item definitions added for the two always-empty computed types (see above). */
const EMPTY_ITEM_TYPES = new Map([
  ['LocationPropertyItemObjectResponse', 'location'],
  ['LastVisitedTimePropertyItemObjectResponse', 'last_visited_time'],
]);

const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
const compiled = new Map<string, ValidateFunction>();
const definitionsAdded = new Set<SchemaProfile>();

/**
 * All schema files share their definitions (one SDK program), so they are merged into one Ajv
 * schema per profile: a page or block definition then compiles once, whichever endpoint uses it.
 */
function addDefinitions(profile: SchemaProfile): void {
  if (definitionsAdded.has(profile)) return;
  const definitions: Record<string, unknown> = {};
  for (const name of Object.keys(MANIFEST.files)) {
    if (name === 'manifest.json') continue;
    const raw = JSON.parse(readFileSync(join(SCHEMA_DIR, name), 'utf8')) as { definitions: object };
    Object.assign(definitions, raw.definitions);
  }
  const extended = withRealApiExtras({ definitions });
  const adjusted = profile === 'no-archived' ? withoutArchived(extended) : extended;
  ajv.addSchema({ ...(adjusted as object), $id: `octavo:definitions@${profile}` });
  definitionsAdded.add(profile);
}

/** The compiled validator for one schema under one profile, compiled once per process. */
export function validatorFor(schema: string, profile: SchemaProfile = 'current'): ValidateFunction {
  const key = `${schema}@${profile}`;
  let fn = compiled.get(key);
  if (!fn) {
    addDefinitions(profile);
    fn = ajv.compile({ $id: `octavo:${key}`, $ref: `octavo:definitions@${profile}#/definitions/${schema}` });
    compiled.set(key, fn);
  }
  return fn;
}

/** A union branch rejected on its discriminator (`type`/`object` const): noise, not the cause. */
function isBranchMismatch(e: ErrorObject): boolean {
  return e.keyword === 'const' && /\/(type|object)$/.test(e.instancePath);
}

/**
 * The few most telling Ajv errors. A failed anyOf lists every branch, so discriminator mismatches
 * are dropped (unless nothing else is left) and the deepest errors come first.
 */
export function describeErrors(errors: ErrorObject[] | null | undefined, limit = 12): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  const all = errors ?? [];
  const telling = all.filter((e) => !isBranchMismatch(e) && e.keyword !== 'anyOf');
  const sorted = (telling.length > 0 ? telling : all).sort(
    (a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length,
  );
  for (const e of sorted) {
    const line = `${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`;
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(`  ${line}  [${e.schemaPath}]`);
    if (lines.length >= limit) break;
  }
  return lines.join('\n');
}

/**
 * Validates a 2xx body (without the top-level `request_id` the SDK types do not declare) against
 * its endpoint's schema; throws ConformanceError when it does not validate or has no mapping.
 */
export function validateSuccessBody(
  method: string,
  url: string,
  version: string | null,
  body: Record<string, unknown>,
  status = 200,
): void {
  const profile = profileFor(version);
  const schema = schemaFor(method, url, profile, status);
  if (schema === null) return;
  if (schema === undefined) fail(url, `no response schema mapped for ${method.toUpperCase()} ${url}`, body);
  const { request_id: _requestId, ...rest } = body;
  const validate = validatorFor(schema, profile);
  if (!validate(rest)) {
    fail(
      url,
      `body does not match ${schema} (Notion-Version ${version}, profile ${profile}):\n${describeErrors(validate.errors)}`,
      body,
    );
  }
}

/** Validates one response; returns an equivalent Response for the SDK to consume. */
export async function checkResponse(
  url: string,
  init: RequestInit | undefined,
  res: Response,
): Promise<Response> {
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    fail(url, `response is not JSON (status ${res.status})`, text);
  }
  const requestId = res.headers.get('x-notion-request-id');
  if (!requestId) fail(url, 'missing x-notion-request-id header', body);
  if (!bodyCarriesRequestId(init?.method ?? 'GET', url, res.status)) {
    if ('request_id' in body) fail(url, 'request_id in a body Notion sends without one', body);
  } else if (body.request_id !== requestId) fail(url, 'request_id in body differs from the header', body);
  if (res.status >= 400) {
    if (body.object !== 'error') fail(url, 'error body without object: "error"', body);
    if (body.status !== res.status) fail(url, 'error status differs from HTTP status', body);
    if (typeof body.code !== 'string' || !SDK_ERROR_CODES.has(body.code))
      fail(url, 'unknown error code', body);
    if (typeof body.message !== 'string' || body.message === '') fail(url, 'error without message', body);
    if (res.status === 500) fail(url, 'internal_server_error reached the client', body);
  } else if (res.status >= 200 && res.status < 300) {
    const version = new Headers(init?.headers).get('notion-version');
    validateSuccessBody(init?.method ?? 'GET', url, version, body, res.status);
  }
  return new Response(text, { status: res.status, headers: res.headers });
}
