/**
 * `node bench/formulas.ts`: what formula and rollup properties cost, in process (the app's fetch
 * handler, the official SDK, no socket), against the targets of issue 10. Rows are seeded
 * through the store's bulk path (ops/bulk-rows.ts), not the HTTP API.
 *
 * 1. Queries on a data source of BENCH_ROWS rows (each related to two of BENCH_ROWS / 10
 *    orders), first page of 100: a plain number property against a numeric formula over two
 *    number properties (target: the formula within 2×), interleaved run by run; then a text
 *    formula, a rollup sum, the same sum written as a formula (`SpentF`, a list function over the
 *    related pages) and a rollup `any` in SQL, and (BENCH_EVAL_RUNS > 0) the text formula, the
 *    rollup and `SpentF` again by the evaluator over every row (an app with `computedInSql: false`).
 * 2. Propagation: BENCH_HUB_ROWS rows related to one page with a rollup of its `Amount`; the time
 *    from a PATCH of `Amount` until queries over those rows show the new value (the first page
 *    filtered on the new value is full and shows it; none is left with the old one, which the
 *    filter checks over every row). Target: ≤ 1 s.
 * 3. GET /v1/pages/{id} of a row with ten formulas against a row of the same data without them,
 *    interleaved (target: ≤ 2×).
 *
 * Each line gives the wall-clock p50 and p99 and this process's CPU per operation (on Postgres
 * the database's own CPU is not in it). The machine's load average is printed at start and end.
 *
 *   BENCH_ROWS=20000  BENCH_ENGINES=sqlite,postgres  BENCH_RUNS=30  BENCH_EVAL_RUNS=3
 *   BENCH_HUB_ROWS=10000  BENCH_PROPAGATION_RUNS=5  BENCH_PARTS=queries,propagation,read
 */
import { readFileSync } from 'node:fs';
import { Client } from '@notionhq/client';
import { createApp } from '../src/api/app.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../src/config.ts';
import { importRows } from '../src/ops/bulk-rows.ts';
import { bootstrap } from '../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../src/store/connect.ts';
import type { Store } from '../src/store/store.ts';
import { PG_URL, postgresReachable } from './common.ts';

