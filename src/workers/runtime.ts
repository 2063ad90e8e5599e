/**
 * Executing deployed workers: one capability per execution in the sandbox (sandbox.ts), each
 * recorded as a `worker_runs` row (input, the output envelope's value, logs, error, timing).
 *
 * Syncs: an execution gets `{state, pacers}` (the previous `nextState`, the pacers' state) and
 * answers `{changes, hasMore, nextUserContext, nextPacerStates}`. Changes are applied to the bound
 * data sources as the worker's integration, through /v1 (`clientFor`): an upsert updates the page
 * that holds the key (remembered in `worker_records`, else found by the primary key property's
 * value) or creates one; a delete moves it to the trash. While `hasMore`, the next execution
 * follows at once with `nextState`. When a cycle ends, `replace` mode trashes the pages of keys
 * this sync wrote before and did not see in the cycle and starts the next cycle from no state;
 * `incremental` keeps the last state for the next run. The schedule (`1h`, `continuous`,
 * `manual`) is kept in `worker_syncs.next_run_time`; the job port's minute tick starts due syncs
 * as `workers.sync` jobs, one at a time per sync (singleton key).
 */
import { timingSafeEqual } from 'node:crypto';
import type { JobQueue } from '../jobs/index.ts';
import { newId } from '../lib/ids.ts';
import type { Logger } from '../lib/log.ts';
import type { Store, WorkerRow, WorkerRunRow } from '../store/store.ts';
import { ApiError, errors } from '../wire/errors.ts';
import {
  bindingsOf,
  type CapabilityEntry,
  clientFor,
  intervalOf,
  manifestOf,
  workerNamed,
} from './deploy.ts';
import { type ApiFetch, type Execution, executeInSandbox, type WorkerLimits } from './sandbox.ts';
import { applyChanges, type SyncChange, trashStale } from './sync.ts';

export const SYNC_JOB = 'workers.sync';
export const TICK_JOB = 'workers.tick';
export const WEBHOOK_JOB = 'workers.webhook';
/** Executions one sync cycle may take before it is stopped (hasMore without end). */
export const MAX_EXECUTIONS_PER_CYCLE = 1000;

export interface WorkerRuntime {
  store: Store;
  /** Absent where no queue is open (the admin API, the CLI): work is done at once. */
  queue?: JobQueue | undefined;
  /** The /v1 API in process (absent: over HTTP to `baseUrl`). */
  api?: ApiFetch | undefined;
  /** NOTION_API_BASE_URL of executions (the server's public URL). */
  baseUrl: string;
  limits: WorkerLimits;
  log?: Logger | undefined;
}

export type WorkerRunKind = 'sync' | 'automation' | 'webhook' | 'verify' | 'tool';

/** The capability `key` of the worker; a validation error says what there is otherwise. */
export function capabilityOf(row: WorkerRow, key: string): CapabilityEntry {
  const c = manifestOf(row).capabilities.find((x) => x.key === key);
  if (!c)
    throw errors.validation(
      `Worker ${row.name} has no capability ${key} (it has: ${manifestOf(row)
        .capabilities.map((x) => x.key)
        .join(', ')}).`,
    );
  return c;
}

function errorText(x: Execution): string {
  if (x.stopped) return x.stopped;
  const thrown = x.thrown as { message?: string } | null;
  if (x.error) return `${x.error.name ?? 'Error'}: ${thrown?.message ?? x.error.message ?? 'failed'}`;
  return 'failed without an error envelope';
}

