/*
 * POST /v1/search through the official SDK, on both engines and every version: title matching,
 * filters, sorts, cursors, trash, and only what the integration can see.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const text = (content: string) => [{ type: 'text' as const, text: { content } }];

interface Result {
  object: string;
  id: string;
  last_edited_time?: string;
  in_trash?: boolean;
}

interface SearchAnswer {
  object: 'list';
  results: Result[];
  next_cursor: string | null;
  has_more: boolean;
  type: string;
}

describeEngines('POST /v1/search', (engine) => {
  let h: Harness;
  let client: Client;
  /** A fresh area per test: pages made under it, titles made unique by a per-test word. */
  let area: string;
  let seq = 0;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const tick = () => {
    clock += 60_000;
    return new Date(clock);
  };

  beforeAll(async () => {
    // A clock that moves a minute per request, so last_edited_time orders are unambiguous.
    h = await startHarness(engine, { clock: tick });
    client = h.client();
    area = (
      await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: text('Search area') } },
      })
    ).id;
  });
  afterAll(() => h.close());

  const find = (body: Record<string, unknown>, c: Client = client) =>
    c.search(body as never) as unknown as Promise<SearchAnswer>;

  async function page(title: string, parent = area): Promise<string> {
    return (
      await client.pages.create({
        parent: { page_id: parent },
        properties: { title: { title: text(title) } },
      })
    ).id;
  }

  async function database(title: string, parent = area) {
    const db = (await client.databases.create({
      parent: { type: 'page_id', page_id: parent },
      title: text(title),
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as { id: string; data_sources: { id: string }[] };
    return { databaseId: db.id, dataSourceId: db.data_sources[0]!.id };
  }

  const word = () => `zq${(seq++).toString(36)}x`;

  describe('query', () => {
    it('matches titles containing every word, case-insensitively, newest edit first', async () => {
      const w = word();
      const a = await page(`Alpha ${w} report`);
      const b = await page(`${w.toUpperCase()} beta report`);
      await page(`Gamma ${w}`);
      await page('Unrelated report');
      const res = await find({ query: `REPORT ${w}` });
      expect(res.type).toBe('page_or_data_source');
      expect(res.results.map((r) => r.id)).toEqual([b, a]);
      expect(res.has_more).toBe(false);
      expect(res.next_cursor).toBeNull();
    });

    it('finds data sources by title, and rows of a data source by their title', async () => {
      const w = word();
      const db = await database(`Projects ${w}`);
      const row = await client.pages.create({
        parent: { type: 'data_source_id', data_source_id: db.dataSourceId },
        properties: { Name: { title: text(`Launch ${w}`) } },
      });
      const res = await find({ query: w });
      expect(res.results.map((r) => [r.object, r.id])).toEqual([
        ['page', row.id],
        ['data_source', db.dataSourceId],
      ]);
      const pagesOnly = await find({ query: w, filter: { property: 'object', value: 'page' } });
      expect(pagesOnly.results.map((r) => r.id)).toEqual([row.id]);
      const sourcesOnly = await find({ query: w, filter: { property: 'object', value: 'data_source' } });
      expect(sourcesOnly.results.map((r) => r.id)).toEqual([db.dataSourceId]);
    });

    it('answers databases instead of data sources under 2022-06-28, with the older list type', async () => {
      const w = word();
      const db = await database(`Legacy ${w}`);
      const legacy = h.client({ version: '2022-06-28' });
      const res = (await legacy.search({ query: w } as never)) as unknown as SearchAnswer;
      expect(res.type).toBe('page_or_database');
      expect(res.results.map((r) => [r.object, r.id])).toEqual([['database', db.databaseId]]);
      const filtered = (await legacy.search({
        query: w,
        filter: { property: 'object', value: 'database' },
      } as never)) as unknown as SearchAnswer;
      expect(filtered.results).toHaveLength(1);
    });

    it('sees a renamed title at once, and no longer finds the old one', async () => {
      const w = word();
      const id = await page(`Draft ${w}`);
      await client.pages.update({ page_id: id, properties: { title: { title: text(`Final ${w}`) } } });
      expect((await find({ query: `draft ${w}` })).results).toEqual([]);
      expect((await find({ query: `final ${w}` })).results.map((r) => r.id)).toEqual([id]);
    });

    it('matches short words and words with % and _ literally', async () => {
      const w = word();
      const a = await page(`${w} 5% off_now`);
      await page(`${w} 55 offXnow`);
      expect((await find({ query: `${w} 5%` })).results.map((r) => r.id)).toEqual([a]);
      expect((await find({ query: `${w} off_` })).results.map((r) => r.id)).toEqual([a]);
    });
  });

  describe('sort and pagination', () => {
    it('sorts by last_edited_time in either direction and pages with cursors', async () => {
      const w = word();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await page(`Paged ${w} ${i}`));
      const collect = async (direction: string) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const res: SearchAnswer = await find({
            query: w,
            sort: { timestamp: 'last_edited_time', direction },
            page_size: 3,
            ...(cursor ? { start_cursor: cursor } : {}),
          });
          expect(res.results.length).toBeLessThanOrEqual(3);
          seen.push(...res.results.map((r) => r.id));
          cursor = res.next_cursor;
          expect(res.has_more).toBe(cursor !== null);
        } while (cursor);
        return seen;
      };
      expect(await collect('ascending')).toEqual(ids);
      expect(await collect('descending')).toEqual([...ids].reverse());
    });

    it('puts titles starting with the query first, then containing it, then having its words, under sort by relevance', async () => {
      const w = word();
      const contains = await page(`Notes on ${w} plan`);
      const exact = await page(`${w} plan`);
      const prefix = await page(`${w} plan for Q3`);
      const words = await page(`plan of ${w}`);
      const res = await find({ query: `${w} plan`, sort: { property: 'relevance' }, page_size: 2 });
      expect(res.results.map((r) => r.id)).toEqual([prefix, exact]);
      const rest = await find({
        query: `${w} plan`,
        sort: { property: 'relevance' },
        start_cursor: res.next_cursor,
      });
      expect(rest.results.map((r) => r.id)).toEqual([contains, words]);
    });

    it('keeps relevance order across pages for tiers of many and of few titles', async () => {
      // On Postgres a tier with many recent matches is walked in time order, one with few is read
      // through the trigram index: both must give the order of the plain time-ordered search.
      const w = word();
      const titles: string[] = [];
      for (let i = 0; i < 30; i++) titles.push(`${w} plan ${i}`, `plan ${i} of ${w}`);
      for (let i = 0; i < 4; i++) titles.push(`draft ${w} plan ${i}`);
      const tierOf = new Map<string, number>();
      for (const t of titles) {
        const id = await page(t);
        tierOf.set(id, t.startsWith(`${w} plan`) ? 0 : t.includes(`${w} plan`) ? 1 : 2);
      }
      const all = async (body: Record<string, unknown>) => {
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const res: SearchAnswer = await find({ ...body, page_size: 7, start_cursor: cursor ?? undefined });
          ids.push(...res.results.map((r) => r.id));
          cursor = res.next_cursor;
        } while (cursor);
        return ids;
      };
      const byTime = await all({ query: `${w} plan` });
      expect(byTime).toHaveLength(titles.length);
      const expected = [0, 1, 2].flatMap((t) => byTime.filter((id) => tierOf.get(id) === t));
      expect(await all({ query: `${w} plan`, sort: { property: 'relevance' } })).toEqual(expected);
    });

    it('refuses a cursor that names nothing it could have given', async () => {
      await expect(
        find({ query: 'x', start_cursor: '0f0e0d0c-0b0a-4909-8807-060504030201' }),
      ).rejects.toMatchObject({
        status: 400,
        code: 'validation_error',
      });
    });
  });

  describe('trash', () => {
    it('leaves trashed pages out unless the filter asks for the trash', async () => {
      const w = word();
      const kept = await page(`Kept ${w}`);
      const gone = await page(`Gone ${w}`);
      await client.pages.update({ page_id: gone, in_trash: true });
      expect((await find({ query: w })).results.map((r) => r.id)).toEqual([kept]);
      const trashed = await find({ query: w, filter: { in_trash: true } });
      expect(trashed.results.map((r) => [r.id, r.in_trash])).toEqual([[gone, true]]);
      await client.pages.update({ page_id: gone, in_trash: false });
      expect((await find({ query: w })).results.map((r) => r.id).sort()).toEqual([kept, gone].sort());
    });
  });

  describe('visibility', () => {
    it('shows an integration only what is shared with it and what lies below', async () => {
      const w = word();
      const shared = await h.newRootPage(`Shared ${w}`, ['Octavo Quickstart']);
      const token = await h.newIntegration(`Searcher ${w}`, ['read_content', 'insert_content']);
      const other = h.client({ token });
      const visible = await h.newRootPage(`Visible ${w}`, [`Searcher ${w}`, 'Octavo Quickstart']);
      const child = await page(`Child ${w}`, visible);
      const grandchild = (
        await other.pages.create({
          parent: { page_id: child },
          properties: { title: { title: text(`Deep ${w}`) } },
        })
      ).id;
      const db = await database(`Rows ${w}`, visible);
      const row = await client.pages.create({
        parent: { type: 'data_source_id', data_source_id: db.dataSourceId },
        properties: { Name: { title: text(`Row ${w}`) } },
      });
      await page(`Hidden ${w}`, shared);
      const seen = await find({ query: w }, other);
      expect(seen.results.map((r) => r.id).sort()).toEqual(
        [visible, child, grandchild, db.dataSourceId, row.id].sort(),
      );
      const everything = await find({ query: w });
      expect(everything.results).toHaveLength(7);
      // A moved page leaves the integration's sight at once.
      await client.pages.move({ page_id: child, parent: { type: 'page_id', page_id: shared } } as never);
      const after = await find({ query: w }, other);
      expect(after.results.map((r) => r.id).sort()).toEqual([visible, db.dataSourceId, row.id].sort());
    });

    it('fills a page of results past many objects the integration cannot see', async () => {
      const w = word();
      const hidden = await h.newRootPage(`Hidden root ${w}`, ['Octavo Quickstart']);
      const token = await h.newIntegration(`Few ${w}`, ['read_content']);
      const few = h.client({ token });
      const mine = await h.newRootPage(`Mine ${w}`, [`Few ${w}`, 'Octavo Quickstart']);
      const db = await database(`Hidden rows ${w}`, hidden);
      await h.store.transaction(async (tx) => {
        const { importRowBatch } = await import('../../src/ops/bulk-rows.ts');
        await importRowBatch(tx, {
          dataSourceId: db.dataSourceId,
          lines: Array.from({ length: 450 }, (_, i) => ({
            line: i + 1,
            body: { properties: { Name: { title: text(`Hidden row ${w} ${i}`) } } },
          })),
          now: new Date(clock).toISOString(),
        });
      });
      const res = await find({ query: w, page_size: 1 }, few);
      expect(res.results.map((r) => r.id)).toEqual([mine]);
      expect(res.has_more).toBe(false);
    });

    it('walks past objects it cannot see when it can see too many to list them first', async () => {
      const w = word();
      const token = await h.newIntegration(`Many ${w}`, ['read_content']);
      const many = h.client({ token });
      const mine = await h.newRootPage(`Many root ${w}`, [`Many ${w}`, 'Octavo Quickstart']);
      const hiddenRoot = await h.newRootPage(`Other root ${w}`, ['Octavo Quickstart']);
      const seen = await database(`Seen rows ${w}`, mine);
      const hidden = await database(`Unseen rows ${w}`, hiddenRoot);
      const { importRowBatch } = await import('../../src/ops/bulk-rows.ts');
      const fill = (dataSourceId: string, count: number, label: string) =>
        h.store.transaction((tx) =>
          importRowBatch(tx, {
            dataSourceId,
            lines: Array.from({ length: count }, (_, i) => ({
              line: i + 1,
              body: { properties: { Name: { title: text(`${label} ${w} ${i}`) } } },
            })),
            now: tick().toISOString(),
          }),
        );
      // More than search lists up front (250), then newer rows it cannot see on top.
      const visibleRows = await fill(seen.dataSourceId, 2_100, 'seen');
      await fill(hidden.dataSourceId, 450, 'unseen');
      const res = await find({ query: `seen ${w}`, page_size: 3 }, many);
      expect(res.results).toHaveLength(3);
      for (const r of res.results) expect(visibleRows).toContain(r.id);
      expect(res.has_more).toBe(true);
    });

    it('decides from the shares read once: ancestors and siblings of a shared page stay hidden, deep descendants show, in both version shapes', async () => {
      const w = word();
      const token = await h.newIntegration(`Wide ${w}`, ['read_content']);
      const wide = h.client({ token });
      // Top (not shared with Wide) holds the shared page and a sibling with a child of its own.
      const top = await h.newRootPage(`Top ${w}`, ['Octavo Quickstart']);
      const shared = await page(`Shared ${w}`, top);
      const sibling = await page(`Sibling ${w}`, top);
      await page(`Sibling child ${w}`, sibling);
      const { sharePage } = await import('../../src/ops/integrations.ts');
      await h.store.transaction((tx) =>
        sharePage(tx, { pageId: shared, integrationName: `Wide ${w}`, now: tick().toISOString() }),
      );
      const db = (await client.databases.create({
        parent: { type: 'page_id', page_id: shared },
        title: text(`Rows ${w}`),
        initial_data_source: {
          properties: {
            Name: { title: {} },
            Size: { number: {} },
            Double: { formula: { expression: 'prop("Size") * 2' } },
          },
        },
      } as never)) as unknown as { id: string; data_sources: { id: string }[] };
      const dataSourceId = db.data_sources[0]!.id;
      // More rows than search lists up front (250): the scan decides visibility batch by batch.
      const { importRowBatch } = await import('../../src/ops/bulk-rows.ts');
      const rows = await h.store.transaction((tx) =>
        importRowBatch(tx, {
          dataSourceId,
          lines: Array.from({ length: 300 }, (_, i) => ({
            line: i + 1,
            body: { properties: { Name: { title: text(`filler ${i}`) }, Size: { number: i } } },
          })),
          now: tick().toISOString(),
        }),
      );
      const row = (
        await client.pages.create({
          parent: { type: 'data_source_id', data_source_id: dataSourceId },
          properties: { Name: { title: text(`Row ${w}`) }, Size: { number: 21 } } as never,
        })
      ).id;
      // Below a row, past what was listed: the chain up to the shared page is read.
      const deep = await page(`Deep ${w}`, rows[7]!);
      const deeper = await page(`Deeper ${w}`, deep);
      const gone = await page(`Gone ${w}`, deep);
      await client.pages.update({ page_id: gone, in_trash: true });

      const seen = await find({ query: w }, wide);
      expect(seen.results.map((r) => r.id).sort()).toEqual([shared, dataSourceId, row, deep, deeper].sort());
      const byId = new Map(seen.results.map((r) => [r.id, r as unknown as Record<string, unknown>]));
      // Presented with what each needs: a row its computed formula, a data source its database.
      const rowResult = byId.get(row) as { properties: Record<string, { formula?: { number: number } }> };
      expect(rowResult.properties.Double?.formula?.number).toBe(42);
      expect(byId.get(dataSourceId)).toMatchObject({ parent: { type: 'database_id', database_id: db.id } });
      // Page by page, the same objects.
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await find({ query: w, page_size: 2, ...(cursor ? { start_cursor: cursor } : {}) }, wide);
        paged.push(...res.results.map((r) => r.id));
        cursor = res.next_cursor ?? undefined;
      } while (cursor);
      expect(paged.sort()).toEqual([shared, dataSourceId, row, deep, deeper].sort());
      // The trash only when asked for, and only what the integration can see there.
      const trashed = await find({ query: w, filter: { in_trash: true } }, wide);
      expect(trashed.results.map((r) => r.id)).toEqual([gone]);
      // 2022-06-28: the database with its data source's properties instead of the data source.
      const legacy = h.client({ token, version: '2022-06-28' });
      const old = (await legacy.search({ query: w } as never)) as unknown as SearchAnswer;
      expect(old.results.map((r) => r.id).sort()).toEqual([shared, db.id, row, deep, deeper].sort());
      const database = old.results.find((r) => r.id === db.id) as unknown as { properties: object };
      expect(Object.keys(database.properties).sort()).toEqual(['Double', 'Name', 'Size']);
      // Everything the quickstart integration sees includes what Wide does not.
      const all = await find({ query: w });
      expect(all.results).toHaveLength(8);
    });

    it('answers partial objects to an integration without read_content', async () => {
      const w = word();
      await h.newIntegration(`Inserter ${w}`, ['insert_content']);
      const token = await h.newIntegration(`Blind ${w}`, ['insert_content']);
      const blind = h.client({ token });
      const root = await h.newRootPage(`Blind root ${w}`, [`Blind ${w}`]);
      const res = await find({ query: w }, blind);
      expect(res.results).toEqual([{ object: 'page', id: root }]);
    });
  });

  describe('bad requests', () => {
    it.each([
      [{ filter: { property: 'object', value: 'database' } }, 'body.filter.value'],
      [{ sort: { timestamp: 'created_time', direction: 'descending' } }, 'body.sort.timestamp'],
      [{ sort: { timestamp: 'last_edited_time', direction: 'up' } }, 'body.sort.direction'],
      [{ query: 5 }, 'body.query'],
      [{ page_size: 101 }, 'body.page_size'],
      [{ unknown: true }, 'body.unknown'],
    ])('refuses %j naming %s', async (body, path) => {
      const res = await h.request('/v1/search', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      const json = (await res.json()) as { code: string; message: string };
      expect(json.code).toBe('validation_error');
      expect(json.message).toContain(path);
    });

    it('answers an empty body with everything shared', async () => {
      const res = await h.request('/v1/search', { method: 'POST' });
      expect(res.status).toBe(200);
      const json = (await res.json()) as SearchAnswer;
      expect(json.results.length).toBeGreaterThan(0);
    });
  });
});
