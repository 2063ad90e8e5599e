/**
 * Deploying, listing and removing Notion Workers. A deploy builds the folder (build.ts), asks the
 * bundle for its manifest (the package's `worker.manifest`, in the sandbox), refuses what Octavo
 * does not run with one error naming it, and keeps the worker: its own integration
 * `worker: NAME` (token kept for its executions), its databases bound to data sources (managed
 * ones created under `parent`, attached ones given by id; each schema migrated: missing
 * properties added), its sync capabilities with their schedules. Deploying again replaces the
 * code and keeps the integration, databases, records and sync state.
 */
import { randomBytes } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { Client } from '@notionhq/client';
import type { Capability } from '../domain/capabilities.ts';
import { createIntegration, sharePage } from '../ops/integrations.ts';
import type { StoreTx, WorkerRow, WorkerSyncRow } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { buildWorker } from './build.ts';
import type { WorkerRuntime } from './runtime.ts';
import { executeInSandbox } from './sandbox.ts';
import { apiType, type DatabaseDeclaration, iconOf, propertyConfig, unsupportedSchema } from './values.ts';

/** Names of workers (and so of their integrations, `worker: NAME`). */
export const WORKER_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;

const WORKER_CAPABILITIES: Capability[] = [
  'read_content',
  'update_content',
  'insert_content',
  'read_comments',
  'insert_comments',
];

/** The capability kinds Octavo runs. */
export const SUPPORTED_CAPABILITIES = ['sync', 'automation', 'webhook', 'tool'] as const;

export interface CapabilityEntry {
  _tag: string;
  key: string;
  config: Record<string, unknown>;
}

export interface Manifest {
  sdkVersion: string;
  credentials: unknown[];
  databases: DatabaseDeclaration[];
  xldbs: unknown[];
  pacers: { key: string; config: { allowedRequests: number; intervalMs: number } }[];
  capabilities: CapabilityEntry[];
}

export type DatabaseBindings = Record<string, { database_id: string; data_source_id: string }>;

export const manifestOf = (row: WorkerRow) => JSON.parse(row.manifest) as Manifest;
export const bindingsOf = (row: WorkerRow) => JSON.parse(row.databases) as DatabaseBindings;

/**
 * The SDK client acting as the worker's integration, against the /v1 API in process (the SDK is
 * loaded on first use, not at the server's start).
 */
export async function clientFor(rt: WorkerRuntime, token: string): Promise<Client> {
  const api = rt.api;
  const { Client } = await import('@notionhq/client');
  return new Client({
    auth: token,
    baseUrl: rt.baseUrl,
    ...(api
      ? { fetch: ((url: string, init?: RequestInit) => api(new Request(url, init))) as typeof fetch }
      : {}),
    logLevel: 'error' as never,
  });
}

/** What Octavo cannot run in this manifest, as one sentence; null when everything is supported. */
export function unsupported(m: Manifest): string | null {
  const problems: string[] = [];
  for (const c of m.capabilities) {
    if (!(SUPPORTED_CAPABILITIES as readonly string[]).includes(c._tag))
      problems.push(`capability ${c.key} is of type ${c._tag}, which Octavo does not run`);
    else if (c._tag === 'sync' && 'target' in c.config)
      problems.push(`sync ${c.key} writes to an XLDB table, which Octavo does not have`);
  }
  if (m.credentials.length > 0)
    problems.push(
      `credentials (${m.credentials.length}) are not injected by Octavo; pass secrets with --env`,
    );
  if (m.xldbs.length > 0) problems.push('XLDB tables are not supported');
  for (const db of m.databases) {
    const why = unsupportedSchema(db);
    if (why) problems.push(why);
  }
  return problems.length ? problems.join('; ') : null;
}

/** A sync's schedule as milliseconds between runs: 0 continuous, null manual (default 30 min). */
export function intervalOf(c: CapabilityEntry): number | null {
  const s = c.config.schedule as { type: string; intervalMs?: number } | undefined;
  if (!s) return 30 * 60 * 1000;
  if (s.type === 'manual') return null;
  if (s.type === 'continuous') return 0;
  return s.intervalMs ?? 30 * 60 * 1000;
}

export interface DeployInput {
  dir: string;
  name?: string | undefined;
  /** The page managed databases are created under (shared with the worker). */
  parent?: string | undefined;
  /** Attached databases: declaration key → data source id (its database is shared with the worker). */
  attach?: Record<string, string> | undefined;
  /** Variables every execution gets (secrets of the worker, outside URLs). */
  env?: Record<string, string> | undefined;
  now: Date;
}

/** The folder's name (of the absolute path, so `.` names the current folder). */
function defaultName(dir: string): string {
  return basename(resolve(dir));
}