/** Runs one capability once in the sandbox and records it. */
export async function execute(
  rt: WorkerRuntime,
  row: WorkerRow,
  key: string,
  kind: WorkerRunKind,
  input: unknown,
  startedBy: string,
): Promise<{ run: WorkerRunRow; x: Execution }> {
  const started = new Date();
  const run: WorkerRunRow = {
    id: newId(),
    worker_name: row.name,
    capability: key,
    kind,
    started_by: startedBy,
    status: 'running',
    input: JSON.stringify(input ?? null),
    output: null,
    logs: '[]',
    error: null,
    started_time: started.toISOString(),
    finished_time: null,
    duration_ms: null,
  };
  await rt.store.transaction((tx) => tx.workers.insertRun(run));
  const x = await executeInSandbox(
    { api: rt.api, baseUrl: rt.baseUrl, limits: rt.limits },
    {
      code: row.bundle,
      readPaths: JSON.parse(row.read_paths) as string[],
      mode: 'run',
      capability: key,
      input,
      token: row.token,
      env: JSON.parse(row.env) as Record<string, string>,
    },
  );
  const finished = new Date();
  const patch = {
    status: (x.ok ? 'succeeded' : 'failed') as WorkerRunRow['status'],
    output: x.ok ? JSON.stringify(x.value ?? null) : null,
    logs: JSON.stringify(x.logs),
    error: x.ok ? null : errorText(x),
    finished_time: finished.toISOString(),
    duration_ms: finished.getTime() - started.getTime(),
  };
  await rt.store.transaction((tx) => tx.workers.updateRun(run.id, patch));
  return { run: { ...run, ...patch }, x };
}

async function recordFailure(rt: WorkerRuntime, run: WorkerRunRow, error: string): Promise<WorkerRunRow> {
  await rt.store.transaction((tx) => tx.workers.updateRun(run.id, { status: 'failed', error }));
  return { ...run, status: 'failed', error };
}

/** Pacers as an execution gets them: the declared budget, the last scheduled time kept. */
function pacersFor(row: WorkerRow) {
  const kept = JSON.parse(row.pacers) as Record<string, { lastScheduledAtMs?: number }>;
  return Object.fromEntries(
    manifestOf(row).pacers.map((p) => [
      p.key,
      {
        lastScheduledAtMs: kept[p.key]?.lastScheduledAtMs ?? 0,
        allowedRequests: p.config.allowedRequests,
        intervalMs: p.config.intervalMs,
      },
    ]),
  );
}

export interface SyncOutcome {
  status: 'succeeded' | 'failed';
  executions: number;
  runs: string[];
  upserted: number;
  deleted: number;
  error: string | null;
}

/**
 * Runs a sync until its cycle ends (hasMore false) or an execution fails; each execution is a
 * run. State, records and pacers are saved after each execution, so a failed cycle continues
 * from its last good state at the next run.
 */
export async function runSyncCycle(
  rt: WorkerRuntime,
  name: string,
  key: string,
  startedBy: string,
): Promise<SyncOutcome> {
  // One cycle at a time per sync: a lease taken here, extended before each execution.
  const until = () => new Date(Date.now() + rt.limits.timeoutMs + 60_000).toISOString();
  const known = await rt.store.transaction((tx) => tx.workers.sync(name, key));
  if (
    known &&
    !(await rt.store.transaction((tx) => tx.workers.leaseSync(name, key, new Date().toISOString(), until())))
  )
    throw errors.validation(
      `Sync ${key} of worker ${name} is running now; run it again when that cycle has ended.`,
    );
  try {
    return await cycle(rt, name, key, startedBy, () =>
      rt.store.transaction((tx) => tx.workers.updateSync(name, key, { running_until: until() })),
    );
  } finally {
    if (known) await rt.store.transaction((tx) => tx.workers.updateSync(name, key, { running_until: null }));
  }
}

