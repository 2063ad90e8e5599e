/*
 * A bulk import (ops/bulk-rows.ts `importRows`) leaves Postgres's planner knowing the table's
 * size: `RowRepo.refreshStatistics` analyzes it after the last batch, so a page of rows read by
 * cursor right after a large import is an index scan, not a sequential scan and a sort of every
 * row (what slowed the 100,000-row table benchmark: docs/benchmarks.md), and with no sort of the
 * rows sharing a creation time (ties newest first, page_id descending). The rows and their order
 * are read back through the official SDK. SQLite: nothing to refresh, the import works the
 * same.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importRows } from '../../src/ops/bulk-rows.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const ROWS = 20_000;

describeEngines('rows import: planner statistics', (engine) => {
  let h: Harness;
  let dataSourceId: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    const db = (await h.client().databases.create({
      parent: { type: 'page_id', page_id: h.rootPageId },
      title: [{ type: 'text', text: { content: 'Imported' } }],
      initial_data_source: { properties: { Name: { title: {} }, N: { number: {} } } },
    })) as unknown as { data_sources: { id: string }[] };
    dataSourceId = db.data_sources[0]!.id;
    const lines = Array.from({ length: ROWS }, (_, i) => ({
      line: i + 1,
      body: {
        properties: { Name: { title: [{ type: 'text', text: { content: `r${i}` } }] }, N: { number: i } },
      },
    }));
    await importRows(h.store, lines, { dataSourceId, batchSize: 5000 });
  }, 120_000);
  afterAll(() => h?.close());

  it('pages through the imported rows by cursor, newest first', async () => {
    const client = h.client();
    const first = await client.dataSources.query({ data_source_id: dataSourceId, page_size: 100 });
    expect(first.results).toHaveLength(100);
    expect(first.has_more).toBe(true);
    const second = await client.dataSources.query({
      data_source_id: dataSourceId,
      page_size: 100,
      start_cursor: first.next_cursor!,
    });
    const ids = [...first.results, ...second.results].map((r) => r.id);
    expect(new Set(ids).size).toBe(200);
    // The last batch first, and within a batch (one creation time) the last row imported first.
    const title = (r: unknown) =>
      (r as { properties: { Name: { title: { plain_text: string }[] } } }).properties.Name.title[0]!
        .plain_text;
    expect([...first.results, ...second.results].map(title)).toEqual(
      Array.from({ length: 200 }, (_, i) => `r${ROWS - 1 - i}`),
    );
  });

  it.runIf(engine === 'postgres')(
    'has analyzed the table: its size known, a cursor page read from the index',
    async () => {
      const table = `ds_${dataSourceId.replaceAll('-', '')}`;
      const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
      try {
        const { rows } = await pool.query<{ schema: string; reltuples: number }>(
          `select n.nspname as schema, c.reltuples from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relname = $1`,
          [table],
        );
        expect(rows).toHaveLength(1);
        // Without the analysis, -1: never analyzed, so the planner guesses (a sequential scan).
        expect(rows[0]!.reltuples).toBe(ROWS);
        // A page from the middle, as the query's keyset cursor reads it (execute.ts, seek form).
        await pool.query(`set search_path = ${pg.escapeIdentifier(rows[0]!.schema)}`);
        const anchor = (
          await pool.query<{ created_time: string; page_id: string }>(
            `select created_time, page_id from ${table} order by created_time desc, page_id desc offset 10050 limit 1`,
          )
        ).rows[0]!;
        const plan = await pool.query<{ 'QUERY PLAN': string }>(
          `explain select page_id from ${table} as r where r.in_trash = 0
             and ((r.created_time < $1 or r.created_time is null) or (r.created_time = $1 and r.page_id < $2)
                  or (r.created_time = $1 and r.page_id = $2))
             and r.created_time <= $1
           order by r.created_time desc, r.page_id desc limit 101`,
          [anchor.created_time, anchor.page_id],
        );
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(text).toContain(`Index Scan Backward using ${table}__created_time`);
        expect(text).not.toContain('Seq Scan');
        // Ties broken by page_id descending without sorts (query/keys.ts): the index gives the order.
        expect(text).not.toContain('Sort');
      } finally {
        await pool.end();
      }
    },
  );
});
