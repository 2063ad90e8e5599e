/**
 * What recording a write's events reads: an API request names its author (the token's
 * integration and bot, `TransactionOptions.authors`), and the blocks the operation read are
 * the parents events name, so neither is read again; what nobody named is still read.
 */
import type { DatabaseObjectResponse } from '@notionhq/client';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventCursor, START_CURSOR } from '../../src/events/cursor.ts';
import type { RecordedEvent } from '../../src/events/types.ts';
import { integrationAuthor } from '../../src/ops/integrations.ts';
import { createPage } from '../../src/ops/pages.ts';
import { administrationEnv } from '../../src/ops/templates.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { describeEngines, eventsReadable } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const text = (content: string) => [{ type: 'text' as const, text: { content } }];
const title = (content: string) => ({ title: { title: text(content) } });

/**
 * Every statement the store runs while `fn` runs, as SQL text: what Kysely compiled, or
 * `(precompiled write)` / `(precompiled read)` for SQL the store reuses (`CompiledQuery.raw`,
 * which no plugin sees compiled; a write is told by its count of affected rows).
 */
async function statementsOf(store: KyselyStore, fn: () => Promise<unknown>): Promise<string[]> {
  const compiled = new Map<unknown, string>();
  const ran: string[] = [];
  const executor = store.db.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      compiled.set(args.queryId, executor.compileQuery(args.node, args.queryId).sql);
      return args.node;
    },
    transformResult: async (args) => {
      const write = args.result.numAffectedRows !== undefined;
      ran.push(compiled.get(args.queryId) ?? (write ? '(precompiled write)' : '(precompiled read)'));
      return args.result;
    },
  };
  const plain = store.db;
  // biome-ignore lint/suspicious/noExplicitAny: the test swaps the store's connection for a counting one
  (store as any).db = plain.withPlugin(plugin);
  try {
    await fn();
  } finally {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    (store as any).db = plain;
  }
  return ran;
}

const AUTHOR_READ = /from "users" as "u" left join "integrations"/;
/** The insert of the events: compiled the first time, its SQL reused after. */
const EVENT_INSERT = /^insert into "events"|^\(precompiled write\)$/;
/** recordEvents' climb to parents: the event columns of blocks, by a list of ids. */
const PARENT_READ = /^select "id", "type", "parent_type", "parent_id", .* from "blocks" where "id" in/;

describeEngines('recording events reads what nobody named', (engine) => {
  let h: Harness;
  let cursor: EventCursor = START_CURSOR;
  let bot: string;
  let integration: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    bot = (await h.client().users.me({})).id;
    integration = (await h.store.transaction((tx) => tx.integrations.list())).find(
      (i) => i.bot_user_id === bot,
    )!.id;
    await recorded();
  });
  afterAll(() => h.close());

  async function recorded(): Promise<RecordedEvent[]> {
    await eventsReadable(engine, h.store.db);
    const read = await h.store.transaction((tx) => tx.events.readAfter(cursor, 100_000));
    cursor = read.next;
    return read.events;
  }

  describe('POST /v1/pages', () => {
    it('under a page: one statement more than the write, the insert of its event', async () => {
      const sql = await statementsOf(h.store, () =>
        h.client().pages.create({ parent: { page_id: h.rootPageId }, properties: title('A') }),
      );
      expect(sql.filter((s) => AUTHOR_READ.test(s))).toEqual([]);
      expect(sql.filter((s) => PARENT_READ.test(s))).toEqual([]);
      expect(sql.filter((s) => EVENT_INSERT.test(s))).toHaveLength(1);
      const [event] = await recorded();
      expect(event).toMatchObject({
        type: 'page.created',
        authors: [{ id: bot, type: 'bot' }],
        integrationId: integration,
        data: { parent: { id: h.rootPageId, type: 'page' } },
      });
    });

    it('in a data source: the data source and database it read are the parents its events name', async () => {
      const db = (await h.client().databases.create({
        parent: { type: 'page_id', page_id: h.rootPageId },
        title: text('Tasks'),
        initial_data_source: { properties: { Name: { title: {} } } },
      })) as DatabaseObjectResponse;
      const ds = db.data_sources[0]!.id;
      await recorded();
      let row = '';
      const sql = await statementsOf(h.store, async () => {
        row = (
          await h
            .client()
            .pages.create({ parent: { data_source_id: ds }, properties: { Name: title('r').title } })
        ).id;
      });
      expect(sql.filter((s) => AUTHOR_READ.test(s) || PARENT_READ.test(s))).toEqual([]);
      const events = await recorded();
      expect(events.map((e) => [e.type, e.entity.id])).toEqual([
        ['page.created', row],
        ['data_source.content_updated', ds],
      ]);
      expect(events[0]!.data.parent).toEqual({ id: db.id, type: 'database', data_source_id: ds });
      expect(events[1]!.data).toEqual({
        parent: { id: db.id, type: 'database' },
        updated_blocks: [{ id: row, type: 'page' }],
        database: { id: db.id, parent: { id: h.rootPageId, type: 'page' } },
      });
      for (const e of events) {
        expect(e.authors).toEqual([{ id: bot, type: 'bot' }]);
        expect(e.integrationId).toBe(integration);
      }
    });
  });

  it('PATCH /v1/blocks/{id}/children names the page without reading it again', async () => {
    const page = (
      await h.client().pages.create({ parent: { page_id: h.rootPageId }, properties: title('P') })
    ).id;
    await recorded();
    const sql = await statementsOf(h.store, () =>
      h
        .client()
        .blocks.children.append({ block_id: page, children: [{ paragraph: { rich_text: text('x') } }] }),
    );
    expect(sql.filter((s) => AUTHOR_READ.test(s) || PARENT_READ.test(s))).toEqual([]);
    const events = await recorded();
    expect(events.map((e) => [e.type, e.entity.id, e.integrationId])).toEqual([
      ['page.content_updated', page, integration],
    ]);
  });

  it('reads the authors a transaction did not name: the administration writing beside a named bot', async () => {
    const sql = await statementsOf(h.store, () =>
      h.store.transaction(
        async (tx) =>
          createPage(tx, await administrationEnv(tx, new Date().toISOString(), ''), {
            parent: { page_id: h.rootPageId },
            properties: title('By the admin'),
          } as never),
        {
          authors: [
            integrationAuthor({
              integrationId: integration,
              integrationName: 'x',
              botUserId: bot,
              capabilities: new Set(),
            }),
          ],
        },
      ),
    );
    expect(sql.filter((s) => AUTHOR_READ.test(s))).toHaveLength(1);
    const [event] = await recorded();
    expect(event!.type).toBe('page.created');
    expect(event!.authors).toEqual([{ id: expect.any(String), type: 'person' }]);
    expect(event!.authors[0]!.id).not.toBe(bot);
    expect(event!.integrationId).toBeNull();
  });
});