async function cycle(
  rt: WorkerRuntime,
  name: string,
  key: string,
  startedBy: string,
  extend: () => Promise<void>,
): Promise<SyncOutcome> {
  const out: SyncOutcome = {
    status: 'succeeded',
    executions: 0,
    runs: [],
    upserted: 0,
    deleted: 0,
    error: null,
  };
  for (;;) {
    if (out.executions > 0) await extend();
    const { row, sync } = await rt.store.transaction(async (tx) => {
      const row = await workerNamed(tx, name);
      const cap = capabilityOf(row, key);
      if (cap._tag !== 'sync') throw errors.validation(`Capability ${key} of worker ${name} is not a sync.`);
      let sync = await tx.workers.sync(name, key);
      if (!sync) throw errors.validation(`Sync ${key} of worker ${name} has no state; deploy it again.`);
      if (sync.state === null && out.executions === 0) {
        // A cycle starts from no state: replace mode counts what it sees in this new cycle.
        sync = { ...sync, cycle: sync.cycle + 1 };
        await tx.workers.updateSync(name, key, { cycle: sync.cycle });
      }
      return { row, sync };
    });
    const cap = capabilityOf(row, key);
    const mode = (cap.config.mode as string | undefined) ?? 'replace';
    const state = sync.state === null ? undefined : (JSON.parse(sync.state) as unknown);
    const { run, x } = await execute(rt, row, key, 'sync', { state, pacers: pacersFor(row) }, startedBy);
    out.executions++;
    out.runs.push(run.id);
    if (!x.ok) {
      out.status = 'failed';
      out.error = run.error;
      if (x.error?._tag === 'rate_limit') {
        const wait = Math.max(60, x.error.retryAfter ?? 60) * 1000;
        await rt.store.transaction((tx) =>
          tx.workers.updateSync(name, key, { next_run_time: new Date(Date.now() + wait).toISOString() }),
        );
      }
      return out;
    }
    const value = x.value as {
      changes?: SyncChange[];
      hasMore?: boolean;
      nextUserContext?: unknown;
      nextPacerStates?: Record<string, unknown>;
    };
    const notion = await clientFor(rt, row.token);
    try {
      const applied = await applyChanges(
        rt.store,
        notion,
        row,
        key,
        sync.cycle,
        value.changes ?? [],
        bindingsOf(row),
      );
      out.upserted += applied.upserted;
      out.deleted += applied.deleted;
      const more = value.hasMore === true;
      if (!more && mode === 'replace')
        out.deleted += await trashStale(rt.store, notion, row, key, sync.cycle);
      const nextState =
        more || mode === 'incremental' ? (value.nextUserContext ?? (more ? null : state)) : null;
      await rt.store.transaction(async (tx) => {
        await tx.workers.updateSync(name, key, {
          state: nextState === null || nextState === undefined ? null : JSON.stringify(nextState),
          last_run_id: run.id,
        });
        if (value.nextPacerStates)
          await tx.workers.update(name, { pacers: JSON.stringify(value.nextPacerStates) });
        await tx.workers.updateRun(run.id, {
          output: JSON.stringify({ ...value, applied }),
        });
      });
      if (!more) return out;
      if (out.executions >= MAX_EXECUTIONS_PER_CYCLE) {
        out.status = 'failed';
        out.error = `the sync answered hasMore after ${MAX_EXECUTIONS_PER_CYCLE} executions; stopped`;
        return out;
      }
    } catch (e) {
      const failed = await recordFailure(rt, run, `applying the changes failed: ${(e as Error).message}`);
      out.status = 'failed';
      out.error = failed.error;
      return out;
    }
  }
}

/**
 * Starts the syncs due at `now` (injectable: tests move the clock). Each due time is claimed by
 * moving `next_run_time` one interval on, so one process starts it once.
 */
export async function tickWorkers(
  rt: WorkerRuntime,
  now: Date,
): Promise<{ worker: string; capability: string }[]> {
  const { syncs, workers } = await rt.store.transaction(async (tx) => ({
    syncs: await tx.workers.syncs(null),
    workers: await tx.workers.list(),
  }));
  const started: { worker: string; capability: string }[] = [];
  for (const s of syncs) {
    if (!s.next_run_time || s.next_run_time > now.toISOString()) continue;
    const row = workers.find((w) => w.name === s.worker_name);
    const cap = row ? manifestOf(row).capabilities.find((c) => c.key === s.capability) : undefined;
    if (!row || !cap) continue;
    const every = intervalOf(cap);
    const next = every === null ? null : new Date(now.getTime() + every).toISOString();
    const mine = await rt.store.transaction((tx) =>
      tx.workers.advanceSync(s.worker_name, s.capability, s.next_run_time!, next),
    );
    if (!mine) continue;
    started.push({ worker: s.worker_name, capability: s.capability });
    const payload = { worker: s.worker_name, capability: s.capability };
    if (rt.queue)
      await rt.queue.enqueue(SYNC_JOB, payload, {
        singletonKey: `${s.worker_name}\u0000${s.capability}`,
        retryLimit: 0,
      });
    else
      await runSyncCycle(rt, s.worker_name, s.capability, 'schedule').catch((e: unknown) => {
        if (!(e instanceof ApiError)) throw e;
      });
  }
  return started;
}