/** Builds and deploys the worker in `input.dir`; answers the worker row. */
export async function deployWorker(rt: WorkerRuntime, input: DeployInput): Promise<WorkerRow> {
  const name = input.name ?? defaultName(input.dir);
  if (!WORKER_NAME.test(name))
    throw errors.validation(
      `The worker name ${name} should be 1–100 letters, digits, spaces, \`.\`, \`_\` or \`-\`.`,
    );
  for (const k of Object.keys(input.env ?? {}))
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || k.startsWith('NOTION_'))
      throw errors.validation(`The variable name ${k} is not allowed (letters, digits, _; not NOTION_…).`);
  const built = await buildWorker(input.dir);
  const probe = await executeInSandbox(
    { api: rt.api, baseUrl: rt.baseUrl, limits: rt.limits },
    { ...built, mode: 'manifest', capability: '', input: null, token: '', env: input.env ?? {} },
  );
  if (!probe.manifest)
    throw errors.validation(
      `The worker in ${input.dir} did not load: ${probe.stopped ?? 'no manifest'}${probe.logs.length ? ` (${probe.logs[0]!.text.split('\n')[0]})` : ''}.`,
    );
  const manifest = probe.manifest as Manifest;
  const problem = unsupported(manifest);
  if (problem) throw errors.validation(`The worker ${name} cannot be deployed on Octavo: ${problem}.`);
  for (const key of Object.keys(input.attach ?? {}))
    if (!manifest.databases.some((d) => d.key === key))
      throw errors.validation(`The worker ${name} declares no database ${key}.`);
  const now = input.now.toISOString();
  const { row, fresh } = await rt.store.transaction(async (tx) => {
    const old = await tx.workers.get(name);
    const row: WorkerRow = old
      ? {
          ...old,
          source_dir: built.entry,
          bundle: built.code,
          read_paths: JSON.stringify(built.readPaths),
          manifest: JSON.stringify(manifest),
          env: JSON.stringify(input.env ?? JSON.parse(old.env)),
          updated_time: now,
        }
      : await (async () => {
          const made = await createIntegration(tx, {
            name: `worker: ${name}`,
            capabilities: WORKER_CAPABILITIES,
            now,
          });
          return {
            name,
            integration_id: made.integration.id,
            token: made.token,
            source_dir: built.entry,
            bundle: built.code,
            read_paths: JSON.stringify(built.readPaths),
            manifest: JSON.stringify(manifest),
            databases: '{}',
            env: JSON.stringify(input.env ?? {}),
            hook_token: randomBytes(18).toString('base64url'),
            pacers: '{}',
            created_time: now,
            updated_time: now,
          };
        })();
    if (old) await tx.workers.update(name, row);
    else await tx.workers.insert(row);
    if (input.parent) await sharePage(tx, { pageId: input.parent, integrationName: `worker: ${name}`, now });
    for (const [key, ds] of Object.entries(input.attach ?? {})) await shareDataSource(tx, row, key, ds, now);
    return { row, fresh: !old };
  });
  try {
    const databases = await bindDatabases(rt, row, manifest, input);
    await rt.store.transaction(async (tx) => {
      await tx.workers.update(name, { databases: JSON.stringify(databases) });
      await keepSyncs(tx, name, manifest, input.now);
    });
    return { ...row, databases: JSON.stringify(databases) };
  } catch (e) {
    if (fresh) await rt.store.transaction((tx) => removeRow(tx, row));
    throw e;
  }
}

async function shareDataSource(tx: StoreTx, row: WorkerRow, key: string, dsId: string, now: string) {
  const ds = await tx.blocks.get(dsId);
  if (ds?.type !== 'data_source' || !ds.parent_id)
    throw errors.validation(`Database ${key}: ${dsId} names no data source.`);
  await tx.shares.add(row.integration_id, ds.parent_id, now);
}

