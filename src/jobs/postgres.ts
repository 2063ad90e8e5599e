/**
 * The Postgres adapter: pg-boss (chosen over graphile-worker by measurement, docs/benchmarks.md
 * "Job queues"), installed in the same schema as Octavo's tables. pg-boss creates and migrates
 * its own tables there (`job`, `queue`, `schedule`, `version`, …) on start. Claims use
 * `FOR UPDATE SKIP LOCKED` and completion is fenced on the attempt, so consumers in many
 * processes never run one attempt twice; a job whose process died is retried once its lease
 * (`heartbeatSeconds`, or `expireInSeconds` for leases under 10 s) runs out.
 */
import pg from 'pg';
import { type JobWithMetadata, PgBoss } from 'pg-boss';
import { PreparedNames, runPrepared } from '../lib/prepared.ts';
import {
  type ConsumeOptions,
  checkJobName,
  type EnqueueOptions,
  JOB_DEFAULTS,
  type JobHandler,
  type JobInfo,
  type JobQueue,
  type JobState,
  type QueueSettings,
} from './port.ts';

/** Where pg-boss connects and installs. */
export interface PgBossSettings extends QueueSettings {
  connectionString: string;
  /** Octavo's schema (OCTAVO_PG_SCHEMA); `public` when unset. */
  schema?: string | undefined;
}

/** pg-boss's shortest heartbeat; shorter leases use a hard expiry instead. */
const MIN_HEARTBEAT_S = 10;
/** The longest a handler may run when leases are kept by heartbeats. */
const MAX_RUN_S = 6 * 60 * 60;

/** Payloads travel wrapped: pg-boss wants an object, ours may be any JSON value. */
interface Wrapped {
  payload: unknown;
}

const STATES: Record<JobWithMetadata['state'], JobState> = {
  created: 'queued',
  retry: 'queued',
  active: 'active',
  completed: 'completed',
  cancelled: 'failed',
  failed: 'failed',
};

/**
 * pg-boss's two statements per job, its fetch (`… FOR UPDATE OF j SKIP LOCKED`, the queue's name
 * and options written into the text) and its completion, sent by pg-boss as unnamed statements:
 * Postgres parsed and planned each for every job, about half of their server time (measured
 * alone on a table of 1,000 waiting jobs: 0.55 and 0.5 ms of backend CPU, prepared 0.28 and 0.27;
 * docs/benchmarks.md "Session 9 (branch runpg)"). A connection of pg-boss's pool runs those two
 * shapes as named statements instead, prepared on first use; their texts are a few per queue.
 * Every other text (migrations, maintenance, cron, sends) goes as pg-boss sent it.
 */
const PREPARED_SHAPES = [
  /\bnext AS \(\s*SELECT j\.id\b[\s\S]*FOR UPDATE OF j SKIP LOCKED/,
  /^\s*WITH results AS \(\s*UPDATE\s+\S+\s+SET\s+completed_on\s*=/,
];
/** At most this many texts are prepared (a few per queue); the rest run unnamed. */
const MAX_PREPARED = 64;
const bossNames = new PreparedNames('octavo_boss_', {
  max: MAX_PREPARED,
  admit: (text) => PREPARED_SHAPES.some((shape) => shape.test(text)),
});

/**
 * The client class of pg-boss's pool (pg-pool's `Client` option): see PREPARED_SHAPES. A text the
 * server refuses as prepared runs unnamed from then on, and again at once when it ran on its own
 * (pg-boss sends the fetch and the completion outside a transaction), so a fetch does not fail
 * and a handled job is not left active until its lease runs out (lib/prepared.ts `runPrepared`).
 */
class PreparingClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config);
    runPrepared(this as never, bossNames);
  }
}