/** What an automation capability is given: the page's id and the page as the worker sees it. */
async function automationEvent(
  rt: WorkerRuntime,
  row: WorkerRow,
  pageId: string | undefined,
  actionType: string,
) {
  if (!pageId) return { actionType };
  let pageData: unknown;
  try {
    pageData = await (await clientFor(rt, row.token)).pages.retrieve({ page_id: pageId });
  } catch {
    pageData = undefined;
  }
  return { pageId, actionType, ...(pageData ? { pageData } : {}) };
}

/**
 * Runs a worker's automation capability for a page (the `run_worker` action of automations);
 * throws when the capability failed, with its error.
 */
export async function runWorkerAutomation(
  rt: WorkerRuntime,
  req: { worker: string; capability: string; pageId?: string | undefined; startedBy: string },
): Promise<WorkerRunRow> {
  const row = await rt.store.transaction((tx) => workerNamed(tx, req.worker));
  const cap = capabilityOf(row, req.capability);
  if (cap._tag !== 'automation')
    throw errors.validation(
      `Capability ${req.capability} of worker ${row.name} is ${cap._tag}, not automation.`,
    );
  const event = await automationEvent(rt, row, req.pageId, 'run_worker');
  const { run } = await execute(rt, row, req.capability, 'automation', event, req.startedBy);
  return run;
}

/** Runs any capability by hand (CLI, admin API); a sync runs a whole cycle. */
export async function runCapability(
  rt: WorkerRuntime,
  name: string,
  key: string,
  input: unknown,
  startedBy: string,
): Promise<{ runs: WorkerRunRow[]; sync?: SyncOutcome }> {
  const row = await rt.store.transaction((tx) => workerNamed(tx, name));
  const cap = capabilityOf(row, key);
  const runsOf = (ids: string[]) =>
    rt.store.transaction(async (tx) =>
      (await Promise.all(ids.map((id) => tx.workers.getRun(id)))).filter((r) => r !== undefined),
    );
  switch (cap._tag) {
    case 'sync': {
      const sync = await runSyncCycle(rt, name, key, startedBy);
      return { runs: await runsOf(sync.runs), sync };
    }
    case 'automation': {
      const i = (input ?? {}) as { pageId?: string; page_id?: string; actionType?: string };
      const event = await automationEvent(rt, row, i.pageId ?? i.page_id, i.actionType ?? 'manual');
      return { runs: [(await execute(rt, row, key, 'automation', event, startedBy)).run] };
    }
    case 'webhook': {
      const events = Array.isArray(input) ? input : [webhookEvent('POST', {}, JSON.stringify(input ?? {}))];
      return { runs: [(await execute(rt, row, key, 'webhook', events, startedBy)).run] };
    }
    case 'tool':
      return { runs: [(await execute(rt, row, key, 'tool', input ?? {}, startedBy)).run] };
    default:
      throw errors.validation(`Capability ${key} is of type ${cap._tag}, which Octavo does not run.`);
  }
}

function webhookEvent(method: string, headers: Record<string, string>, rawBody: string) {
  let body: unknown = {};
  try {
    const parsed = JSON.parse(rawBody) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed;
  } catch {
    body = {};
  }
  return { deliveryId: newId(), body, rawBody, headers, method };
}

