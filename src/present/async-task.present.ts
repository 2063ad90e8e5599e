/** Async tasks on the wire (SDK `GetAsyncTaskResponse`), in the key order Notion writes them. */
import type { GetAsyncTaskResponse } from '@notionhq/client';
import type { AsyncTaskRow } from '../store/store.ts';

/** How long Octavo asks a client to wait before polling a queued task (it runs at once). */
const POLL_AFTER_SECONDS = 1;

export function presentAsyncTask(row: AsyncTaskRow, publicUrl: string): GetAsyncTaskResponse {
  const head = {
    object: 'async_task' as const,
    id: row.id,
    status: row.status,
    status_url: `${publicUrl}/v1/async_tasks/${row.id}`,
    created_time: row.created_time,
  };
  const operation = { surface: 'rest' as const, name: row.operation };
  if (row.status === 'queued')
    return { ...head, status: 'queued', poll_after_seconds: POLL_AFTER_SECONDS, operation };
  return (
    row.status === 'succeeded'
      ? { ...head, status: 'succeeded', operation, result: JSON.parse(row.result ?? '{}') }
      : { ...head, status: 'failed', operation, error: JSON.parse(row.error ?? '{}') }
  ) as GetAsyncTaskResponse;
}
