/**
 * `node bench/auth-lookup.ts`: what bearer auth costs per request, in process, on SQLite (a file,
 * WAL) and Postgres (loopback). Three ways of finding a token's integration, each timed back to
 * back (AUTH_LOOKUPS times, after a warm-up):
 *
 *   statement    Store.integrationByTokenHash — one indexed statement, no transaction (today)
 *   transaction  the same read inside a transaction of its own (BEGIN, SELECT, COMMIT: before
 *                the 5 s cache)
 *   cache hit    a Map lookup keyed by the token's hash (the 5 s cache's hit path; it could not
 *                see revocations made by another process)
 *
 * Each also computes the token's SHA-256, as the middleware does.
 *
 *   AUTH_LOOKUPS=5000  AUTH_ENGINES=sqlite,postgres
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../src/lib/crypto.ts';
import { actorOf } from '../src/ops/integrations.ts';
import { bootstrap } from '../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../src/store/connect.ts';
import type { IntegrationRow, Store } from '../src/store/store.ts';
import { PG_URL, postgresReachable } from './common.ts';

const LOOKUPS = Number(process.env.AUTH_LOOKUPS ?? 5000);
const ENGINES = (process.env.AUTH_ENGINES ?? 'sqlite,postgres').split(',');

async function time(label: string, lookup: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 200; i++) await lookup();
  const us: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const t = performance.now();
    await lookup();
    us.push((performance.now() - t) * 1000);
  }
  us.sort((a, b) => a - b);
  const mean = us.reduce((s, x) => s + x, 0) / us.length;
  const p = (q: number) => us[Math.min(us.length - 1, Math.floor(q * us.length))]!.toFixed(0);
  console.log(`  ${label.padEnd(12)} mean ${mean.toFixed(0)} µs, p50 ${p(0.5)} µs, p99 ${p(0.99)} µs`);
}

async function measure(engine: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-auth-'));
  const schema = `octavo_auth_${process.pid}`;
  const store =
    engine === 'postgres'
      ? await openStore({ databaseUrl: PG_URL, pgSchema: schema })
      : await openStore({ dataDir: dir });
  try {
    const token = (await store.transaction((tx) => bootstrap(tx, new Date().toISOString()))).created!.token;
    const s: Store = store;
    console.log(`${engine} (load average ${loadavg()[0]!.toFixed(2)}), ${LOOKUPS} lookups each:`);
    await time('statement', async () => actorOf((await s.integrationByTokenHash(sha256Hex(token)))!));
    await time('transaction', async () =>
      actorOf((await s.transaction((tx) => tx.integrations.getByTokenHash(sha256Hex(token))))!),
    );
    const cache = new Map<string, ReturnType<typeof actorOf>>();
    cache.set(
      sha256Hex(token),
      actorOf((await s.integrationByTokenHash(sha256Hex(token))) as IntegrationRow),
    );
    await time('cache hit', async () => cache.get(sha256Hex(token)));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
  }
}

for (const engine of ENGINES) {
  if (engine === 'postgres' && !(await postgresReachable())) {
    console.log(`postgres: not reachable at ${PG_URL}, skipped`);
    continue;
  }
  await measure(engine);
}
