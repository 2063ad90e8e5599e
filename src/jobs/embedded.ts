/**
 * The embedded adapter: jobs in the SQLite database's own tables (migration 009), run by
 * consumers polling in this process. Every process that opens the database may consume; a claim
 * is one `UPDATE … RETURNING` (SQLite has one writer at a time, so two processes never claim the
 * same attempt), and a claimed job holds a lease its process extends while the handler runs. A
 * process that died stops extending it, and once it expires any consumer takes the job again.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { nextOccurrence } from './cron.ts';
import {
  backoffDelay,
  type ConsumeOptions,
  checkJobName,
  type EnqueueOptions,
  JOB_DEFAULTS,
  type JobHandler,
  type JobInfo,
  type JobQueue,
  type QueueSettings,
} from './port.ts';

/** Completed jobs are kept this long for inspection, then deleted. */
const COMPLETED_RETENTION_MS = 24 * 60 * 60 * 1000;

interface Claimed {
  id: string;
  name: string;
  payload: string;
  attempts: number;
  retry_limit: number;
  backoff_ms: number;
  lock_token: string;
}

interface Consumer {
  handler: JobHandler;
  concurrency: number;
  running: number;
}

/** Opens the embedded queue on a SQLite database migrated to 009. */
// biome-ignore lint/suspicious/noExplicitAny: the jobs tables are outside the store's typed schema
export function embeddedQueue(db: Kysely<any>, settings: QueueSettings = {}): JobQueue {
  return new EmbeddedQueue(db, settings);
}

