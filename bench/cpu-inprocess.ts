/**
 * `node bench/cpu-inprocess.ts [OTHER_CHECKOUT]`: the app's CPU time per request in process
 * (`app.request`, no HTTP server), this checkout against another one side by side — a quick A/B
 * for work on bench/cpu.ts's figures. Both apps live in this process (each checkout's own
 * modules; node_modules shared), are composed as `octavo serve` composes them (emulator with its
 * request journal, no rate limit, log silent, metrics off) and serve copies of one seeded data
 * set (`bench:query` shape, CPU_ROWS rows; SQLite: a copy of the folder each; Postgres: one schema
 * read by both). Requests alternate between the sides one by one, so drift from other work on the
 * machine lands on both alike; each is timed with `process.cpuUsage` (every thread of the
 * process). It also checks that both sides answer every request with the same bytes (request ids
 * aside), so a change that alters the wire fails here before any test.
 *
 *   CPU_ENGINE=sqlite|postgres  CPU_ROWS=5000  CPU_ROUNDS=9  CPU_GETS=300  CPU_QUERIES=30
 *   CPU_KINDS=get,query  CPU_VERSION=2025-09-03
 *   CPU_PROFILE=FILE  a V8 CPU profile of the timed rounds only (after seeding and warm-up),
 *                     summarised on exit (bench/cpuprofile.ts)
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { PG_URL } from './common.ts';
import { summarise } from './cpuprofile.ts';
import { PROPERTIES, rowLines } from './query-data.ts';

const env = process.env;
const HERE = resolve(import.meta.dirname, '..');
const OTHER = process.argv[2] ? resolve(process.argv[2]) : undefined;
const ENGINE = env.CPU_ENGINE ?? 'sqlite';
const ROWS = Number(env.CPU_ROWS ?? 5000);
const ROUNDS = Number(env.CPU_ROUNDS ?? 9);
const KINDS = (env.CPU_KINDS ?? 'get,query').split(',') as Kind[];
const COUNT: Record<Kind, number> = {
  get: Number(env.CPU_GETS ?? 300),
  query: Number(env.CPU_QUERIES ?? 30),
};
const VERSION = env.CPU_VERSION ?? '2025-09-03';
const PROFILE = env.CPU_PROFILE;
type Kind = 'get' | 'query';

const pgMode = ENGINE === 'postgres';
const work = mkdtempSync(join(tmpdir(), 'octavo-cpu-ab-'));
const schema = `octavo_cpu_ab_${process.pid}`;
const storeOptions = (dir: string) => (pgMode ? { databaseUrl: PG_URL, pgSchema: schema } : { dataDir: dir });

interface Side {
  name: string;
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  close: () => Promise<void>;
  cpu: Record<Kind, number[]>;
}

/** The app of checkout `root` over the data in `dir`, composed as `octavo serve` does. */
async function makeSide(name: string, root: string, dir: string, workspace: unknown, secret: string) {
  const { openStore } = await import(`${root}/src/store/connect.ts`);
  const { createApp } = await import(`${root}/src/api/app.ts`);
  const { createEmulator } = await import(`${root}/src/ops/emulator.ts`);
  const { createLogger } = await import(`${root}/src/lib/log.ts`);
  const store = await openStore(storeOptions(dir));
  const app = createApp({
    emulator: createEmulator({}),
    store,
    publicUrl: 'http://octavo.test',
    workspace,
    rateLimiter: null,
    logger: createLogger({ format: 'json', level: 'silent' }),
    accepting: () => true,
    files: { maxBytes: 5 * 1024 * 1024, urlSecret: secret, allowPrivateImports: false },
  });
  return {
    name,
    fetch: async (url: string, init?: RequestInit) => app.request(url, init),
    close: () => store.close(),
    cpu: { get: [], query: [] },
  } satisfies Side;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const sides: Side[] = [];
try {
  // Seeding, with this checkout's code.
  const fixture = join(work, 'fixture');
  const { openStore } = await import(`${HERE}/src/store/connect.ts`);
  const { bootstrap } = await import(`${HERE}/src/ops/workspace.ts`);
  const { importRows } = await import(`${HERE}/src/ops/bulk-rows.ts`);
  const { rowTableName } = await import(`${HERE}/src/store/kysely-store.ts`);
  const seedStore = await openStore(storeOptions(fixture));
  const boot = await seedStore.transaction((tx: never) => bootstrap(tx, new Date().toISOString()));
  await seedStore.close();
  const seeder = await makeSide('seed', HERE, fixture, boot.workspace, boot.fileUrlSecret);
  const headers = {
    authorization: `Bearer ${boot.created.token}`,
    'notion-version': VERSION,
    'content-type': 'application/json',
  };
  const base = 'http://octavo.test/v1';
  const created = await seeder.fetch(`${base}/databases`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      parent: { type: 'page_id', page_id: boot.created.pageId },
      title: [{ type: 'text', text: { content: 'CPU' } }],
      initial_data_source: { properties: PROPERTIES },
    }),
  });
  const dsId = ((await created.json()) as { data_sources: { id: string }[] }).data_sources[0]!.id;
  const users = await seeder.fetch(`${base}/users`, { headers });
  const people = ((await users.json()) as { results: { id: string }[] }).results.map((u) => u.id);
  await seeder.close();
  const store = await openStore(storeOptions(fixture));
  await importRows(store, rowLines(0, ROWS, people), { dataSourceId: dsId });
  const ids = (
    await sql<{ page_id: string }>`select page_id from ${sql.table(rowTableName(dsId))}
      order by page_id limit 50`.execute(store.db)
  ).rows.map((r) => r.page_id);
  await store.close();

  const roots: [string, string][] = OTHER
    ? [
        ['other', OTHER],
        ['this', HERE],
      ]
    : [['this', HERE]];
  for (const [k, [name, root]] of roots.entries()) {
    const dir = join(work, `side${k}`);
    if (!pgMode) cpSync(fixture, dir, { recursive: true });
    sides.push(await makeSide(name, root, dir, boot.workspace, boot.fileUrlSecret));
  }
  const queryBody = JSON.stringify({
    sorts: [{ property: 'Due', direction: 'ascending' }],
    start_cursor: ids[25],
    page_size: 100,
  });
  const send = (side: Side, kind: Kind, i: number) =>
    kind === 'get'
      ? side.fetch(`${base}/pages/${ids[i % ids.length]}`, { headers })
      : side.fetch(`${base}/data_sources/${dsId}/query`, { method: 'POST', headers, body: queryBody });

  /** One request, its body, and the CPU time it took (µs). */
  async function timed(side: Side, kind: Kind, i: number): Promise<{ us: number; body: string }> {
    const before = process.cpuUsage();
    const res = await send(side, kind, i);
    const body = await res.text();
    const used = process.cpuUsage(before);
    if (res.status !== 200) throw new Error(`${side.name} ${kind}: ${res.status} ${body}`);
    return { us: used.user + used.system, body };
  }

  const sameBytes = (a: string, b: string) =>
    a.replace(/"request_id":"[^"]+"/, '') === b.replace(/"request_id":"[^"]+"/, '');
  console.log(
    `In-process CPU per request, ${ENGINE}, ${ROWS} rows, Notion-Version ${VERSION}; ${sides.map((s) => s.name).join(' vs ')}; load ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const kind of KINDS) {
    // Warm-up, and the bytes of every side compared on each distinct request.
    for (let i = 0; i < Math.max(50, ids.length); i++) {
      const bodies: string[] = [];
      for (const side of sides) bodies.push((await timed(side, kind, i)).body);
      if (bodies.some((b) => !sameBytes(b, bodies[0]!))) {
        console.log(`${kind} ${i}: the sides answer different bytes`);
        for (const [k, b] of bodies.entries()) console.log(`  ${sides[k]!.name}: ${b.slice(0, 2000)}`);
        process.exitCode = 1;
        break;
      }
    }
    const session = PROFILE ? new Session() : null;
    if (session) {
      session.connect();
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    for (let r = 0; r < ROUNDS; r++) {
      const sums = sides.map(() => 0);
      for (let i = 0; i < COUNT[kind]; i++) {
        for (let k = 0; k < sides.length; k++) {
          const j = (k + i + r) % sides.length;
          sums[j]! += (await timed(sides[j]!, kind, i)).us;
        }
      }
      for (const [k, side] of sides.entries()) side.cpu[kind].push(sums[k]! / COUNT[kind]);
    }
    if (session && PROFILE) {
      const { profile } = await session.post('Profiler.stop');
      const file = KINDS.length > 1 ? PROFILE.replace(/(\.cpuprofile)?$/, `-${kind}.cpuprofile`) : PROFILE;
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(summarise(file, 40));
    }
    const first = sides[0]!;
    console.log(
      `${kind === 'get' ? 'GET /v1/pages/{id}' : 'query, 100 rows'} (load ${loadavg()[0]!.toFixed(2)}):`,
    );
    for (const side of sides) {
      const ratio = median(side.cpu[kind].map((x, k) => x / first.cpu[kind][k]!));
      console.log(
        `  ${side.name.padEnd(6)} ${median(side.cpu[kind]).toFixed(0)} µs (rounds ${side.cpu[kind].map((x) => x.toFixed(0)).join(' ')})${side === first ? '' : `  ${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} % vs ${first.name}`}`,
      );
    }
  }
} finally {
  for (const side of sides) await side.close();
  rmSync(work, { recursive: true, force: true });
  if (pgMode) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  }
}
