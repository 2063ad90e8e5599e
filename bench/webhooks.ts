/**
 * `npm run bench:webhooks`: webhook delivery on SQLite and, when reachable, Postgres.
 *
 * In one process: a fresh store, the job queue and the webhook runtime (dispatcher + delivery
 * consumer, default poll, aggregation off), one verified subscription, and a node:http
 * receiver on loopback that answers 200 at once.
 * - latency: BENCH_LATENCY_N (100) pages written one transaction at a time, each after the
 *   previous one's request arrived; from the commit returning to the request arriving. p50/p95.
 * - throughput: BENCH_EVENTS (2,000) pages written in transactions of 100 while the
 *   subscription is paused, then resumed: events/s from the resume to the last request received
 *   (the dispatcher reads the backlog, the delivery jobs send it).
 * BENCH_ENGINES=sqlite (or postgres) runs one engine only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WEBHOOKS } from '../src/config.ts';
import { openJobQueue } from '../src/jobs/index.ts';
import { bootstrap, createAdminPage } from '../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../src/store/connect.ts';
import { startWebhooks } from '../src/webhooks/delivery.ts';
import {
  createSubscription,
  pauseSubscription,
  resumeSubscription,
  verifySubscription,
} from '../src/webhooks/subscriptions.ts';
import { PG_URL, postgresReachable } from './common.ts';

const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const LATENCY_N = Number(process.env.BENCH_LATENCY_N ?? 100);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const POLL_MS = Number(process.env.OCTAVO_WEBHOOK_POLL_MS ?? DEFAULT_WEBHOOKS.pollMs);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function run(engine: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-bench-webhooks-'));
  const schema = `bench_webhooks_${process.pid}`;
  const store =
    engine === 'postgres'
      ? await openStore({ databaseUrl: PG_URL, pgSchema: schema })
      : await openStore({ dataDir: dir });
  const queue = await openJobQueue(store, { databaseUrl: PG_URL, pgSchema: schema });
  const arrived = new Map<string, number>();
  let waiting: { id: string; done: () => void } | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { entity?: { id: string } };
      res.end('ok');
      const id = body.entity?.id;
      if (!id || arrived.has(id)) return;
      arrived.set(id, at);
      if (waiting?.id === id) waiting.done();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const webhooks = await startWebhooks({
    store,
    queue,
    settings: {
      allowPrivate: true,
      timeoutMs: 5000,
      backoffMs: 1000,
      maxAttempts: 8,
      pollMs: POLL_MS,
      aggregationMs: 0,
    },
  });
  try {
    const now = () => new Date().toISOString();
    const boot = await store.transaction((tx) => bootstrap(tx, now()));
    const root = boot.created!.pageId;
    const sub = await store.transaction(async (tx) => {
      const s = await createSubscription(tx, {
        integration: 'Octavo Quickstart',
        url,
        eventTypes: ['page.created'],
        now: now(),
      });
      return verifySubscription(tx, { id: s.id, token: s.verification_token, now: now() });
    });
    const write = (title: string) =>
      store.transaction((tx) => createAdminPage(tx, { title, parentId: root, now: now() }));
    // Warm-up: the first delivery creates the job queue's structures.
    const warm = await write('warm');
    await new Promise<void>((done) => {
      waiting = { id: warm.id, done };
      if (arrived.has(warm.id)) done();
    });
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_N; i++) {
      const page = await write(`latency ${i}`);
      const committed = performance.now();
      await new Promise<void>((done) => {
        waiting = { id: page.id, done };
        if (arrived.has(page.id)) done();
      });
      latencies.push(arrived.get(page.id)! - committed);
    }
    latencies.sort((a, b) => a - b);
    // Throughput: the events are written while the subscription is paused (its cursor stays),
    // then it is resumed and the clock runs until the last request arrives.
    await store.transaction((tx) => pauseSubscription(tx, { id: sub.id, reason: 'bench' }));
    const ids: string[] = [];
    const writing = performance.now();
    for (let i = 0; i < EVENTS; i += 100) {
      const batch = await store.transaction(async (tx) => {
        const made: string[] = [];
        for (let j = i; j < Math.min(EVENTS, i + 100); j++)
          made.push((await createAdminPage(tx, { title: `bulk ${j}`, parentId: root, now: now() })).id);
        return made;
      });
      ids.push(...batch);
    }
    const written = performance.now() - writing;
    const started = performance.now();
    await store.transaction((tx) => resumeSubscription(tx, { id: sub.id }));
    const deadline = Date.now() + 600_000;
    while (!ids.every((id) => arrived.has(id)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const last = Math.max(...ids.map((id) => arrived.get(id) ?? Number.NaN));
    const perSecond = (EVENTS / (last - started)) * 1000;
    return [
      `${engine} (${queue.engine}): write→request p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (n=${LATENCY_N}, poll ${POLL_MS} ms)`,
      `  ${EVENTS} events recorded in ${(written / 1000).toFixed(1)} s, then delivered at ${perSecond.toFixed(0)} events/s (${((last - started) / 1000).toFixed(2)} s from resume to the last request)`,
    ].join('\n');
  } finally {
    await webhooks.stop();
    await queue.stop(5000);
    await store.close();
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
  }
}

console.log(`webhooks bench: ${cpus()[0]?.model} ×${cpus().length}, Node ${process.version}`);
for (const engine of ENGINES) {
  if (engine === 'postgres' && !(await postgresReachable())) {
    console.log('postgres: not reachable, skipped');
    continue;
  }
  console.log(await run(engine));
}
