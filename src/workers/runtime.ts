/**
 * Executing deployed workers: one capability per execution in the sandbox (sandbox.ts), each
 * recorded as a `worker_runs` row (input, the output envelope's value, logs, error, timing).
 *
 * Syncs: an execution gets `{state, pacers}` (the previous `nextState`, the declared pacers) and
 * answers `{changes, hasMore, nextUserContext, nextPacerStates}`. Each `pacer.wait()` takes the
 * next slot of the pacer's schedule shared by every execution of the worker in every process
 * (`worker_pacers`, `reservePacer`), so concurrent syncs together keep the declared rate. Changes are applied to the bound
 * data sources as the worker's integration, through /v1 (`clientFor`): an upsert updates the page
 * that holds the key (remembered in `worker_records`, else found by the primary key property's
 * value) or creates one; a delete moves it to the trash. While `hasMore`, the next execution
 * follows at once with `nextState`. When a cycle ends, `replace` mode trashes the pages of keys
 * this sync wrote before and did not see in the cycle and starts the next cycle from no state;
 * `incremental` keeps the last state for the next run. The schedule (`1h`, `continuous`,
 * `manual`) is kept in `worker_syncs.next_run_time`; the job port's minute tick starts due syncs
 * as `workers.sync` jobs, one at a time per sync (singleton key).
 *
 * Webhooks: the verify step answers the HTTP request at once (a short time limit); an accepted
 * delivery is recorded as a `queued` run in the same process before the answer, and executed by
 * the job process (`workers.webhook`, at least once: a job lost with its process runs again with
 * the same delivery id).
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
/**
 * A verify step answers an HTTP request: it gets at most this long by default (the package asks
 * for a few seconds, sandbox start included; OCTAVO_WORKER_VERIFY_TIMEOUT_MS changes it).
 */
export const VERIFY_TIMEOUT_MS = 10_000;
/**
 * A webhook capability whose `execute` threw the package's `WebhookVerificationError` this many
 * times in a row (since the worker was last deployed) is cut off: its URL answers 403 without
 * running anything, and deliveries still queued are recorded as failed unexecuted, until the
 * worker is deployed again (what the package documents of Notion's platform: after 5
 * consecutive verification failures it rejects every request for the webhook).
 */
export const VERIFY_FAILURE_LIMIT = 5;
/** How a delivery refused by the cut-off is recorded (not counted as a failure of its own). */
const CUT_OFF = 'cut off:';

/** Whether webhook `key` of `row` is cut off (VERIFY_FAILURE_LIMIT). */
export async function webhookCutOff(store: Store, row: WorkerRow, key: string): Promise<boolean> {
  const runs = await store.read((tx) =>
    tx.workers.finishedHookRuns(row.name, key, row.updated_time, 4 * VERIFY_FAILURE_LIMIT),
  );
  let streak = 0;
  for (const run of runs) {
    if (run.error?.startsWith(CUT_OFF)) continue;
    if (run.status !== 'failed' || !run.error?.startsWith('WebhookVerificationError')) return false;
    if (++streak >= VERIFY_FAILURE_LIMIT) return true;
  }
  return false;
}

const cutOffText = (key: string) =>
  `The webhook ${key} is cut off after ${VERIFY_FAILURE_LIMIT} consecutive verification failures; deploy the worker again to accept requests.`;

/** How often the job process looks for webhook deliveries recorded by a process without a queue. */
export const HOOK_POLL_MS = 500;

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
  /** The pacers' clock, ms since the epoch (default Date.now; tests inject one). */
  now?: (() => number) | undefined;
  /** The time limit of webhook verify steps (default VERIFY_TIMEOUT_MS, never above `limits`). */
  verifyTimeoutMs?: number | undefined;
  /** How often startWorkers looks for queued webhook deliveries (default HOOK_POLL_MS). */
  hookPollMs?: number | undefined;
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

/** Options of one execution. */
export interface ExecuteOptions {
  /** A run already recorded (a queued webhook delivery, claimed): updated rather than inserted. */
  run?: WorkerRunRow | undefined;
  /** A shorter time limit than the runtime's (verify steps). */
  timeoutMs?: number | undefined;
  /** Pacer waits take slots from the worker's shared schedule (syncs). */
  sharedPacers?: boolean | undefined;
}

