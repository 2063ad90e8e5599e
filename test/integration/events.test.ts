import type { DatabaseObjectResponse } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capability } from '../../src/domain/capabilities.ts';
import { type EventCursor, START_CURSOR } from '../../src/events/cursor.ts';
import type { RecordedEvent } from '../../src/events/types.ts';
import { importRows } from '../../src/ops/bulk-rows.ts';
import { canSeeEvent } from '../../src/ops/events.ts';
import { describeEngines, eventsReadable } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const text = (content: string) => [{ type: 'text' as const, text: { content } }];
const title = (content: string) => ({ title: { title: text(content) } });

describeEngines('change events', (engine) => {
  let h: Harness;
  let cursor: EventCursor = START_CURSOR;
  let bot: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    bot = (await h.client().users.me({})).id;
    cursor = await last();
  });
  afterAll(() => h.close());

  async function last(): Promise<EventCursor> {
    await settled();
    return (await h.store.transaction((tx) => tx.events.readAfter(START_CURSOR, 100_000))).next;
  }
  const settled = () => eventsReadable(engine, h.store.db);
  /** The events recorded since the previous call. */
  async function recorded(): Promise<RecordedEvent[]> {
    await settled();
    const read = await h.store.transaction((tx) => tx.events.readAfter(cursor, 100_000));
    cursor = read.next;
    return read.events;
  }
  const brief = (events: RecordedEvent[]) => events.map((e) => [e.type, e.entity.id]);

  describe('every write through the API records its events', () => {
    let page: string;
    let other: string;
    let block: string;
    let db: DatabaseObjectResponse;
    let ds: string;
    let row: string;
    const c = () => h.client();
    const steps: [string, () => Promise<[string, string][]>][] = [
      [
        'POST /v1/pages under a page',
        async () => {
          page = (await c().pages.create({ parent: { page_id: h.rootPageId }, properties: title('A') })).id;
          other = (await c().pages.create({ parent: { page_id: h.rootPageId }, properties: title('B') })).id;
          return [
            ['page.created', page],
            ['page.created', other],
          ];
        },
      ],
      [
        'PATCH /v1/pages title',
        async () => {
          await c().pages.update({ page_id: page, properties: title('A2') });
          return [['page.properties_updated', page]];
        },
      ],
      [
        'PATCH /v1/blocks/{id}/children',
        async () => {
          const r = await c().blocks.children.append({
            block_id: page,
            children: [{ paragraph: { rich_text: text('x') } }],
          });
          block = r.results[0]!.id;
          return [['page.content_updated', page]];
        },
      ],
      [
        'PATCH /v1/blocks/{id}',
        async () => {
          await c().blocks.update({ block_id: block, paragraph: { rich_text: text('y') } });
          return [['page.content_updated', page]];
        },
      ],
      [
        'DELETE /v1/blocks/{id}',
        async () => {
          await c().blocks.delete({ block_id: block });
          return [['page.content_updated', page]];
        },
      ],
      [
        'lock and unlock',
        async () => {
          await c().pages.update({ page_id: page, is_locked: true } as never);
          await c().pages.update({ page_id: page, is_locked: false } as never);
          return [
            ['page.locked', page],
            ['page.unlocked', page],
          ];
        },
      ],
      [
        'POST /v1/pages/{id}/move',
        async () => {
          await c().pages.move({ page_id: page, parent: { type: 'page_id', page_id: other } });
          return [['page.moved', page]];
        },
      ],
      [
        'trash and restore',
        async () => {
          await c().pages.update({ page_id: page, in_trash: true });
          await c().pages.update({ page_id: page, in_trash: false });
          return [
            ['page.deleted', page],
            ['page.undeleted', page],
          ];
        },
      ],
      [
        'POST /v1/databases',
        async () => {
          db = (await c().databases.create({
            parent: { type: 'page_id', page_id: h.rootPageId },
            title: text('Tasks'),
            initial_data_source: { properties: { Name: { title: {} } } },
          })) as DatabaseObjectResponse;
          ds = db.data_sources[0]!.id;
          // Every new database starts with a table view (ops/views.ts).
          const view = (await c().views.list({ database_id: db.id })).results[0]!.id;
          return [
            ['database.created', db.id],
            ['data_source.created', ds],
            ['view.created', view],
          ];
        },
      ],
      [
        'PATCH /v1/data_sources schema',
        async () => {
          await c().dataSources.update({ data_source_id: ds, properties: { Points: { number: {} } } });
          return [['data_source.schema_updated', ds]];
        },
      ],
      [
        'POST /v1/pages in a data source',
        async () => {
          row = (
            await c().pages.create({
              parent: { data_source_id: ds },
              properties: { Name: title('r').title, Points: { number: 1 } } as never,
            })
          ).id;
          return [
            ['page.created', row],
            ['data_source.content_updated', ds],
          ];
        },
      ],
      [
        'PATCH /v1/pages row value',
        async () => {
          await c().pages.update({ page_id: row, properties: { Points: { number: 2 } } });
          return [['page.properties_updated', row]];
        },
      ],
      [
        'trash a database',
        async () => {
          await c().databases.update({ database_id: db.id, in_trash: true } as never);
          return [['database.deleted', db.id]];
        },
      ],
      [
        'file upload create and send',
        async () => {
          const up = await c().fileUploads.create({ filename: 'a.txt' });
          await c().fileUploads.send({
            file_upload_id: up.id,
            file: { filename: 'a.txt', data: new Blob(['hi']) },
          });
          return [
            ['file_upload.created', up.id],
            ['file_upload.completed', up.id],
          ];
        },
      ],
      [
        'comments: create on a page and on a block, reply, update, delete',
        async () => {
          const on = (
            await c().blocks.children.append({
              block_id: other,
              children: [{ paragraph: { rich_text: text('c') } }],
            })
          ).results[0]!.id;
          await recorded();
          const first = await c().comments.create({ parent: { page_id: other }, rich_text: text('hi') });
          const onBlock = await c().comments.create({
            parent: { block_id: on },
            rich_text: text('here'),
          } as never);
          const reply = await c().comments.create({
            discussion_id: (first as { discussion_id: string }).discussion_id,
            rich_text: text('re'),
          });
          await c().comments.update({ comment_id: reply.id, rich_text: text('re2') } as never);
          await c().comments.delete({ comment_id: onBlock.id } as never);
          const events = await recorded();
          const comments = events.filter((e) => e.entity.type === 'comment');
          expect(comments.map((e) => e.data)).toEqual([
            { parent: { id: other, type: 'page' }, page_id: other },
            { parent: { id: on, type: 'block' }, page_id: other },
            { parent: { id: other, type: 'page' }, page_id: other },
            { parent: { id: other, type: 'page' }, page_id: other },
            { parent: { id: on, type: 'block' }, page_id: other },
          ]);
          // Checked here rather than by the loop: `recorded()` above took the append's event.
          expect(brief(events)).toEqual([
            ['comment.created', first.id],
            ['comment.created', onBlock.id],
            ['comment.created', reply.id],
            ['comment.updated', reply.id],
            ['comment.deleted', onBlock.id],
          ]);
          // Told only to integrations that may read comments, and see the page.
          const env = (capabilities: Capability[]) => ({
            actor: {
              integrationId: comments[0]!.integrationId!,
              integrationName: 'Quickstart',
              botUserId: bot,
              capabilities: new Set(capabilities),
            },
            now: new Date().toISOString(),
            publicUrl: 'http://octavo.test',
          });
          const seen = (caps: Capability[]) =>
            h.store.transaction((tx) => canSeeEvent(tx, env(caps), comments[0]!));
          expect(await seen(['read_content', 'read_comments'])).toBe(true);
          expect(await seen(['read_content'])).toBe(false);
          return [];
        },
      ],
    ];
    for (const [name, step] of steps) {
      it(`records exactly the expected events: ${name}`, async () => {
        const expected = await step();
        const events = await recorded();
        expect(brief(events)).toEqual(expected);
        for (const e of events) {
          expect(e.authors).toEqual([{ id: bot, type: 'bot' }]);
          expect(e.integrationId).toBeTruthy();
        }
      });
    }

    it('names what changed: parents, properties, blocks', async () => {
      const { events: all } = await h.store.transaction((tx) => tx.events.readAfter(START_CURSOR, 100_000));
      const find = (type: string) => all.filter((e) => e.type === type);
      expect(find('page.moved')[0]!.data.parent).toEqual({ id: other, type: 'page' });
      expect(find('page.properties_updated')[0]!.data.updated_properties).toEqual(['title']);
      expect(find('page.properties_updated')[1]!.data.updated_properties).toHaveLength(1);
      expect(find('data_source.schema_updated')[0]!.data.updated_properties).toEqual([
        expect.objectContaining({ name: 'Points', action: 'created' }),
      ]);
      const created = find('page.created').find((e) => e.entity.id === row)!;
      expect(created.data.parent).toEqual({ id: db.id, type: 'database', data_source_id: ds });
      expect(find('data_source.content_updated')[0]!.data.updated_blocks).toEqual([
        { id: row, type: 'page' },
      ]);
      expect(find('page.content_updated')[0]!.data.updated_blocks).toEqual([{ id: block, type: 'block' }]);
    });

    it('records a bulk import: one page.created per row and one content update, by the admin', async () => {
      const ds2 = (
        (await c().databases.create({
          parent: { type: 'page_id', page_id: h.rootPageId },
          title: text('Bulk'),
          initial_data_source: { properties: { Name: { title: {} } } },
        })) as DatabaseObjectResponse
      ).data_sources[0]!.id;
      await recorded();
      const lines = [1, 2, 3].map((n) => ({ line: n, body: { properties: { Name: title(`r${n}`).title } } }));
      await importRows(h.store, lines, { dataSourceId: ds2, batchSize: 2 });
      const events = await recorded();
      // One transaction per batch of 2; the content update stands where its first row was made.
      expect(events.map((e) => e.type)).toEqual([
        'page.created',
        'data_source.content_updated',
        'page.created',
        'page.created',
        'data_source.content_updated',
      ]);
      expect(events[1]!.data.updated_blocks).toEqual(
        [events[0], events[2]].map((e) => ({ id: e!.entity.id, type: 'page' })),
      );
      expect(events.every((e) => e.authors[0]!.type === 'person' && e.integrationId === null)).toBe(true);
    });
  });

  describe('nothing is recorded without a commit', () => {
    it('records none for a request that fails validation', async () => {
      await recorded();
      await expect(
        h.client().pages.create({ parent: { page_id: h.rootPageId }, properties: { nope: 1 } as never }),
      ).rejects.toThrow();
      await expect(
        h.client().pages.update({ page_id: h.rootPageId, properties: { title: 5 } as never }),
      ).rejects.toThrow();
      expect(await recorded()).toEqual([]);
    });

    it('records none for a transaction that rolls back after writing', async () => {
      const id = (
        await h.client().pages.create({ parent: { page_id: h.rootPageId }, properties: title('R') })
      ).id;
      await recorded();
      await expect(
        h.store.transaction(async (tx) => {
          await tx.blocks.update(id, { is_locked: 1, in_trash: 1 });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await recorded()).toEqual([]);
    });
  });

  it.runIf(engine === 'postgres')(
    'records once the events of a transaction Postgres re-ran after a deadlock',
    async () => {
      const a = (
        await h.client().pages.create({ parent: { page_id: h.rootPageId }, properties: title('DA') })
      ).id;
      const b = (
        await h.client().pages.create({ parent: { page_id: h.rootPageId }, properties: title('DB') })
      ).id;
      await recorded();
      let attempts = 0;
      let arrived = 0;
      let release: () => void = () => {};
      const bothHere = new Promise<void>((r) => {
        release = r;
      });
      const crossing = (first: string, second: string, patch: { is_locked?: number; in_trash?: number }) =>
        h.store.transaction(async (tx) => {
          const attempt = ++attempts;
          await tx.blocks.update(first, patch);
          if (attempt <= 2) {
            if (++arrived === 2) release();
            await bothHere;
          }
          await tx.blocks.update(second, patch);
        });
      await Promise.all([crossing(a, b, { is_locked: 1 }), crossing(b, a, { in_trash: 1 })]);
      expect(attempts).toBe(3);
      const events = await recorded();
      expect(brief(events).sort()).toEqual(
        [
          ['page.locked', a],
          ['page.locked', b],
          ['page.deleted', a],
          ['page.deleted', b],
        ].sort(),
      );
    },
  );
});
