/**
 * Seeding from a fixture (`POST /_octavo/seed`, the test helper's loader): ids and tokens as
 * given, content readable through the official SDK, sharing as described, and a wrong fixture
 * refused with its place named and nothing written.
 */
import { isFullPage } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OctavoTest, startOctavo } from '../../src/testing/index.ts';
import { describeEngines } from '../helpers/engines.ts';
import { FIXTURE_YAML, IDS, startFor, TOKEN_A, TOKEN_B } from './fixture.ts';

describeEngines('seed', (engine) => {
  let octavo: OctavoTest;
  beforeAll(async () => {
    octavo = await startFor(engine);
  });
  afterAll(() => octavo.close());

  it('seeds a YAML fixture through the admin API with the ids and tokens given', async () => {
    const seeded = await fetchAdmin(octavo, '/seed', FIXTURE_YAML, 'application/yaml');
    expect(seeded.status).toBe(200);
    const body = (await seeded.json()) as { integrations: { id: string }[]; pages: number; rows: number };
    expect(body.integrations[0]!.id).toBe(IDS.integrationA);
    expect(body).toMatchObject({ pages: 3, databases: 1, rows: 2 });

    const a = octavo.client({ token: TOKEN_A });
    const home = await a.pages.retrieve({ page_id: IDS.home });
    expect(home.id).toBe(IDS.home);
    const children = await a.blocks.children.list({ block_id: IDS.home });
    expect(children.results.map((b) => b.id).slice(0, 2)).toEqual([IDS.intro, IDS.item]);
    const nested = await a.blocks.children.list({ block_id: IDS.item });
    expect(nested.results.map((b) => b.id)).toEqual([IDS.nested]);
    const child = await a.pages.retrieve({ page_id: IDS.child });
    expect(isFullPage(child) && child.icon).toEqual({ type: 'emoji', emoji: '🧪' });

    const rows = await a.dataSources.query({
      data_source_id: IDS.tasksSource,
      filter: { property: 'Done', checkbox: { equals: true } },
    });
    expect(rows.results.map((r) => r.id)).toEqual([IDS.row1]);
    const row1 = await a.pages.retrieve({ page_id: IDS.row1 });
    expect(isFullPage(row1) && row1.properties.Owner).toMatchObject({ people: [{ id: IDS.user }] });
    const db = await a.databases.retrieve({ database_id: IDS.tasks });
    expect(db.id).toBe(IDS.tasks);
  });

  it('shares only what the fixture says', async () => {
    const a = octavo.client({ token: TOKEN_A });
    const b = octavo.client({ token: TOKEN_B });
    await expect(a.pages.retrieve({ page_id: IDS.secret })).rejects.toMatchObject({
      code: 'object_not_found',
    });
    await expect(b.pages.retrieve({ page_id: IDS.home })).rejects.toMatchObject({ code: 'object_not_found' });
    expect((await b.pages.retrieve({ page_id: IDS.secret })).id).toBe(IDS.secret);
    // Capabilities as given: B reads only.
    await expect(
      b.pages.update({ page_id: IDS.secret, properties: { title: { title: [{ text: { content: 'x' } }] } } }),
    ).rejects.toMatchObject({ code: 'restricted_resource' });
  });

  it('names the place of a wrong block in the fixture and writes nothing', async () => {
    const before = await octavo.store.transaction((tx) => tx.integrations.list());
    const bad = {
      integrations: [{ name: 'Other', token: 'ntn_otherotherotherotherother' }],
      pages: [
        { title: 'ok' },
        { title: 'ok' },
        { title: 'bad', children: [{ paragraph: { rich_text: [] } }, { type: 'nonsense', nonsense: {} }] },
      ],
    };
    const res = await octavo.admin('/seed', { body: bad });
    expect(res.status).toBe(400);
    const err = (await res.json()) as { code: string; message: string };
    expect(err.code).toBe('validation_error');
    expect(err.message).toContain('pages[2].children[1]');
    expect(await octavo.store.transaction((tx) => tx.integrations.list())).toHaveLength(before.length);
  });

  it('names the place of a wrong field and of a failing operation', async () => {
    const wrongEmail = await octavo.admin('/seed', { body: { users: [{ name: 'x', email: 'nope' }] } });
    expect(((await wrongEmail.json()) as { message: string }).message).toContain('users[0].email');
    const wrongRow = await octavo.admin('/seed', {
      body: {
        pages: [
          {
            title: 'p',
            databases: [
              {
                title: 'd',
                properties: { Name: { title: {} } },
                rows: [{ properties: { Nope: { checkbox: true } } }],
              },
            ],
          },
        ],
      },
    });
    const err = (await wrongRow.json()) as { message: string };
    expect(wrongRow.status).toBe(400);
    expect(err.message).toContain('pages[0].databases[0].rows[0]');
    const unknownShare = await octavo.admin('/seed', {
      body: { pages: [{ title: 'p', shared_with: ['Nobody'] }] },
    });
    expect(((await unknownShare.json()) as { message: string }).message).toContain('pages[0].shared_with[0]');
    const yaml = await fetchAdmin(octavo, '/seed', 'pages:\n  - title: [unclosed', 'application/yaml');
    expect(((await yaml.json()) as { message: string }).message).toMatch(/not valid YAML at line 2/);
  });
});

describe('the test helper', () => {
  it('starts with a fixture file and hands out a client of its first integration', async () => {
    const octavo = await startOctavo({ fixture: FIXTURE_YAML });
    try {
      const me = await octavo.client().users.me({});
      expect(me.type).toBe('bot');
      expect((await octavo.client().pages.retrieve({ page_id: IDS.home })).id).toBe(IDS.home);
    } finally {
      await octavo.close();
    }
  });
});

function fetchAdmin(octavo: OctavoTest, path: string, text: string, type: string) {
  return octavo.fetch(`${octavo.baseUrl}/_octavo${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${octavo.adminToken}`, 'content-type': type },
    body: text,
  });
}
