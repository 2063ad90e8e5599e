/**
 * Running `allow_async` writes: the task is queued in the request's transaction and answered
 * (202); the write runs right after in this process, in its own transaction, and records its
 * outcome on the task (ops/async-tasks.ts). A poll that arrives while the write is still running
 * here waits for it (up to a few seconds), so a client polling at once sees it finished. A task
 * whose server stopped before running it reads as failed after a while (TASK_LOST_AFTER_MS).
 */
import type { Context } from 'hono';
import { finishTask, queueTask } from '../ops/async-tasks.ts';
import type { OpEnv } from '../ops/env.ts';
import { presentAsyncTask } from '../present/async-task.present.ts';
import type { StoreTx } from '../store/store.ts';
import { ApiError, clientMessage } from '../wire/errors.ts';
import { writeOptions } from './kit.ts';
import { ok } from './respond.ts';
import type { AppDeps, AppEnv } from './types.ts';

/** Tasks running in this process, by id. */
const running = new Map<string, Promise<void>>();

/** How long a poll waits for a task this process is running. */
const POLL_WAIT_MS = 5000;

/** Queues `work` as a task of `operation`, answers 202 with the task, and runs it. */
export async function answerAsync(
  c: Context<AppEnv>,
  deps: AppDeps,
  env: OpEnv,
  operation: string,
  work: (tx: StoreTx) => Promise<object>,
) {
  const task = await deps.store.transaction((tx) => queueTask(tx, env, operation));
  const done = new Promise<void>((resolve) => setImmediate(resolve))
    .then(async () => {
      try {
        await deps.store.transaction(
          async (tx) => finishTask(tx, task.id, { result: await work(tx) }),
          writeOptions(c),
        );
      } catch (e) {
        const err =
          e instanceof ApiError ? e : new ApiError('internal_server_error', 'Unexpected error occurred.');
        if (!(e instanceof ApiError)) c.get('log')?.error({ err: e, task: task.id }, 'async task failed');
        const error = {
          object: 'error',
          status: err.status,
          code: err.code,
          message: clientMessage(err, env.actor.integrationName),
        };
        await deps.store.transaction((tx) => finishTask(tx, task.id, { error }));
      }
    })
    .catch((e) => c.get('log')?.error({ err: e, task: task.id }, 'async task not recorded'))
    .finally(() => running.delete(task.id));
  running.set(task.id, done);
  return ok(c, presentAsyncTask(task, deps.publicUrl), 202);
}

/** Waits (briefly) for a task this process is running, before its status is read. */
export async function settled(taskId: string): Promise<void> {
  const run = running.get(taskId);
  if (run) await Promise.race([run, new Promise((r) => setTimeout(r, POLL_WAIT_MS))]);
}