const env = process.env;
const ROWS = Number(env.BENCH_ROWS ?? 20_000);
const ENGINES = (env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const RUNS = Number(env.BENCH_RUNS ?? 30);
const EVAL_RUNS = Number(env.BENCH_EVAL_RUNS ?? 3);
const HUB_ROWS = Number(env.BENCH_HUB_ROWS ?? 10_000);
const PROPAGATION_RUNS = Number(env.BENCH_PROPAGATION_RUNS ?? 5);
const PARTS = new Set((env.BENCH_PARTS ?? 'queries,propagation,read').split(','));
const BASE = 'http://octavo.bench';
const text = (content: string) => [{ type: 'text', text: { content } }];
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const FORMULAS: Record<string, { formula: { expression: string } }> = {
  Total: { formula: { expression: 'prop("Price") * prop("Qty")' } },
  Label: { formula: { expression: 'upper(prop("Name")) + " #" + format(prop("Qty"))' } },
};
for (let i = 0; i < 8; i++) {
  FORMULAS[`F${i}`] = {
    formula: {
      expression: `if(prop("Price") > ${i * 100}, prop("Qty") * ${i}, dateBetween(now(), prop("Due"), "days"))`,
    },
  };
}

interface Stat {
  p50: number;
  p99: number;
  /** This process's CPU time per operation (user + system), ms. */
  cpu: number;
  runs: number;
}

/** Runs each of `fns` `runs` times, interleaved (a, b, a, b, …) after warming each up. */
async function interleaved(fns: (() => Promise<unknown>)[], runs = RUNS): Promise<Stat[]> {
  for (const fn of fns) for (let i = 0; i < Math.min(2, runs); i++) await fn();
  const ms = fns.map((): number[] => []);
  const cpu = fns.map(() => 0);
  for (let i = 0; i < runs; i++)
    for (const [k, fn] of fns.entries()) {
      const c = process.cpuUsage();
      const t = performance.now();
      await fn();
      ms[k]!.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu[k]! += (d.user + d.system) / 1000;
    }
  return ms.map((xs, k) => {
    xs.sort((a, b) => a - b);
    return {
      p50: xs[Math.floor(xs.length / 2)]!,
      p99: xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!,
      cpu: cpu[k]! / runs,
      runs,
    };
  });
}

const describe = (l: Line) =>
  `p50 ${l.stat.p50.toFixed(1)} ms, p99 ${l.stat.p99.toFixed(1)} ms, CPU ${l.stat.cpu.toFixed(1)} ms/op (${l.stat.runs} runs, ${l.rows} rows)`;

const time = async (fn: () => Promise<unknown>, runs = RUNS) => (await interleaved([fn], runs))[0]!;

/** One line of the final table. */
interface Line {
  engine: string;
  rows: number;
  what: string;
  stat: Stat;
}
/** One target of issue 10 with the measured figure. */
interface Target {
  engine: string;
  what: string;
  measured: string;
  target: string;
  met: boolean;
}

const lines: Line[] = [];
const targets: Target[] = [];

async function run(engine: string): Promise<void> {
  const schema = `octavo_bench_f_${process.pid}`;
  const store =
    engine === 'postgres'
      ? await openStore({ databaseUrl: PG_URL, pgSchema: schema })
      : await openStore({ dataDir: ':memory:' });
  try {
    const now = () => new Date().toISOString();
    const boot = await store.transaction((tx) => bootstrap(tx, now()));
    const deps = {
      store,
      publicUrl: BASE,
      workspace: boot.workspace,
      rateLimiter: null,
      files: {
        maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
        allowPrivateImports: false,
        urlSecret: boot.fileUrlSecret,
      },
    };
    const clientOf = (app: ReturnType<typeof createApp>) =>
      new Client({
        auth: boot.created!.token,
        baseUrl: BASE,
        fetch: ((url: string, init?: RequestInit) =>
          Promise.resolve(app.request(String(url), init))) as typeof fetch,
        logLevel: 'error' as never,
      });
    const client = clientOf(createApp(deps));
    // The same server answering every formula and rollup query by the evaluator (the A/B).
    const evaluator = clientOf(createApp({ ...deps, computedInSql: false }));
    const make = async (title: string, properties: object) =>
      (
        (await client.databases.create({
          parent: { type: 'page_id', page_id: boot.created!.pageId },
          title: text(title) as never,
          initial_data_source: { properties: properties as never },
        })) as unknown as { data_sources: { id: string }[] }
      ).data_sources[0]!.id;
    const ctx: Ctx = { engine, store, client, evaluator, make };
    // Each part's lines as soon as it is done (a long run interrupted keeps what it measured).
    const report = (from: number) => {
      for (const l of lines.slice(from)) console.log(`[${engine}] ${l.what}: ${describe(l)}`);
    };
    for (const [part, fn] of [
      ['queries', queries],
      ['propagation', propagation],
      ['read', read],
    ] as const) {
      if (!PARTS.has(part)) continue;
      const from = lines.length;
      await fn(ctx);
      report(from);
    }
  } finally {
    await store.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
  }
}

interface Ctx {
  engine: string;
  store: Store;
  client: Client;
  evaluator: Client;
  make: (title: string, properties: object) => Promise<string>;
}

const base = { Name: { title: {} }, Price: { number: {} }, Qty: { number: {} }, Due: { date: {} } };

/** The base properties of row `i` (the same in every data source). */
function baseProperties(i: number) {
  return {
    Name: { title: text(`row ${i}`) },
    Price: { number: (i * 7919) % 1000 },
    Qty: { number: (i * 104729) % 50 },
    Due: {
      date: { start: new Date(Date.UTC(2024, 0, 1) + (i % 700) * 86_400_000).toISOString().slice(0, 10) },
    },
  };
}

async function seed(store: Store, dataSourceId: string, n: number, row: (i: number) => object) {
  await importRows(
    store,
    Array.from({ length: n }, (_, i) => ({ line: i + 1, body: { properties: row(i) } })),
    { dataSourceId },
  );
}

async function allIds(client: Client, dataSourceId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.dataSources.query({
      data_source_id: dataSourceId,
      page_size: 100,
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    ids.push(...page.results.map((r) => r.id));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return ids;
}

async function queries({ engine, store, client, evaluator, make }: Ctx): Promise<void> {
  const orders = await make('Orders', {
    Name: { title: {} },
    Amount: { number: {} },
    Paid: { checkbox: {} },
  });
  const ORDERS = Math.max(10, Math.floor(ROWS / 10));
  await seed(store, orders, ORDERS, (i) => ({
    Name: { title: text(`order ${i}`) },
    Amount: { number: (i * 31) % 500 },
    Paid: { checkbox: i % 3 === 0 },
  }));
  const orderIds = await allIds(client, orders);
  const rollups = {
    Orders: { relation: { data_source_id: orders, single_property: {} } },
    Spent: {
      rollup: { relation_property_name: 'Orders', rollup_property_name: 'Amount', function: 'sum' },
    },
    AnyPaid: {
      rollup: { relation_property_name: 'Orders', rollup_property_name: 'Paid', function: 'checked' },
    },
    // The sum rollup written as a formula (a list function over the related pages, in SQL).
    SpentF: { formula: { expression: 'prop("Orders").map(current.prop("Amount")).sum()' } },
  };
  const withF = await make('With formulas', { ...base, ...FORMULAS, ...rollups });
  const t0 = performance.now();
  await seed(store, withF, ROWS, (i) => ({
    ...baseProperties(i),
    // Two orders each, no two rows naming the same pair.
    Orders: {
      relation: [
        { id: orderIds[i % ORDERS]! },
        { id: orderIds[(i * 7 + 1 + Math.floor(i / ORDERS)) % ORDERS]! },
      ].filter((r, k, all) => k === 0 || r.id !== all[0]!.id),
    },
  }));
  console.log(`[${engine}] seeded ${ROWS} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const query =
    (body: object, via = client) =>
    () =>
      via.dataSources.query({ data_source_id: withF, page_size: 100, ...body } as never);
  const numberBody = {
    filter: { property: 'Price', number: { greater_than: 500 } },
    sorts: [{ property: 'Price', direction: 'descending' }],
  };
  const formulaBody = {
    filter: { property: 'Total', formula: { number: { greater_than: 20000 } } },
    sorts: [{ property: 'Total', direction: 'descending' }],
  };
  const textBody = {
    filter: { property: 'Label', formula: { string: { contains: '#4' } } },
    sorts: [{ property: 'Label', direction: 'ascending' }],
  };
  const rollupBody = {
    filter: { property: 'Spent', rollup: { number: { greater_than: 800 } } },
    sorts: [{ property: 'Spent', direction: 'descending' }],
  };
  const listBody = {
    filter: { property: 'SpentF', formula: { number: { greater_than: 800 } } },
    sorts: [{ property: 'SpentF', direction: 'descending' }],
  };
  const anyBody = {
    filter: { property: 'AnyPaid', rollup: { any: { checkbox: { equals: true } } } },
    sorts: [{ property: 'Price', direction: 'descending' }],
  };
  const add = (what: string, stat: Stat) => lines.push({ engine, rows: ROWS, what, stat });
  const [plain, formula] = await interleaved([query(numberBody), query(formulaBody)]);
  add('number property: Price > 500, sorted by Price', plain!);
  add('numeric formula (SQL): Total = Price * Qty > 20000, sorted by Total', formula!);
  targets.push({
    engine,
    what: `formula over two numbers vs number property, ${ROWS} rows (p50; CPU)`,
    measured: `${(formula!.p50 / plain!.p50).toFixed(2)}×; ${(formula!.cpu / plain!.cpu).toFixed(2)}×`,
    target: '≤ 2×',
    met: formula!.p50 <= 2 * plain!.p50,
  });
  add('text formula (SQL): Label contains "#4", sorted by Label', await time(query(textBody)));
  const [rollup, list] = await interleaved([query(rollupBody), query(listBody)]);
  add('rollup sum (SQL): Spent > 800, sorted by Spent', rollup!);
  add('list formula (SQL): SpentF = Orders.map(Amount).sum() > 800, sorted by SpentF', list!);
  add('rollup any (SQL): AnyPaid any Paid, sorted by Price', await time(query(anyBody)));
  if (EVAL_RUNS > 0) {
    add('text formula (evaluator): the same', await time(query(textBody, evaluator), EVAL_RUNS));
    add('rollup sum (evaluator): the same', await time(query(rollupBody, evaluator), EVAL_RUNS));
    add('list formula (evaluator): the same', await time(query(listBody, evaluator), EVAL_RUNS));
    // The two paths answer alike (first page).
    for (const body of [textBody, rollupBody, listBody, anyBody]) {
      const a = (await query(body)()) as { results: { id: string }[] };
      const b = (await query(body, evaluator)()) as { results: { id: string }[] };
      if (a.results.map((r) => r.id).join() !== b.results.map((r) => r.id).join())
        throw new Error(`SQL and the evaluator disagree on ${JSON.stringify(body)}`);
    }
  }
}

async function propagation({ engine, store, client, make }: Ctx): Promise<void> {
  const hubs = await make('Hub', { Name: { title: {} }, Amount: { number: {} } });
  const hub = (
    await client.pages.create({
      parent: { data_source_id: hubs } as never,
      properties: { Name: { title: text('hub') }, Amount: { number: 0 } } as never,
    })
  ).id;
  const spokes = await make('Spokes', {
    Name: { title: {} },
    Hub: { relation: { data_source_id: hubs, single_property: {} } },
    HubAmount: { rollup: { relation_property_name: 'Hub', rollup_property_name: 'Amount', function: 'sum' } },
  });
  const t0 = performance.now();
  await seed(store, spokes, HUB_ROWS, (i) => ({
    Name: { title: text(`spoke ${i}`) },
    Hub: { relation: [{ id: hub }] },
  }));
  console.log(
    `[${engine}] seeded ${HUB_ROWS} rows related to one page in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const withAmount = (amount: number, pageSize: number) =>
    client.dataSources.query({
      data_source_id: spokes,
      page_size: pageSize,
      filter: { property: 'HubAmount', rollup: { number: { equals: amount } } },
    } as never) as Promise<{ results: { properties: Record<string, { rollup?: { number?: number } }> }[] }>;
  const total: number[] = [];
  const patchMs: number[] = [];
  const cpu: number[] = [];
  // A warm-up round, then the measured ones.
  for (let amount = 1; amount <= PROPAGATION_RUNS + 1; amount++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await client.pages.update({ page_id: hub, properties: { Amount: { number: amount } } as never });
    const patched = performance.now();
    const [fresh, stale] = await Promise.all([withAmount(amount, 100), withAmount(amount - 1, 1)]);
    const done = performance.now();
    const d = process.cpuUsage(c);
    const shown = fresh.results.map((r) => r.properties.HubAmount?.rollup?.number);
    if (shown.length !== Math.min(100, HUB_ROWS) || shown.some((v) => v !== amount) || stale.results.length)
      throw new Error(`the rollup did not follow the change to ${amount}`);
    if (amount === 1) continue;
    total.push(done - t);
    patchMs.push(patched - t);
    cpu.push((d.user + d.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const stat: Stat = {
    p50: median(total),
    p99: Math.max(...total),
    cpu: cpu.reduce((a, b) => a + b, 0) / cpu.length,
    runs: total.length,
  };
  lines.push({
    engine,
    rows: HUB_ROWS,
    what: `PATCH of a page ${HUB_ROWS} rows roll up, until queries show the new value (PATCH alone p50 ${median(patchMs).toFixed(1)} ms)`,
    stat,
  });
  targets.push({
    engine,
    what: `a change reflected in ${HUB_ROWS} rows' rollups (p50, max)`,
    measured: `${stat.p50.toFixed(0)} ms, ${stat.p99.toFixed(0)} ms`,
    target: '≤ 1,000 ms',
    met: stat.p99 <= 1000,
  });
}

async function read({ engine, store, client, make }: Ctx): Promise<void> {
  const ten = await make('Ten formulas', { ...base, ...FORMULAS });
  const plain = await make('Plain', base);
  await seed(store, ten, 200, baseProperties);
  await seed(store, plain, 200, baseProperties);
  const first = async (id: string) =>
    (await client.dataSources.query({ data_source_id: id, page_size: 1 })).results[0]!.id;
  const rowTen = await first(ten);
  const rowPlain = await first(plain);
  const [without, withTen] = await interleaved([
    () => client.pages.retrieve({ page_id: rowPlain }),
    () => client.pages.retrieve({ page_id: rowTen }),
  ]);
  lines.push({ engine, rows: 200, what: 'GET /v1/pages/{id}, no formulas', stat: without! });
  lines.push({ engine, rows: 200, what: 'GET /v1/pages/{id}, ten formulas', stat: withTen! });
  targets.push({
    engine,
    what: 'reading a page with ten formulas vs without (p50; CPU)',
    measured: `${(withTen!.p50 / without!.p50).toFixed(2)}×; ${(withTen!.cpu / without!.cpu).toFixed(2)}×`,
    target: '≤ 2×',
    met: withTen!.p50 <= 2 * without!.p50,
  });
}

const started = loadavg();
console.log(`load average at start: ${started}`);
for (const engine of ENGINES) {
  if (engine === 'postgres' && !(await postgresReachable())) {
    console.log('[postgres] not reachable: skipped');
    continue;
  }
  await run(engine);
}
const ms = (x: number) => x.toFixed(1);
console.log(`\nload average: ${started} at start, ${loadavg()} at end\n`);
console.log('| engine | rows | measure | p50 ms | p99 ms | CPU ms/op (this process) | runs |');
console.log('|---|---|---|---|---|---|---|');
for (const l of lines)
  console.log(
    `| ${l.engine} | ${l.rows} | ${l.what} | ${ms(l.stat.p50)} | ${ms(l.stat.p99)} | ${ms(l.stat.cpu)} | ${l.stat.runs} |`,
  );
console.log('\n| engine | target of issue 10 | measured | target | met |');
console.log('|---|---|---|---|---|');
for (const t of targets)
  console.log(`| ${t.engine} | ${t.what} | ${t.measured} | ${t.target} | ${t.met ? 'yes' : 'NO'} |`);
