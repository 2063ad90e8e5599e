/*
 * A data source's id at the five /v1/blocks endpoints, through the official SDK on both engines:
 * in Notion a data source is not a block, so each endpoint answers 404 `object_not_found` in the
 * words of an id that does not exist, on every API version, and nothing is written. A database's
 * id stays a `child_database` block.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiVersion } from '../../src/wire/versions.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

describeEngines('a data source id at /v1/blocks', (engine) => {
  let h: Harness;
  let databaseId: string;
  let dataSourceId: string;
  let rowId: string;
  let integrationName: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    const sdk = h.client({ version: '2025-09-03' });
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: h.rootPageId },
      title: rt('Tasks'),
      initial_data_source: { properties: { Name: { title: {} }, Score: { number: {} } } },
    })) as unknown as { id: string; data_sources: { id: string }[] };
    databaseId = db.id;
    dataSourceId = db.data_sources[0]!.id;
    rowId = (
      await sdk.pages.create({
        parent: { type: 'data_source_id', data_source_id: dataSourceId },
        properties: { Name: { title: rt('First') }, Score: { number: 1 } },
      })
    ).id;
    // Notion's sharing hint names the integration asking, as its bot user is named.
    integrationName = (await sdk.users.me({})).name!;
  });
  afterAll(() => h.close());

  /** The stored rows a block endpoint could change: the data source, its database, its rows. */
  const stored = () =>
    h.store.transaction(async (tx) => ({
      dataSource: await tx.blocks.get(dataSourceId),
      database: await tx.blocks.get(databaseId),
      rows: (await tx.blocks.listChildren(dataSourceId, null, 100)).items,
      row: await tx.blocks.get(rowId),
    }));

  const expectNotFound = (err: unknown) => {
    expect(err).toMatchObject({
      status: 404,
      code: 'object_not_found',
      message:
        `Could not find block with ID: ${dataSourceId}. ` +
        `Make sure the relevant pages and databases are shared with your integration "${integrationName}".`,
    });
  };

  /** Each block endpoint, called with the data source's id. */
  const endpoints: [string, (sdk: Client, version: ApiVersion) => Promise<unknown>][] = [
    ['GET /v1/blocks/{id}', (sdk) => sdk.blocks.retrieve({ block_id: dataSourceId })],
    [
      'PATCH /v1/blocks/{id}',
      (sdk, version) =>
        sdk.blocks.update({
          block_id: dataSourceId,
          ...(version === '2022-06-28' ? { archived: true } : { in_trash: true }),
        } as never),
    ],
    ['DELETE /v1/blocks/{id}', (sdk) => sdk.blocks.delete({ block_id: dataSourceId })],
    ['GET /v1/blocks/{id}/children', (sdk) => sdk.blocks.children.list({ block_id: dataSourceId })],
    [
      'PATCH /v1/blocks/{id}/children',
      (sdk) =>
        sdk.blocks.children.append({
          block_id: dataSourceId,
          children: [{ paragraph: { rich_text: rt('not here') } }],
        }),
    ],
  ];

  const versions: ApiVersion[] = ['2022-06-28', '2025-09-03', '2026-03-11'];
  for (const version of versions) {
    describe(`Notion-Version ${version}`, () => {
      for (const [endpoint, call] of endpoints) {
        it(`${endpoint} answers object_not_found and changes nothing`, async () => {
          const before = await stored();
          expectNotFound(await call(h.client({ version }), version).catch((e) => e));
          expect(await stored()).toEqual(before);
          // The row still reads as before, as a row of its data source.
          const row = (await h.client({ version: '2025-09-03' }).pages.retrieve({ page_id: rowId })) as {
            in_trash: boolean;
            parent: { data_source_id?: string };
          };
          expect(row.in_trash).toBe(false);
          expect(row.parent.data_source_id).toBe(dataSourceId);
        });
      }

      it('a database id is still a child_database block', async () => {
        const block = (await h.client({ version }).blocks.retrieve({ block_id: databaseId })) as {
          type: string;
          child_database?: { title: string };
          has_children: boolean;
        };
        expect(block.type).toBe('child_database');
        expect(block.child_database).toEqual({ title: 'Tasks' });
        const children = await h.client({ version }).blocks.children.list({ block_id: databaseId });
        expect(children.results).toEqual([]);
      });
    });
  }

  it('the data source itself is untouched and reachable at /v1/data_sources', async () => {
    const ds = (await h.client({ version: '2025-09-03' }).dataSources.retrieve({
      data_source_id: dataSourceId,
    })) as { id: string; in_trash: boolean };
    expect(ds.id).toBe(dataSourceId);
    expect(ds.in_trash).toBe(false);
  });
});
