/**
 * The job port: background work that outlives a request (webhook delivery, event aggregation,
 * later automations and schedules). Two adapters implement it: `embedded.ts` (our own tables in
 * the SQLite database, polled in this process) and `postgres.ts` (pg-boss). Nothing outside
 * `jobs/` knows which one runs.
 *
 * Delivery is at least once. A handler may run more than once for one job: after its process
 * died mid-run (the job is taken again once its lease expires), or when it finished its work but
 * the process died before the job was marked done. Handlers must therefore be idempotent: key
 * their side effects by `job.id` (or by the payload's own id, e.g. an event id a receiver
 * de-duplicates by) and tolerate finding them already done.
 */

/** What a job is, as tests and the command line read it. */
export type JobState = 'queued' | 'active' | 'completed' | 'failed';

/** Options of one enqueued job. */
export interface EnqueueOptions {
  /** Not before this time (default: now). */
  runAt?: Date | undefined;
  /**
   * De-duplication key: while a job of this name with this key is queued or running, enqueueing
   * another is a no-op (enqueue answers null).
   */
  singletonKey?: string | undefined;
  /** Retries after the first attempt before the job is failed (default 5). */
  retryLimit?: number | undefined;
  /** Delay before the first retry; each further retry waits twice as long (default 1,000 ms). */
  backoffMs?: number | undefined;
}

/** One attempt at a job, as its handler sees it. */
export interface JobContext {
  id: string;
  name: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/** Does the work of one job; a throw (or rejection) fails the attempt, and it is retried. */
export type JobHandler<P = unknown> = (payload: P, job: JobContext) => Promise<void>;

/** Options of a consumer. */
export interface ConsumeOptions {
  /** Jobs of this name run at once in this process (default 1). */
  concurrency?: number | undefined;
}

/** A job as stored, for inspection. */
export interface JobInfo {
  id: string;
  name: string;
  state: JobState;
  /** Attempts started so far. */
  attempts: number;
  payload: unknown;
}

/** The queue: enqueue, schedule, consume, stop. */
export interface JobQueue {
  /** Which engine runs the jobs. */
  readonly engine: 'embedded' | 'pg-boss';
  /** Adds a job; resolves with its id, or null when `singletonKey` found one already waiting. */
  enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<string | null>;
  /**
   * Adds a job per payload, all with `options` (no `singletonKey`), in one statement per few
   * hundred jobs: what a burst of work (a dispatcher look's runs) costs the database.
   */
  enqueueMany(name: string, payloads: readonly unknown[], options?: EnqueueOptions): Promise<void>;
  /**
   * Enqueues `name` with `payload` at every occurrence of `cron` (five fields, or six with
   * seconds first; UTC). Calling it again replaces the schedule; every process may call it.
   */
  schedule(name: string, cron: string, payload?: unknown): Promise<void>;
  /** Removes a schedule. */
  unschedule(name: string): Promise<void>;
  /** Starts running jobs of `name` in this process. */
  consume<P = unknown>(name: string, handler: JobHandler<P>, options?: ConsumeOptions): Promise<void>;
  /** The stored job, or null. */
  job(name: string, id: string): Promise<JobInfo | null>;
  /**
   * Stops taking jobs and waits for running handlers up to `timeoutMs` (default 10 s). A job still
   * running then is left to its lease and runs again in another process.
   */
  stop(timeoutMs?: number): Promise<void>;
}

/** Settings both adapters share. */
export interface QueueSettings {
  /**
   * How long a claimed job stays claimed without news from its process: a process that died is
   * noticed after this long and its job runs again (default 60 s).
   */
  leaseMs?: number | undefined;
  /** How often an idle consumer looks for work (default 500 ms; embedded only). */
  pollMs?: number | undefined;
}

/** Defaults of EnqueueOptions and QueueSettings. */
export const JOB_DEFAULTS = { retryLimit: 5, backoffMs: 1000, leaseMs: 60_000, pollMs: 500 };

/** The delay before retry number `retry` (1 for the first). */
export function backoffDelay(backoffMs: number, retry: number): number {
  return backoffMs * 2 ** Math.min(retry - 1, 20);
}

/** A job name both engines accept: letters, digits, `.`, `_`, `-`, `/`. */
export function checkJobName(name: string): void {
  if (!/^[A-Za-z0-9._/-]{1,100}$/.test(name)) throw new Error(`invalid job name: ${name}`);
}