/** Runs one capability once in the sandbox and records it. */
export async function execute(
  rt: WorkerRuntime,
  row: WorkerRow,
  key: string,
  kind: WorkerRunKind,
  input: unknown,
  startedBy: string,
  options: ExecuteOptions = {},
): Promise<{ run: WorkerRunRow; x: Execution }> {
  const started = new Date();
  const run: WorkerRunRow = options.run
    ? { ...options.run, status: 'running', started_time: started.toISOString() }
    : {
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
  if (!options.run) await rt.store.transaction((tx) => tx.workers.insertRun(run));
  const limits = options.timeoutMs
    ? { ...rt.limits, timeoutMs: Math.min(rt.limits.timeoutMs, options.timeoutMs) }
    : rt.limits;
  const x = await executeInSandbox(
    {
      api: rt.api,
      baseUrl: rt.baseUrl,
      limits,
      pace: options.sharedPacers ? (pacer) => nextPacerSlot(rt, row, pacer) : undefined,
    },
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

/**
 * Pacers as an execution gets them: the declared budget and the shared schedule's last slot
 * (what a package that cannot be given the shared schedule paces from).
 */
async function pacersFor(rt: WorkerRuntime, row: WorkerRow) {
  const slots = await rt.store.transaction((tx) => tx.workers.pacerSlots(row.name));
  return Object.fromEntries(
    manifestOf(row).pacers.map((p) => [
      p.key,
      {
        lastScheduledAtMs: slots[p.key] ?? 0,
        allowedRequests: p.config.allowedRequests,
        intervalMs: p.config.intervalMs,
      },
    ]),
  );
}

/**
 * The next request slot of pacer `key`, shared by every execution of the worker: requests are
 * spaced `ceil(intervalMs / allowedRequests)` apart, as the package spaces one execution's.
 * Answers how long to wait (null for a pacer the worker did not declare: the package then says so).
 */
export async function nextPacerSlot(rt: WorkerRuntime, row: WorkerRow, key: string): Promise<number | null> {
  const p = manifestOf(row).pacers.find((x) => x.key === key);
  if (!p || !(p.config.allowedRequests > 0) || !(p.config.intervalMs >= 0)) return null;
  const paceMs = Math.ceil(p.config.intervalMs / p.config.allowedRequests);
  const now = (rt.now ?? Date.now)();
  const slot = await rt.store.transaction((tx) => tx.workers.reservePacer(row.name, key, paceMs, now));
  return Math.max(0, slot - now);
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
    const pacers = await pacersFor(rt, row);
    const { run, x } = await execute(rt, row, key, 'sync', { state, pacers }, startedBy, {
      sharedPacers: true,
    });
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

function webhookEvent(
  method: string,
  headers: Record<string, string>,
  rawBody: string,
  deliveryId: string = newId(),
) {
  let body: unknown = {};
  try {
    const parsed = JSON.parse(rawBody) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed;
  } catch {
    body = {};
  }
  return { deliveryId, body, rawBody, headers, method };
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
 * token or webhook (404, nothing more said). With a verify handler, it runs first, at once (at
 * most VERIFY_TIMEOUT_MS), and its answer is the response: a 2xx goes on to `execute`, a 4xx
 * stops there. Without one, every request is accepted with 202. An accepted POST is recorded as
 * a `queued` webhook run (its id is the delivery id) before the answer; the job process executes
 * it (`workers.webhook`): enqueued here when this process has a queue, else found by the job
 * process's poll (startWorkers).
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
  if (await webhookCutOff(rt.store, row, key))
    return { status: 403, body: cutOffText(key), contentType: 'text/plain' };
  let answer: InboundAnswer = { status: 202, body: '', contentType: 'text/plain' };
  if (cap.config.hasVerify) {
    const { x } = await execute(rt, row, key, 'verify', { request: req }, 'webhook', {
      timeoutMs: rt.verifyTimeoutMs ?? VERIFY_TIMEOUT_MS,
    });
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
  const id = newId();
  const run: WorkerRunRow = {
    id,
    worker_name: name,
    capability: key,
    kind: 'webhook',
    started_by: 'webhook',
    status: 'queued',
    input: JSON.stringify([webhookEvent(req.method, req.headers, req.rawBody, id)]),
    output: null,
    logs: '[]',
    error: null,
    started_time: new Date().toISOString(),
    finished_time: null,
    duration_ms: null,
  };
  await rt.store.transaction((tx) => tx.workers.insertRun(run));
  if (rt.queue) await enqueueHook(rt.queue, id);
  return answer;
}

/** Hands a queued delivery to the queue; a second call while its job waits or runs is a no-op. */
function enqueueHook(queue: JobQueue, runId: string) {
  return queue.enqueue(WEBHOOK_JOB, { runId }, { singletonKey: runId, retryLimit: 3 });
}

/**
 * Executes a queued webhook delivery (the `workers.webhook` job). The run is claimed from
 * `queued`; a later attempt of the same job (its process died mid-execution) takes a `running`
 * one over and executes it again with the same events and delivery id. A delivery already
 * finished, or claimed by another job's first attempt, is left alone. A failing `execute` is
 * recorded and not retried (like automations' scripts).
 */
export async function runQueuedHook(rt: WorkerRuntime, runId: string, attempt: number): Promise<void> {
  const from: WorkerRunRow['status'][] = attempt > 1 ? ['queued', 'running'] : ['queued'];
  const claimed = await rt.store.transaction(async (tx) => {
    const run = await tx.workers.getRun(runId);
    if (!run || !(await tx.workers.moveRun(runId, from, { status: 'running' }))) return null;
    return { run, row: await tx.workers.get(run.worker_name) };
  });
  if (!claimed) return;
  const { run, row } = claimed;
  const cap = row ? manifestOf(row).capabilities.find((c) => c.key === run.capability) : undefined;
  if (!row || cap?._tag !== 'webhook') {
    const error = `the worker or its webhook ${run.capability} was removed before the delivery ran`;
    await rt.store.transaction((tx) =>
      tx.workers.updateRun(runId, { status: 'failed', error, finished_time: new Date().toISOString() }),
    );
    return;
  }
  if (await webhookCutOff(rt.store, row, run.capability)) {
    const error = `${CUT_OFF} ${cutOffText(run.capability)}`;
    await rt.store.transaction((tx) =>
      tx.workers.updateRun(runId, { status: 'failed', error, finished_time: new Date().toISOString() }),
    );
    return;
  }
  await execute(rt, row, run.capability, 'webhook', JSON.parse(run.input) as unknown, run.started_by, {
    run,
  });
}

/** Enqueues the deliveries recorded as queued (by a process without a queue); how many it saw. */
export async function enqueueQueuedHooks(rt: WorkerRuntime & { queue: JobQueue }): Promise<number> {
  const queued = await rt.store.transaction((tx) => tx.workers.queuedHooks(100));
  for (const run of queued) await enqueueHook(rt.queue, run.id);
  return queued.length;
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
  await rt.queue.consume<{ runId?: string; worker?: string; capability?: string; events?: unknown[] }>(
    WEBHOOK_JOB,
    async (p, job) => {
      if (p.runId) return runQueuedHook(rt, p.runId, job.attempt);
      // A job enqueued before deliveries were recorded (migration 023) carries its events.
      const row = p.worker ? await rt.store.transaction((tx) => tx.workers.get(p.worker!)) : undefined;
      if (row && p.capability) await execute(rt, row, p.capability, 'webhook', p.events, 'webhook');
    },
    { concurrency: 4 },
  );
  await rt.queue.consume(TICK_JOB, async () => void (await tickWorkers(rt, new Date())));
  await rt.queue.schedule(TICK_JOB, '* * * * *');
  // Deliveries recorded by processes without a queue (the HTTP server's routes) are found here.
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let looking: Promise<void> = Promise.resolve();
  const look = () => {
    looking = enqueueQueuedHooks(rt)
      .then(() => {})
      .catch((err: Error) => {
        if (rt.log) rt.log.error({ err }, 'looking for worker webhook deliveries failed');
        else console.error(`octavo: looking for worker webhook deliveries failed: ${err.message}`);
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(look, rt.hookPollMs ?? HOOK_POLL_MS);
      });
  };
  look();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await looking;
    },
  };
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