/** Starts pg-boss (installing or migrating its tables) and returns the queue. */
export async function pgBossQueue(settings: PgBossSettings): Promise<JobQueue> {
  const leaseS = Math.max(1, Math.ceil((settings.leaseMs ?? JOB_DEFAULTS.leaseMs) / 1000));
  const pollS = Math.max(0.5, (settings.pollMs ?? JOB_DEFAULTS.pollMs) / 1000);
  const superviseS = Math.min(60, Math.max(1, Math.floor(leaseS / 2)));
  const boss = new PgBoss({
    connectionString: settings.connectionString,
    schema: settings.schema ?? 'public',
    max: 4,
    // Not in pg-boss's options' type: passed through to its pg.Pool (pg-pool's `Client`).
    ...({ Client: PreparingClient } as object),
    useListenNotify: true,
    // Lost leases are found by the supervisor: often enough that a lease is not overrun by much.
    superviseIntervalSeconds: superviseS,
    monitorIntervalSeconds: superviseS,
    cronMonitorIntervalSeconds: 1,
    cronWorkerIntervalSeconds: 1,
  });
  boss.on('error', (e) => console.error('octavo: pg-boss:', e));
  await boss.start();
  const schema = settings.schema ?? 'public';
  const keys = new pg.Pool({ connectionString: settings.connectionString, max: 2 });
  keys.on('error', (e) => console.error('octavo: job queue connection lost:', e.message));
  const lease =
    leaseS >= MIN_HEARTBEAT_S
      ? { heartbeatSeconds: leaseS, expireInSeconds: MAX_RUN_S }
      : { expireInSeconds: leaseS };
  const queues = new Map<string, Promise<void>>();
  const ensure = (name: string) => {
    checkJobName(name);
    let made = queues.get(name);
    if (!made) {
      made = (async () => {
        if (!(await boss.getQueue(name))) await boss.createQueue(name, { ...lease, notify: true });
      })();
      made.catch(() => queues.delete(name));
      queues.set(name, made);
    }
    return made;
  };
  const retry = (o: EnqueueOptions) => ({
    retryLimit: o.retryLimit ?? JOB_DEFAULTS.retryLimit,
    // pg-boss counts whole seconds, and its back-off adds jitter (up to the full delay).
    retryDelay: Math.max(1, Math.round((o.backoffMs ?? JOB_DEFAULTS.backoffMs) / 1000)),
    retryBackoff: true,
  });

  return {
    engine: 'pg-boss',
    async enqueue(name, payload, options = {}) {
      await ensure(name);
      const send = (db?: pg.PoolClient) =>
        boss.send(name, { payload } satisfies Wrapped, {
          ...retry(options),
          ...(options.runAt ? { startAfter: options.runAt } : {}),
          ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
          ...(db ? { db: { executeSql: (text: string, values?: unknown[]) => db.query(text, values) } } : {}),
        });
      if (!options.singletonKey) return send();
      return sendOnce(keys, schema, name, options.singletonKey, send);
    },
    async enqueueMany(name, payloads, options = {}) {
      if (options.singletonKey) throw new Error('enqueueMany takes no singletonKey');
      if (payloads.length === 0) return;
      await ensure(name);
      // pg-boss's insert: one statement (json_to_recordset) per call, the queue's defaults applied.
      for (let i = 0; i < payloads.length; i += 500)
        await boss.insert(
          name,
          payloads.slice(i, i + 500).map((payload) => ({
            data: { payload } satisfies Wrapped,
            ...retry(options),
            ...(options.runAt ? { startAfter: options.runAt } : {}),
          })),
        );
    },
    async schedule(name, cron, payload) {
      await ensure(name);
      await boss.schedule(name, cron, { payload } satisfies Wrapped, { tz: 'UTC', ...retry({}) });
    },
    async unschedule(name) {
      await boss.unschedule(name);
    },
    async consume<P>(name: string, handler: JobHandler<P>, options: ConsumeOptions = {}) {
      await ensure(name);
      // One pg-boss worker per slot, each fetching one job. A worker that just ran a job is woken
      // (notifyWorker) to fetch again at once: pg-boss otherwise waits out its poll interval after
      // every single-job fetch, which measured 21 jobs/s for ten slots.
      for (let slot = 0; slot < Math.max(1, options.concurrency ?? 1); slot++) {
        let workerId: string | undefined;
        workerId = await boss.work<Wrapped>(
          name,
          {
            batchSize: 1,
            // NOTIFY wakes a worker for new jobs only; retries and lost leases come due silently,
            // so the backstop poll must stay as frequent as the plain one.
            pollingIntervalSeconds: pollS,
            notifyPollingIntervalSeconds: pollS,
            includeMetadata: true,
          },
          async ([job]) => {
            if (!job) return;
            try {
              await handler(job.data.payload as P, { id: job.id, name, attempt: job.retryCount + 1 });
            } finally {
              if (workerId) boss.notifyWorker(workerId);
            }
          },
        );
      }
    },
    async job(name, id): Promise<JobInfo | null> {
      await ensure(name);
      const job = await boss.getJobById<Wrapped>(name, id);
      if (!job) return null;
      const state = STATES[job.state];
      const attempts = job.retryCount + (job.state === 'created' || job.state === 'retry' ? 0 : 1);
      return { id: job.id, name, state, attempts, payload: job.data.payload };
    },
    async stop(timeoutMs = 10_000) {
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
      await keys.end();
    },
  };
}

/**
 * Sends unless a job of `name` with `key` is waiting or running. pg-boss enforces keys only
 * through queue policies that also limit jobs without a key, so the check is ours: a transaction
 * holds an advisory lock on (schema, name, key), looks for such a job and sends in the same
 * transaction, so two enqueues with one key cannot both pass.
 */
async function sendOnce(
  pool: pg.Pool,
  schema: string,
  name: string,
  key: string,
  send: (db: pg.PoolClient) => Promise<string | null>,
): Promise<string | null> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      JSON.stringify([schema, name, key]),
    ]);
    const found = await client.query(
      `select 1 from ${pg.escapeIdentifier(schema)}.job where name = $1 and singleton_key = $2
        and state in ('created', 'retry', 'active') limit 1`,
      [name, key],
    );
    const id = found.rowCount ? null : await send(client);
    await client.query('commit');
    return id;
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