class EmbeddedQueue implements JobQueue {
  readonly engine = 'embedded';
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly consumers = new Map<string, Consumer>();
  /** Jobs whose handler is running here, by id, with their lease token. */
  private readonly inFlight = new Map<string, { token: string; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling = false;
  private again = false;
  private lastCleanup = 0;

  // biome-ignore lint/suspicious/noExplicitAny: see embeddedQueue
  private readonly db: Kysely<any>;

  // biome-ignore lint/suspicious/noExplicitAny: see embeddedQueue
  constructor(db: Kysely<any>, settings: QueueSettings) {
    this.db = db;
    this.leaseMs = settings.leaseMs ?? JOB_DEFAULTS.leaseMs;
    this.pollMs = settings.pollMs ?? JOB_DEFAULTS.pollMs;
  }

  async enqueue(name: string, payload: unknown, options: EnqueueOptions = {}): Promise<string | null> {
    checkJobName(name);
    const id = randomUUID();
    const now = Date.now();
    const { rows } = await sql<{ id: string }>`insert into jobs
      (id, name, payload, state, run_at, retry_limit, backoff_ms, singleton_key, created_at)
      values (${id}, ${name}, ${JSON.stringify(payload ?? null)}, 'queued',
        ${options.runAt?.getTime() ?? now}, ${options.retryLimit ?? JOB_DEFAULTS.retryLimit},
        ${options.backoffMs ?? JOB_DEFAULTS.backoffMs}, ${options.singletonKey ?? null}, ${now})
      on conflict do nothing returning id`.execute(this.db);
    if (rows.length > 0 && this.consumers.has(name)) this.wake();
    return rows[0]?.id ?? null;
  }

  async enqueueMany(name: string, payloads: readonly unknown[], options: EnqueueOptions = {}): Promise<void> {
    checkJobName(name);
    if (options.singletonKey) throw new Error('enqueueMany takes no singletonKey');
    const now = Date.now();
    const runAt = options.runAt?.getTime() ?? now;
    const retryLimit = options.retryLimit ?? JOB_DEFAULTS.retryLimit;
    const backoffMs = options.backoffMs ?? JOB_DEFAULTS.backoffMs;
    // 9 bind parameters a job: 500 jobs stay far below SQLite's limit of 32,766.
    for (let i = 0; i < payloads.length; i += 500) {
      const rows = payloads.slice(i, i + 500).map(
        (payload) =>
          sql`(${randomUUID()}, ${name}, ${JSON.stringify(payload ?? null)}, 'queued', ${runAt},
              ${retryLimit}, ${backoffMs}, ${null}, ${now})`,
      );
      await sql`insert into jobs
        (id, name, payload, state, run_at, retry_limit, backoff_ms, singleton_key, created_at)
        values ${sql.join(rows)}`.execute(this.db);
    }
    if (payloads.length > 0 && this.consumers.has(name)) this.wake();
  }

  async schedule(name: string, cron: string, payload?: unknown): Promise<void> {
    checkJobName(name);
    const next = nextOccurrence(cron, new Date()).getTime();
    await sql`insert into job_schedules (name, cron, payload, next_run_at)
      values (${name}, ${cron}, ${JSON.stringify(payload ?? null)}, ${next})
      on conflict (name) do update set cron = excluded.cron, payload = excluded.payload,
        next_run_at = case when job_schedules.cron = excluded.cron
          then job_schedules.next_run_at else excluded.next_run_at end`.execute(this.db);
    this.start();
  }

  async unschedule(name: string): Promise<void> {
    await sql`delete from job_schedules where name = ${name}`.execute(this.db);
  }

  async consume<P>(name: string, handler: JobHandler<P>, options: ConsumeOptions = {}): Promise<void> {
    checkJobName(name);
    if (this.stopped) throw new Error('the job queue is stopped');
    if (this.consumers.has(name)) throw new Error(`jobs named ${name} already have a consumer`);
    const concurrency = Math.max(1, options.concurrency ?? 1);
    this.consumers.set(name, { handler: handler as JobHandler, concurrency, running: 0 });
    this.start();
    this.wake();
  }

  async job(_name: string, id: string): Promise<JobInfo | null> {
    const { rows } = await sql<{
      id: string;
      name: string;
      state: JobInfo['state'];
      attempts: number;
      payload: string;
    }>`
      select id, name, state, attempts, payload from jobs where id = ${id}`.execute(this.db);
    const row = rows[0];
    return row ? { ...row, payload: JSON.parse(row.payload) } : null;
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const all = Promise.all([...this.inFlight.values()].map((j) => j.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((done) => (timer = setTimeout(done, timeoutMs)))]);
    clearTimeout(timer);
    // Handlers still running are given back: another process may take them at once.
    for (const [id, { token }] of this.inFlight) {
      await sql`update jobs set state = 'queued', run_at = ${Date.now()}, locked_until = null,
        lock_token = null where id = ${id} and lock_token = ${token}`.execute(this.db);
    }
  }

  private start(): void {
    if (!this.timer && !this.stopped) this.timer = setTimeout(() => this.poll(), 0);
  }

  private wake(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), 0);
  }

  /** One round: fail dead jobs, fire due schedules, claim work for free slots. */
  private async poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = true;
    try {
      const now = Date.now();
      await this.sweep(now);
      await this.fireSchedules(now);
      for (const [name, consumer] of this.consumers) await this.claim(name, consumer);
    } catch (e) {
      console.error('octavo: job queue poll failed:', e);
    } finally {
      this.polling = false;
      if (!this.stopped) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.poll(), this.again ? 0 : this.pollMs);
        this.again = false;
      }
    }
  }

  /** Jobs whose lease ran out with no retry left fail; old completed jobs go. */
  private async sweep(now: number): Promise<void> {
    await sql`update jobs set state = 'failed', finished_at = ${now}, locked_until = null,
      lock_token = null, last_error = 'its process stopped while running it (lease expired)'
      where state = 'active' and locked_until < ${now} and attempts > retry_limit`.execute(this.db);
    if (now - this.lastCleanup > 60_000) {
      this.lastCleanup = now;
      await sql`delete from jobs where state = 'completed'
        and finished_at < ${now - COMPLETED_RETENTION_MS}`.execute(this.db);
    }
  }

  /** Each due schedule is advanced by exactly one process (compare and set), which enqueues. */
  private async fireSchedules(now: number): Promise<void> {
    const { rows } = await sql<{ name: string; cron: string; payload: string; next_run_at: number }>`
      select name, cron, payload, next_run_at from job_schedules where next_run_at <= ${now}`.execute(
      this.db,
    );
    for (const s of rows) {
      const next = nextOccurrence(s.cron, new Date(Math.max(now, s.next_run_at))).getTime();
      await this.db.transaction().execute(async (tx) => {
        const moved = await sql`update job_schedules set next_run_at = ${next}
          where name = ${s.name} and next_run_at = ${s.next_run_at}`.execute(tx);
        if (Number(moved.numAffectedRows ?? 0) !== 1) return;
        await sql`insert into jobs (id, name, payload, state, run_at, retry_limit, backoff_ms, created_at)
          values (${randomUUID()}, ${s.name}, ${s.payload}, 'queued', ${now},
            ${JOB_DEFAULTS.retryLimit}, ${JOB_DEFAULTS.backoffMs}, ${now})`.execute(tx);
      });
    }
  }

  private async claim(name: string, consumer: Consumer): Promise<void> {
    const free = consumer.concurrency - consumer.running;
    if (free <= 0 || this.stopped) return;
    const now = Date.now();
    const token = randomUUID();
    const { rows } = await sql<Claimed>`update jobs set state = 'active', attempts = attempts + 1,
        locked_until = ${now + this.leaseMs}, lock_token = ${token}
      where id in (select id from jobs where name = ${name} and (
          (state = 'queued' and run_at <= ${now})
          or (state = 'active' and locked_until < ${now} and attempts <= retry_limit))
        order by run_at limit ${free})
      returning id, name, payload, attempts, retry_limit, backoff_ms, lock_token`.execute(this.db);
    for (const job of rows) this.run(consumer, job);
    // A full batch suggests more is waiting: look again at once rather than after pollMs.
    if (rows.length === free) this.again = true;
  }

  private run(consumer: Consumer, job: Claimed): void {
    consumer.running++;
    const beat = setInterval(() => {
      sql`update jobs set locked_until = ${Date.now() + this.leaseMs}
        where id = ${job.id} and lock_token = ${job.lock_token}`
        .execute(this.db)
        .catch((e) => console.error('octavo: extending a job lease failed:', e));
    }, this.leaseMs / 3);
    const done = (async () => {
      let error: unknown;
      try {
        await consumer.handler(JSON.parse(job.payload), {
          id: job.id,
          name: job.name,
          attempt: job.attempts,
        });
      } catch (e) {
        error = e ?? new Error('handler failed');
      }
      clearInterval(beat);
      await this.settle(job, error).catch((e) => console.error('octavo: settling a job failed:', e));
    })().finally(() => {
      consumer.running--;
      this.inFlight.delete(job.id);
      this.wake();
    });
    this.inFlight.set(job.id, { token: job.lock_token, done });
  }

  /** Records the attempt's outcome, unless the lease was lost (then its new holder decides). */
  private async settle(job: Claimed, error: unknown): Promise<void> {
    const now = Date.now();
    if (error === undefined) {
      await sql`update jobs set state = 'completed', finished_at = ${now}, locked_until = null,
        lock_token = null where id = ${job.id} and lock_token = ${job.lock_token}`.execute(this.db);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (job.attempts > job.retry_limit) {
      await sql`update jobs set state = 'failed', finished_at = ${now}, locked_until = null,
        lock_token = null, last_error = ${message}
        where id = ${job.id} and lock_token = ${job.lock_token}`.execute(this.db);
    } else {
      const runAt = now + backoffDelay(job.backoff_ms, job.attempts);
      await sql`update jobs set state = 'queued', run_at = ${runAt}, locked_until = null,
        lock_token = null, last_error = ${message}
        where id = ${job.id} and lock_token = ${job.lock_token}`.execute(this.db);
    }
  }
}
