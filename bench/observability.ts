/**
 * `node bench/observability.ts`: what the request log and the Prometheus metrics cost per
 * request, in process (no HTTP: the share is an upper bound of a served request's). Three apps on
 * one SQLite file differ only in what they observe: `bare` (log silent, no metrics), `log` (info,
 * JSON lines to standard output, gathered and written as `octavo serve` writes them: run it as
 * `node bench/observability.ts > /dev/null`, the figures go to standard error) and `log+metrics`. Requests: GET /v1/pages/{id} and a data-source query
 * answering 100 rows. Requests alternate between the apps one by one, so drift hits all alike;
 * the report is the median over rounds of the process CPU time per request (`process.cpuUsage`
 * around each). Node's default metrics (GC observer, event-loop monitor) are process-wide once
 * one app has metrics, so they weigh on all three here: this measures what a request adds.
 * Results: docs/benchmarks.md, "Observability".
 *
 *   OBS_BENCH_ROUNDS=15  OBS_BENCH_GETS=300  OBS_BENCH_QUERIES=40
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/api/app.ts';
import { createMetrics } from '../src/api/metrics.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../src/config.ts';
import { createLogger } from '../src/lib/log.ts';
import { importRows } from '../src/ops/bulk-rows.ts';
import { bootstrap } from '../src/ops/workspace.ts';
import { openStore } from '../src/store/connect.ts';
import { VERSION } from './common.ts';
import { PROPERTIES, rowLines } from './query-data.ts';

const ROUNDS = Number(process.env.OBS_BENCH_ROUNDS ?? 15);
const GETS = Number(process.env.OBS_BENCH_GETS ?? 300);
const QUERIES = Number(process.env.OBS_BENCH_QUERIES ?? 40);

const dir = mkdtempSync(join(tmpdir(), 'octavo-obs-bench-'));
const store = await openStore({ dataDir: dir });
const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
// The logger `octavo serve` makes: lines gathered and written to standard output.
const servedLogger = () => createLogger({ format: 'json', level: 'info' });
const makeApp = (observe: 'bare' | 'log' | 'log+metrics') =>
  createApp({
    store,
    publicUrl: 'http://octavo.test',
    workspace: boot.workspace,
    rateLimiter: null,
    logger: observe === 'bare' ? createLogger({ format: 'json', level: 'silent' }) : servedLogger(),
    ...(observe === 'log+metrics' ? { metrics: createMetrics() } : {}),
    files: {
      maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
      allowPrivateImports: false,
      urlSecret: boot.fileUrlSecret,
    },
  });
const apps = { bare: makeApp('bare'), log: makeApp('log'), 'log+metrics': makeApp('log+metrics') };
type Name = keyof typeof apps;
const headers = {
  authorization: `Bearer ${boot.created!.token}`,
  'notion-version': VERSION,
  'content-type': 'application/json',
};
const base = 'http://octavo.test/v1';

// A data source of the bench:query shape with 2,000 rows, through the API and the bulk path.
const created = await apps.bare.request(`${base}/databases`, {
  method: 'POST',
  headers,
  body: JSON.stringify({
    parent: { type: 'page_id', page_id: boot.created!.pageId },
    title: [{ type: 'text', text: { content: 'Observability' } }],
    initial_data_source: { properties: PROPERTIES },
  }),
});
const dsId = ((await created.json()) as { data_sources: { id: string }[] }).data_sources[0]!.id;
const users = await apps.bare.request(`${base}/users`, { headers });
const people = ((await users.json()) as { results: { id: string }[] }).results.map((u) => u.id);
await importRows(store, rowLines(0, 2000, people), { dataSourceId: dsId });
const queryBody = JSON.stringify({ sorts: [{ property: 'Due', direction: 'ascending' }], page_size: 100 });

/** One request on `app`, returning the process CPU time it took (µs). */
async function timed(name: Name, kind: 'get' | 'query'): Promise<number> {
  const app = apps[name];
  const before = process.cpuUsage();
  const res =
    kind === 'get'
      ? await app.request(`${base}/pages/${boot.created!.pageId}`, { headers })
      : await app.request(`${base}/data_sources/${dsId}/query`, { method: 'POST', headers, body: queryBody });
  if (res.status !== 200) throw new Error(`${kind}: status ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/**
 * Requests alternate between the apps one by one (in a rotating order), so a burst of other work
 * on the machine lands on all three alike; each round's mean per app is one sample.
 */
const names = Object.keys(apps) as Name[];
for (const kind of ['get', 'query'] as const) {
  const perRound = kind === 'get' ? GETS : QUERIES;
  const samples: Record<Name, number[]> = { bare: [], log: [], 'log+metrics': [] };
  for (let i = 0; i < 20; i++) for (const name of names) await timed(name, kind); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const sums: Record<Name, number> = { bare: 0, log: 0, 'log+metrics': 0 };
    for (let i = 0; i < perRound; i++) {
      const k = (i + r) % 3;
      for (const name of [...names.slice(k), ...names.slice(0, k)]) sums[name] += await timed(name, kind);
    }
    for (const name of names) samples[name].push(sums[name] / perRound);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bare = median(samples.bare);
  const line = names
    .map((name) => {
      const m = median(samples[name]);
      return `${name} ${m.toFixed(0)} µs${name === 'bare' ? '' : ` (${m >= bare ? '+' : ''}${(((m - bare) / bare) * 100).toFixed(1)} %)`}`;
    })
    .join(', ');
  console.error(
    `${kind === 'get' ? 'GET /v1/pages/{id}' : 'query, 100 rows'}: ${line} (${ROUNDS} rounds x ${perRound}, load ${loadavg()[0]!.toFixed(2)})`,
  );
}
await store.close();
rmSync(dir, { recursive: true, force: true });
