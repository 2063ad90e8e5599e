/**
 * Statements per `GET /v1/pages/{id}`, counted at the drivers (every round trip, BEGIN and COMMIT
 * included), by a token already remembered (bearer auth's cache) for a page shared directly. The
 * bounds pin what docs/benchmarks.md reports (issue 12, "Session 9"): on Postgres the token is
 * confirmed and the page, its visibility and its data source read in one statement without a
 * transaction; on SQLite the integrations stamp (`pragma data_version`) and the page statement. A
 * data source's query by such a token runs no statement of its own for the token either.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { countStatements } from '../helpers/statements.ts';

describeEngines('statements per page read', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(async () => {
    await h.close();
  });

  it('reads a page by a remembered token in one statement on Postgres, pragma + page on SQLite', async () => {
    const get = () => h.request(`/v1/pages/${h.rootPageId}`);
    for (let i = 0; i < 2; i++) expect((await get()).status).toBe(200);
    const counter = countStatements({ keepText: true });
    try {
      const res = await get();
      expect(res.status).toBe(200);
      await res.text();
      expect(counter.texts, counter.texts.join('\n')).toHaveLength(engine === 'postgres' ? 1 : 2);
    } finally {
      counter.stop();
    }
  });

  it('queries a data source by a remembered token without a statement of its own for the token', async () => {
    const made = await h.request('/v1/databases', {
      method: 'POST',
      body: JSON.stringify({
        parent: { type: 'page_id', page_id: h.rootPageId },
        title: [{ text: { content: 'Counted' } }],
        initial_data_source: { properties: { Name: { title: {} } } },
      }),
    });
    const dataSourceId = ((await made.json()) as { data_sources: { id: string }[] }).data_sources[0]!.id;
    const query = () => h.request(`/v1/data_sources/${dataSourceId}/query`, { method: 'POST', body: '{}' });
    for (let i = 0; i < 2; i++) expect((await query()).status).toBe(200);
    const counter = countStatements({ keepText: true });
    try {
      const res = await query();
      expect(res.status).toBe(200);
      await res.text();
      // Postgres: the token is confirmed inside the data source's visibility statement; SQLite:
      // the integrations stamp vouches for it (no statement on integrations either way).
      const lookups = counter.texts.filter((t) => /^select .* from "integrations"/i.test(t.trim()));
      expect(lookups, counter.texts.join('\n')).toEqual([]);
    } finally {
      counter.stop();
    }
  });

  it('runs a read said to be one statement again in a transaction when it needs a second', async () => {
    const counter = countStatements({ keepText: true });
    try {
      const [a, b] = await h.store.read(
        async (tx) => [await tx.blocks.get(h.rootPageId), await tx.blocks.get(h.rootPageId)],
        { oneStatement: true },
      );
      expect(a?.id).toBe(h.rootPageId);
      expect(b).toEqual(a);
      const begins = counter.texts.filter((t) => /^begin/i.test(t.trim())).length;
      // Postgres: two statements on the pool (the second stopped), then BEGIN, both, COMMIT.
      // SQLite: the option changes nothing, and a read has no transaction (auth-stamp.test.ts).
      expect(begins, counter.texts.join('\n')).toBe(engine === 'postgres' ? 1 : 0);
      if (engine === 'postgres') expect(counter.texts).toHaveLength(6);
    } finally {
      counter.stop();
    }
  });
});
