/**
 * `node bench/formulas.ts`: what formula and rollup properties cost, in process (the app's fetch
 * handler, the official SDK, no socket). On a data source of BENCH_ROWS rows (default 20,000)
 * seeded through the bulk path: the first page (100 rows) of a query that filters and sorts on
 * a plain number property, on a numeric formula over two number properties, on a text formula
 * and on rollups over a related data source (each row related to two of BENCH_ROWS / 10
 * orders): all in SQL, and the text formula and the rollup again by the evaluator over every
 * row (an app with `computedInSql: false`, BENCH_EVAL_RUNS runs); and GET /v1/pages/{id} of a
 * row with ten formulas against a row of the same data without them.
 *
 *   BENCH_ROWS=20000  BENCH_ENGINES=sqlite,postgres  BENCH_RUNS=30  BENCH_EVAL_RUNS=3
 */
import { Client } from '@notionhq/client';
import { createApp } from '../src/api/app.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../src/config.ts';
import { importRows } from '../src/ops/bulk-rows.ts';
import { bootstrap } from '../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../src/store/connect.ts';
import { PG_URL, postgresReachable } from './common.ts';

const env = process.env;
const ROWS = Number(env.BENCH_ROWS ?? 20_000);
const ENGINES = (env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const RUNS = Number(env.BENCH_RUNS ?? 30);
const EVAL_RUNS = Number(env.BENCH_EVAL_RUNS ?? 3);
const BASE = 'http://octavo.bench';
const text = (content: string) => [{ type: 'text', text: { content } }];

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

async function time(fn: () => Promise<unknown>, runs = RUNS): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < Math.min(3, runs); i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return {
    p50: ms[Math.floor(ms.length / 2)]!,
    p99: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))]!,
  };
}

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
    const base = { Name: { title: {} }, Price: { number: {} }, Qty: { number: {} }, Due: { date: {} } };
    const make = async (title: string, properties: object) =>
      (
        (await client.databases.create({
          parent: { type: 'page_id', page_id: boot.created!.pageId },
          title: text(title) as never,
          initial_data_source: { properties: properties as never },
        })) as unknown as { data_sources: { id: string }[] }
      ).data_sources[0]!.id;
    const orders = await make('Orders', {
      Name: { title: {} },
      Amount: { number: {} },
      Paid: { checkbox: {} },
    });
    const ORDERS = Math.max(10, Math.floor(ROWS / 10));
    await importRows(
      store,
      Array.from({ length: ORDERS }, (_, i) => ({
        line: i + 1,
        body: {
          properties: {
            Name: { title: text(`order ${i}`) },
            Amount: { number: (i * 31) % 500 },
            Paid: { checkbox: i % 3 === 0 },
          },
        },
      })),
      { dataSourceId: orders },
    );
    const orderIds: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.dataSources.query({
        data_source_id: orders,
        page_size: 100,
        ...(cursor ? { start_cursor: cursor } : {}),
      });
      orderIds.push(...page.results.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const rollups = {
      Orders: { relation: { data_source_id: orders, single_property: {} } },
      Spent: {
        rollup: { relation_property_name: 'Orders', rollup_property_name: 'Amount', function: 'sum' },
      },
      AnyPaid: {
        rollup: { relation_property_name: 'Orders', rollup_property_name: 'Paid', function: 'checked' },
      },
    };
    const withF = await make('With formulas', { ...base, ...FORMULAS, ...rollups });
    const plain = await make('Plain', base);
    const lines = (n: number, related = false) =>
      Array.from({ length: n }, (_, i) => ({
        line: i + 1,
        body: {
          properties: {
            ...(related
              ? {
                  Orders: {
                    relation: [{ id: orderIds[i % ORDERS]! }, { id: orderIds[(i * 7 + 1) % ORDERS]! }],
                  },
                }
              : {}),
            Name: { title: text(`row ${i}`) },
            Price: { number: (i * 7919) % 1000 },
            Qty: { number: (i * 104729) % 50 },
            Due: {
              date: {
                start: new Date(Date.UTC(2024, 0, 1) + (i % 700) * 86_400_000).toISOString().slice(0, 10),
              },
            },
          },
        },
      }));
    const t0 = performance.now();
    await importRows(store, lines(ROWS, true), { dataSourceId: withF });
    await importRows(store, lines(200), { dataSourceId: plain });
    console.log(`[${engine}] seeded ${ROWS} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const query =
      (body: object, via = client) =>
      () =>
        via.dataSources.query({ data_source_id: withF, page_size: 100, ...body } as never);
    const textBody = {
      filter: { property: 'Label', formula: { string: { contains: '#4' } } },
      sorts: [{ property: 'Label', direction: 'ascending' }],
    };
    const rollupBody = {
      filter: { property: 'Spent', rollup: { number: { greater_than: 800 } } },
      sorts: [{ property: 'Spent', direction: 'descending' }],
    };
    const anyBody = {
      filter: { property: 'AnyPaid', rollup: { any: { checkbox: { equals: true } } } },
      sorts: [{ property: 'Price', direction: 'descending' }],
    };
    const results: [string, { p50: number; p99: number }][] = [];
    results.push([
      'number property: Price > 500, sorted by Price',
      await time(
        query({
          filter: { property: 'Price', number: { greater_than: 500 } },
          sorts: [{ property: 'Price', direction: 'descending' }],
        }),
      ),
    ]);
    results.push([
      'numeric formula (SQL): Total > 20000, sorted by Total',
      await time(
        query({
          filter: { property: 'Total', formula: { number: { greater_than: 20000 } } },
          sorts: [{ property: 'Total', direction: 'descending' }],
        }),
      ),
    ]);
    results.push(['text formula (SQL): Label contains "#4", sorted by Label', await time(query(textBody))]);
    results.push(['rollup sum (SQL): Spent > 800, sorted by Spent', await time(query(rollupBody))]);
    results.push(['rollup any (SQL): AnyPaid any Paid, sorted by Price', await time(query(anyBody))]);
    results.push(['text formula (evaluator): the same', await time(query(textBody, evaluator), EVAL_RUNS)]);
    results.push(['rollup sum (evaluator): the same', await time(query(rollupBody, evaluator), EVAL_RUNS)]);
    // The two paths answer alike (first page).
    for (const body of [textBody, rollupBody, anyBody]) {
      const a = (await query(body)()) as { results: { id: string }[] };
      const b = (await query(body, evaluator)()) as { results: { id: string }[] };
      if (a.results.map((r) => r.id).join() !== b.results.map((r) => r.id).join())
        throw new Error(`SQL and the evaluator disagree on ${JSON.stringify(body)}`);
    }
    const rowWith = (await client.dataSources.query({ data_source_id: withF, page_size: 1 })).results[0]!.id;
    const rowPlain = (await client.dataSources.query({ data_source_id: plain, page_size: 1 })).results[0]!.id;
    results.push([
      'GET /v1/pages/{id}, no formulas',
      await time(() => client.pages.retrieve({ page_id: rowPlain })),
    ]);
    results.push([
      'GET /v1/pages/{id}, ten formulas',
      await time(() => client.pages.retrieve({ page_id: rowWith })),
    ]);
    for (const [what, l] of results)
      console.log(`[${engine}] ${what}: p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms`);
  } finally {
    await store.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
  }
}

for (const engine of ENGINES) {
  if (engine === 'postgres' && !(await postgresReachable())) {
    console.log('[postgres] not reachable: skipped');
    continue;
  }
  await run(engine);
}
