/**
 * Async tasks (notion-api.md §2.4): what an `allow_async` write answers. The task is recorded
 * `queued` in the request's transaction and answered with 202; the write itself runs right after,
 * in a transaction of its own (api/async-tasks.ts), which records the task `succeeded` with the
 * body the write would have answered, or `failed` with its error. `GET /v1/async_tasks/{id}`
 * shows the task to the integration that started it only.
 */
import type { AsyncTaskRow, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import type { OpEnv } from './env.ts';

/** A task still queued this long after it was made lost its server (it ran in memory there). */
export const TASK_LOST_AFTER_MS = 10 * 60 * 1000;

/** Notion's task ids: `task_` and 32 hex digits. */
function newTaskId(): string {
  return `task_${crypto.randomUUID().replaceAll('-', '')}`;
}

/** Records a new queued task of `operation` (`PATCH /v1/pages/:page_id/markdown`). */
export async function queueTask(tx: StoreTx, env: OpEnv, operation: string): Promise<AsyncTaskRow> {
  const row: AsyncTaskRow = {
    id: newTaskId(),
    integration_id: env.actor.seesEverything ? null : env.actor.integrationId,
    operation,
    status: 'queued',
    result: null,
    error: null,
    created_time: env.now,
  };
  await tx.asyncTasks.insert(row);
  return row;
}

/** Records how a task ended: the body the write answered, or the error envelope it failed with. */
export async function finishTask(
  tx: StoreTx,
  id: string,
  outcome: { result: object } | { error: object },
): Promise<void> {
  await tx.asyncTasks.update(
    id,
    'result' in outcome
      ? { status: 'succeeded', result: JSON.stringify(outcome.result) }
      : { status: 'failed', error: JSON.stringify(outcome.error) },
  );
}

/** A task this integration started; anything else is the same 404 as a missing one. */
export async function getTask(tx: StoreTx, env: OpEnv, id: string): Promise<AsyncTaskRow> {
  const row = /^task_[0-9a-f]{32}$/.test(id) ? await tx.asyncTasks.get(id) : undefined;
  if (!row || (!env.actor.seesEverything && row.integration_id !== env.actor.integrationId)) {
    throw errors.notFound('async_task', id);
  }
  if (row.status === 'queued' && Date.parse(env.now) - Date.parse(row.created_time) > TASK_LOST_AFTER_MS) {
    // The server that was to run it stopped first; the write never happened.
    return {
      ...row,
      status: 'failed',
      error: JSON.stringify({
        object: 'error',
        status: 503,
        code: 'service_unavailable',
        message: 'The server running this task stopped before it ran; the write was not made. Send it again.',
      }),
    };
  }
  return row;
}