export interface InboundRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  query: Record<string, string>;
  /** Lowercased names. */
  headers: Record<string, string>;
  rawBody: string;
}

export interface InboundAnswer {
  status: number;
  body: string;
  contentType: string;
}

/**
 * A request to a webhook capability's inbound URL. Null when the URL names no such worker,
 * token or webhook (404, nothing more said). With a verify handler, it runs first, at once, and
 * its answer is the response: a 2xx goes on to `execute`, a 4xx stops there. Without one, every
 * request is accepted with 202. `execute` runs on the queue (`workers.webhook`), or after the
 * answer where there is none.
 */
export async function handleInbound(
  rt: WorkerRuntime,
  name: string,
  token: string,
  key: string,
  req: InboundRequest,
): Promise<InboundAnswer | null> {
  const row = await rt.store.transaction((tx) => tx.workers.get(name));
  if (!row) return null;
  const a = Buffer.from(row.hook_token);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  const cap = manifestOf(row).capabilities.find((c) => c.key === key);
  if (cap?._tag !== 'webhook') return null;
  let answer: InboundAnswer = { status: 202, body: '', contentType: 'text/plain' };
  if (cap.config.hasVerify) {
    const { x } = await execute(rt, row, key, 'verify', { request: req }, 'webhook');
    const v = x.value as { status?: number; body?: string; contentType?: string } | null;
    const status = v?.status ?? 0;
    if (!x.ok || !((status >= 200 && status < 300) || (status >= 400 && status < 500)))
      return { status: 500, body: 'the webhook verify step failed', contentType: 'text/plain' };
    answer = {
      status,
      body: String(v?.body ?? '').slice(0, 8192),
      contentType: v?.contentType ?? 'text/plain',
    };
    if (status >= 400) return answer;
  }
  if (req.method !== 'POST') return answer;
  const events = [webhookEvent(req.method, req.headers, req.rawBody)];
  if (rt.queue) {
    await rt.queue.enqueue(WEBHOOK_JOB, { worker: name, capability: key, events }, { retryLimit: 2 });
  } else {
    void execute(rt, row, key, 'webhook', events, 'webhook').catch((err: Error) =>
      rt.log?.error({ err }, 'worker webhook failed'),
    );
  }
  return answer;
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

/** Starts the sync and webhook consumers and the minute tick (the job port's schedule). */
export async function startWorkers(rt: WorkerRuntime & { queue: JobQueue }): Promise<RunningWorkers> {
  await rt.queue.consume<{ worker: string; capability: string }>(
    SYNC_JOB,
    async (p) => {
      try {
        await runSyncCycle(rt, p.worker, p.capability, 'schedule');
      } catch (e) {
        // A cycle already running (started by hand) or a worker removed since: nothing to do.
        if (!(e instanceof ApiError)) throw e;
      }
    },
    { concurrency: 4 },
  );
  await rt.queue.consume<{ worker: string; capability: string; events: unknown[] }>(
    WEBHOOK_JOB,
    async (p) => {
      const row = await rt.store.transaction((tx) => tx.workers.get(p.worker));
      if (row) await execute(rt, row, p.capability, 'webhook', p.events, 'webhook');
    },
    { concurrency: 4 },
  );
  await rt.queue.consume(TICK_JOB, async () => void (await tickWorkers(rt, new Date())));
  await rt.queue.schedule(TICK_JOB, '* * * * *');
  return { stop: async () => {} };
}

/** A run as the CLI and admin API show it. */
export function presentWorkerRun(row: WorkerRunRow) {
  return {
    object: 'worker_run',
    id: row.id,
    worker: row.worker_name,
    capability: row.capability,
    kind: row.kind,
    started_by: row.started_by,
    status: row.status,
    input: JSON.parse(row.input) as unknown,
    output: row.output === null ? null : (JSON.parse(row.output) as unknown),
    logs: JSON.parse(row.logs) as unknown[],
    error: row.error,
    started_time: row.started_time,
    finished_time: row.finished_time,
    duration_ms: row.duration_ms,
  };
}
