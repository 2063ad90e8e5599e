/**
 * `octavo requests [--integration X] [--status 4xx] [--limit N] [--follow]`: a running server's
 * journal of recent API requests (admin API), one line each; --json prints each entry as JSON.
 */
import type { JournalEntry } from '../../ops/emulator.ts';
import { callAdmin, requireAdminTarget } from '../admin-client.ts';
import { UsageError, type Values } from '../args.ts';

const POLL_MS = 500;

export async function requestsCommand(values: Values): Promise<void> {
  const target = requireAdminTarget(values, 'requests');
  if (values.limit !== undefined && !/^\d+$/.test(values.limit))
    throw new UsageError(`--limit must be a whole number, not ${values.limit}`);
  const query = (after?: number) => {
    const q = new URLSearchParams();
    if (values.integration) q.set('integration', values.integration);
    if (values.status) q.set('status', values.status);
    if (values.limit && after === undefined) q.set('limit', values.limit);
    if (after !== undefined) q.set('after', String(after));
    return `/requests?${q}`;
  };
  let last = 0;
  const print = (entries: JournalEntry[]) => {
    for (const e of entries) {
      last = Math.max(last, e.seq);
      console.log(values.json ? JSON.stringify(e) : formatEntry(e));
    }
  };
  type Page = { results: JournalEntry[]; latest: number };
  const first = await callAdmin<Page>(target, query());
  print(first.results);
  last = Math.max(last, first.latest);
  if (!values.follow) return;
  let stopped = false;
  process.once('SIGINT', () => {
    stopped = true;
  });
  while (!stopped) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const next = await callAdmin<Page>(target, query(last));
    print(next.results);
    last = Math.max(last, next.latest);
  }
}

/** `12:00:01.123 POST /v1/pages 200 4.2ms Tests A` */
export function formatEntry(e: JournalEntry): string {
  const who = e.integration?.name ?? '-';
  const fault = e.fault ? ` fault ${e.fault}` : '';
  return `${e.time.slice(11, 23)} ${e.method} ${e.path}${e.query} ${e.status} ${e.latency_ms}ms ${who}${fault}`;
}