/** Creates or checks each declared database, adding missing properties; answers the bindings. */
async function bindDatabases(
  rt: WorkerRuntime,
  row: WorkerRow,
  manifest: Manifest,
  input: DeployInput,
): Promise<DatabaseBindings> {
  const notion = await clientFor(rt, row.token);
  const bindings: DatabaseBindings = { ...JSON.parse(row.databases) };
  for (const db of manifest.databases) {
    const attached = input.attach?.[db.key];
    if (attached) {
      const ds = (await notion.dataSources.retrieve({ data_source_id: attached })) as {
        parent: { database_id: string };
      };
      bindings[db.key] = { database_id: ds.parent.database_id, data_source_id: attached };
    }
    if (!bindings[db.key]) {
      if (db.config.type === 'attached')
        throw errors.validation(
          `Database ${db.key} is attached: bind it to a data source with --attach ${db.key}=DATA_SOURCE_ID.`,
        );
      if (!input.parent)
        throw errors.validation(
          `Database ${db.key} is managed: give --parent PAGE_ID, the page it is created under.`,
        );
      const properties = Object.fromEntries(
        Object.entries(db.config.schema.properties).map(([n, p]) => [n, propertyConfig(p)]),
      );
      const icon = iconOf(db.config.schema.databaseIcon);
      const made = (await notion.databases.create({
        parent: { type: 'page_id', page_id: input.parent },
        title: [{ type: 'text', text: { content: db.config.initialTitle } }],
        ...(icon ? { icon: icon as never } : {}),
        initial_data_source: { properties: properties as never },
      })) as { id: string; data_sources: { id: string }[] };
      bindings[db.key] = { database_id: made.id, data_source_id: made.data_sources[0]!.id };
      continue;
    }
    await migrateSchema(notion, db, bindings[db.key]!.data_source_id);
  }
  return bindings;
}

/** Adds the declared properties a data source lacks; a property of another type is an error. */
async function migrateSchema(notion: Client, db: DatabaseDeclaration, dsId: string): Promise<void> {
  const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as {
    properties: Record<string, { type: string }>;
  };
  const missing: Record<string, unknown> = {};
  for (const [n, p] of Object.entries(db.config.schema.properties)) {
    const have = ds.properties[n];
    if (!have) missing[n] = propertyConfig(p);
    else if (have.type !== apiType(p) && !(p.type === 'title' && have.type === 'title'))
      throw errors.validation(
        `Database ${db.key}: property ${n} is ${have.type} in data source ${dsId}, the worker declares ${apiType(p)}.`,
      );
  }
  if (Object.keys(missing).length > 0)
    await notion.dataSources.update({ data_source_id: dsId, properties: missing as never });
}

/** Keeps a state row per sync (new ones due now), and drops those no longer declared. */
async function keepSyncs(tx: StoreTx, name: string, manifest: Manifest, now: Date): Promise<void> {
  const syncs = manifest.capabilities.filter((c) => c._tag === 'sync');
  for (const old of await tx.workers.syncs(name))
    if (!syncs.some((c) => c.key === old.capability)) await tx.workers.deleteSync(name, old.capability);
  for (const c of syncs) {
    const existing = await tx.workers.sync(name, c.key);
    const every = intervalOf(c);
    const next = every === null ? null : (existing?.next_run_time ?? now.toISOString());
    const row: WorkerSyncRow = existing
      ? { ...existing, next_run_time: next }
      : {
          worker_name: name,
          capability: c.key,
          state: null,
          cycle: 0,
          next_run_time: next,
          last_run_id: null,
          running_until: null,
        };
    await tx.workers.putSync(row);
  }
}

async function removeRow(tx: StoreTx, row: WorkerRow): Promise<void> {
  await tx.workers.delete(row.name);
  await tx.integrations.delete(row.integration_id);
}

/** The worker named `name`; a validation error names it otherwise. */
export async function workerNamed(tx: StoreTx, name: string): Promise<WorkerRow> {
  const row = await tx.workers.get(name);
  if (!row) throw errors.validation(`No worker named ${name}.`);
  return row;
}

/**
 * Removes a worker: its runs, records, sync state and integration (with its shares). The pages
 * and databases it wrote stay.
 */
export async function removeWorker(tx: StoreTx, name: string): Promise<WorkerRow> {
  const row = await workerNamed(tx, name);
  await removeRow(tx, row);
  return row;
}

/** A worker as the CLI and admin API show it. */
export function presentWorker(row: WorkerRow, syncs: WorkerSyncRow[] = []) {
  const m = manifestOf(row);
  return {
    object: 'worker',
    name: row.name,
    integration: `worker: ${row.name}`,
    source: row.source_dir,
    sdk_version: m.sdkVersion,
    capabilities: m.capabilities.map((c) => ({
      key: c.key,
      type: c._tag,
      ...(c._tag === 'sync'
        ? {
            mode: (c.config.mode as string | undefined) ?? 'replace',
            database: c.config.databaseKey,
            every_ms: intervalOf(c),
            next_run_time: syncs.find((s) => s.capability === c.key)?.next_run_time ?? null,
          }
        : {}),
      ...(c._tag === 'webhook'
        ? {
            hook_path: `/hooks/workers/${encodeURIComponent(row.name)}/${row.hook_token}/${encodeURIComponent(c.key)}`,
          }
        : {}),
      ...(c.config.title ? { title: c.config.title } : {}),
    })),
    databases: bindingsOf(row),
    env: Object.keys(JSON.parse(row.env) as Record<string, string>),
    created_time: row.created_time,
    updated_time: row.updated_time,
  };
}
