/**
 * Async tasks (notion-api.md §2.4): what an `allow_async` write answers. Octavo does the write in
 * the request, as it does without `allow_async`, so its task is already finished when it is
 * answered (202 with status `succeeded` and the result, or `failed` and the error); the task is
 * kept so that `GET /v1/async_tasks/{id}` answers the same afterwards, to the integration that
 * started it only.
 */
import type { AsyncTaskRow, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import type { OpEnv } from './env.ts';

/** Notion's task ids: `task_` and 32 hex digits. */
function newTaskId(): string {
  return `task_${crypto.randomUUID().replaceAll('-', '')}`;
}

/** Records a finished task of `operation` with the body the write answered. */
export async function recordTask(
  tx: StoreTx,
  env: OpEnv,
  operation: string,
  result: object,
): Promise<AsyncTaskRow> {
  const row: AsyncTaskRow = {
    id: newTaskId(),
    integration_id: env.actor.seesEverything ? null : env.actor.integrationId,
    operation,
    status: 'succeeded',
    result: JSON.stringify(result),
    error: null,
    created_time: env.now,
  };
  await tx.asyncTasks.insert(row);
  return row;
}

/** A task this integration started; anything else is the same 404 as a missing one. */
export async function getTask(tx: StoreTx, env: OpEnv, id: string): Promise<AsyncTaskRow> {
  const row = /^task_[0-9a-f]{32}$/.test(id) ? await tx.asyncTasks.get(id) : undefined;
  if (!row || (!env.actor.seesEverything && row.integration_id !== env.actor.integrationId)) {
    throw errors.notFound('async_task', id);
  }
  return row;
}
