import { collectPaginatedAPI, iteratePaginatedAPI } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { namesOf, type Seeded, seedRows } from './query-support.ts';
import {
  hasDataSources,
  plain,
  type QueryResult,
  queryRows,
  type RowPage,
  rowClient,
  shownParent,
  text,
  VERSIONS,
} from './rows-support.ts';

describeEngines('query results: order, pages, trash, errors', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  for (const version of VERSIONS) {
    describe(`Notion-Version ${version}`, () => {
      let s: Seeded;
      const client = () => rowClient(h, version);
      const names = (body: Record<string, unknown>) => namesOf(client(), version, s.db, body);
      /** One page of results, through the SDK call this version uses. */
      const pageOf = (args: Record<string, unknown>) =>
        hasDataSources(version)
          ? client().dataSources.query({ data_source_id: s.db.dataSourceId, ...args } as never)
          : client().request({ path: `databases/${s.db.databaseId}/query`, method: 'post', body: args });
      beforeAll(async () => {
        s = await seedRows(h, version);
      });

      it('lists pages with the version’s list type and row parents', async () => {
        const res = await queryRows(client(), version, s.db);
        const type = hasDataSources(version) ? 'page_or_data_source' : 'page_or_database';
        expect(res.type).toBe(type);
        expect(res[type]).toEqual({});
        expect(res.next_cursor).toBeNull();
        expect(res.has_more).toBe(false);
        expect(res.results[0]!.parent).toEqual(shownParent(version, s.db));
      });

      it('orders newest first without sorts', async () => {
        expect(await names({})).toEqual(['delta', 'Gamma', 'beta_1', 'Alpha']);
      });

      it('sorts by several keys in order, empties last', async () => {
        expect(await names({ sorts: [{ property: 'Score', direction: 'descending' }] })).toEqual([
          'Alpha',
          'beta_1',
          'Gamma',
          'delta',
        ]);
        expect(await names({ sorts: [{ property: 'Level', direction: 'ascending' }] })).toEqual([
          'beta_1',
          'Gamma',
          'Alpha',
          'delta',
        ]);
        expect(
          await names({
            sorts: [
              { property: 'Done', direction: 'descending' },
              { property: 'Name', direction: 'ascending' },
            ],
          }),
        ).toEqual(['Alpha', 'delta', 'beta_1', 'Gamma']);
        expect(await names({ sorts: [{ property: 'Due', direction: 'ascending' }] })).toEqual([
          'delta',
          'Alpha',
          'beta_1',
          'Gamma',
        ]);
      });

      it('sorts by timestamps', async () => {
        expect(await names({ sorts: [{ timestamp: 'created_time', direction: 'ascending' }] })).toEqual([
          'Alpha',
          'beta_1',
          'Gamma',
          'delta',
        ]);
        await new Promise((r) => setTimeout(r, 5));
        await client().pages.update({
          page_id: s.rows.beta_1.id,
          properties: { Notes: { rich_text: text('under_score here') } },
        } as never);
        const latest = await names({ sorts: [{ timestamp: 'last_edited_time', direction: 'descending' }] });
        expect(latest[0]).toBe('beta_1');
      });

      it('pages through results with start_cursor and page_size', async () => {
        const first = (await pageOf({ page_size: 3 })) as QueryResult;
        expect(first.results).toHaveLength(3);
        expect(first.has_more).toBe(true);
        expect(typeof first.next_cursor).toBe('string');
        const second = (await pageOf({ page_size: 3, start_cursor: first.next_cursor })) as QueryResult;
        expect(second.results.map((r) => r.id)).toEqual([s.rows.Alpha.id]);
        expect(second.next_cursor).toBeNull();
        expect(second.has_more).toBe(false);
        const sorts = [{ property: 'Name', direction: 'ascending' }];
        const all = (await collectPaginatedAPI(
          pageOf as never,
          { page_size: 1, sorts } as never,
        )) as RowPage[];
        expect(all.map((r) => plain(r.properties.Name!.title))).toEqual([
          'Alpha',
          'beta_1',
          'delta',
          'Gamma',
        ]);
        const seen: string[] = [];
        for await (const r of iteratePaginatedAPI(
          pageOf as never,
          {
            page_size: 2,
            filter: { property: 'Done', checkbox: { equals: false } },
          } as never,
        ))
          seen.push(plain((r as RowPage).properties.Name!.title));
        expect(seen).toEqual(['Gamma', 'beta_1']);
      });

      it('leaves trashed rows out unless asked for them', async () => {
        expect(await names({})).not.toContain('Epsilon');
        const trashed = await names({ in_trash: true });
        expect(trashed).toEqual(['Epsilon']);
        const res = await queryRows(client(), version, s.db, { in_trash: true });
        expect(res.results[0]!.in_trash).toBe(true);
      });

      it('limits properties with filter_properties', async () => {
        const scoreId = s.rows.Alpha.properties.Score!.id;
        const res = await queryRows(client(), version, s.db, {}, ['title', scoreId]);
        for (const row of res.results) expect(Object.keys(row.properties).sort()).toEqual(['Name', 'Score']);
      });

      it.each([
        [{ property: 'Ghost', number: { equals: 1 } }, 'Could not find property with name or id: Ghost'],
        [
          { property: 'Score', select: { equals: 'x' } },
          'database property number does not match filter select',
        ],
        [{ property: 'Score', number: { equals: 'x' } }, 'body.filter.number.equals should be a number'],
        [{ property: 'Tags', multi_select: { equals: 'a' } }, 'body.filter.multi_select.equals'],
        [{ property: 'Due', date: { equals: 'next tuesday' } }, 'body.filter.date.equals'],
        [
          { property: 'Done', checkbox: { equals: 'yes' } },
          'body.filter.checkbox.equals should be a boolean',
        ],
        [{ property: 'Owner', people: { contains: 'someone' } }, 'body.filter.people.contains'],
        [
          { and: [{ or: [{ and: [{ property: 'Done', checkbox: { equals: true } }] }] }] },
          'body.filter.and[0].or[0].and',
        ],
        [{ timestamp: 'deleted_time', deleted_time: {} }, 'body.filter.timestamp'],
      ])('refuses an invalid filter, naming what is wrong (%#)', async (filter, message) => {
        const before = await queryRows(client(), version, s.db);
        const err = await queryRows(client(), version, s.db, { filter }).catch((e) => e);
        expect(err.code).toBe('validation_error');
        expect(err.message).toContain(message);
        expect(await queryRows(client(), version, s.db)).toEqual({
          ...before,
          request_id: expect.any(String),
        });
      });

      it('refuses invalid sorts and page sizes', async () => {
        const sort = await names({ sorts: [{ property: 'Ghost', direction: 'ascending' }] }).catch((e) => e);
        expect(sort.message).toBe('Could not find sort property with name or id: Ghost');
        const dir = await names({ sorts: [{ property: 'Name', direction: 'up' }] }).catch((e) => e);
        expect(dir.message).toContain('body.sorts[0].direction');
        const size = await names({ page_size: 101 }).catch((e) => e);
        expect(size.message).toContain('body.page_size should be ≤ `100`');
      });
    });
  }
});
