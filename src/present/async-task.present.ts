/** Async tasks on the wire (SDK `GetAsyncTaskResponse`), in the key order Notion writes them. */
import type { GetAsyncTaskResponse } from '@notionhq/client';
import type { AsyncTaskRow } from '../store/store.ts';

export function presentAsyncTask(row: AsyncTaskRow, publicUrl: string): GetAsyncTaskResponse {
  const head = {
    object: 'async_task' as const,
    id: row.id,
    status: row.status,
    status_url: `${publicUrl}/v1/async_tasks/${row.id}`,
    created_time: row.created_time,
    operation: { surface: 'rest' as const, name: row.operation },
  };
  return (
    row.status === 'succeeded'
      ? { ...head, status: 'succeeded', result: JSON.parse(row.result ?? '{}') }
      : { ...head, status: 'failed', error: JSON.parse(row.error ?? '{}') }
  ) as GetAsyncTaskResponse;
}
