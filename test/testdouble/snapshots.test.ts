/**
 * Reset and snapshots through the admin API, on both engines: what is restored is exactly what
 * was saved, and a restore racing requests is seen whole or not at all.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OctavoTest } from '../../src/testing/index.ts';
import { describeEngines } from '../helpers/engines.ts';
import { IDS, startFor, TOKEN_A } from './fixture.ts';

const fixture = (rows: number, label: string) => ({
  integrations: [{ name: 'Tests A', token: TOKEN_A, id: IDS.integrationA }],
  pages: [
    {
      id: IDS.home,
      title: `Home ${label}`,
      shared_with: ['Tests A'],
      databases: [
        {
          id: IDS.tasks,
          data_source_id: IDS.tasksSource,
          title: 'Tasks',
          properties: { Name: { title: {} } },
          rows: Array.from({ length: rows }, (_, i) => ({
            properties: { Name: { title: [{ text: { content: `${label} ${i}` } }] } },
          })),
        },
      ],
    },
  ],
});

async function json(res: Response) {
  return (await res.json()) as Record<string, unknown>;
}

describeEngines('snapshots', (engine) => {
  let octavo: OctavoTest;
  beforeAll(async () => {
    octavo = await startFor(engine);
  });
  afterAll(() => octavo.close());

  it('saves, lists, restores and deletes snapshots; reset empties the workspace', async () => {
    expect((await octavo.admin('/seed', { body: fixture(3, 'a') })).status).toBe(200);
    const saved = await json(await octavo.admin('/snapshots', { body: { name: 'base' } }));
    expect(saved).toMatchObject({ object: 'snapshot', name: 'base' });
    const notion = octavo.client({ token: TOKEN_A });
    await notion.pages.create({
      parent: { data_source_id: IDS.tasksSource },
      properties: { Name: { title: [{ text: { content: 'added later' } }] } },
    });
    await notion.pages.update({ page_id: IDS.home, in_trash: true });
    expect((await notion.dataSources.query({ data_source_id: IDS.tasksSource })).results).toHaveLength(4);

    const restored = await octavo.admin('/snapshots/base/restore', { method: 'POST' });
    expect(restored.status).toBe(200);
    const rows = await notion.dataSources.query({ data_source_id: IDS.tasksSource });
    expect(rows.results).toHaveLength(3);
    const home = await notion.pages.retrieve({ page_id: IDS.home });
    expect('in_trash' in home && home.in_trash).toBe(false);
    // Writes after a restore work (ids, sequences and full-text index in order).
    await notion.pages.create({
      parent: { data_source_id: IDS.tasksSource },
      properties: { Name: { title: [{ text: { content: 'after restore' } }] } },
    });
    const found = await notion.dataSources.query({
      data_source_id: IDS.tasksSource,
      filter: { property: 'Name', title: { contains: 'after' } },
    });
    expect(found.results).toHaveLength(1);
    const search = await notion.search({ query: 'Home a' });
    expect(search.results.map((r) => r.id)).toContain(IDS.home);

    const list = await json(await octavo.admin('/snapshots'));
    // octavo_start: the helper's own, saved at start for rewind().
    expect((list.results as { name: string }[]).map((s) => s.name).sort()).toEqual(['base', 'octavo_start']);

    expect((await octavo.admin('/reset', { method: 'POST' })).status).toBe(200);
    await expect(notion.users.me({})).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await octavo.admin('/snapshots/base/restore', { method: 'POST' })).status).toBe(200);
    expect((await notion.dataSources.query({ data_source_id: IDS.tasksSource })).results).toHaveLength(3);

    expect((await octavo.admin('/snapshots/base', { method: 'DELETE' })).status).toBe(200);
    const gone = await octavo.admin('/snapshots/base/restore', { method: 'POST' });
    expect(gone.status).toBe(404);
    expect(await json(gone)).toMatchObject({ code: 'object_not_found' });
    const bad = await octavo.admin('/snapshots', { body: { name: 'Bad Name' } });
    expect(bad.status).toBe(400);
  });

  it('a restore racing requests is seen whole: every read sees one snapshot or the other', async () => {
    await octavo.reset();
    await octavo.seed(fixture(20, 'small'));
    await octavo.snapshot('small');
    await octavo.reset();
    await octavo.seed(fixture(40, 'large'));
    await octavo.snapshot('large');
    const notion = octavo.client({ token: TOKEN_A, retries: 0 });
    let stop = false;
    const seen = new Set<string>();
    const failures: unknown[] = [];
    const reader = async () => {
      while (!stop) {
        try {
          const res = await notion.dataSources.query({ data_source_id: IDS.tasksSource, page_size: 100 });
          const labels = new Set(
            res.results.map((r) => {
              const title =
                'properties' in r ? (r.properties.Name as { title: { plain_text: string }[] }) : null;
              return title?.title[0]?.plain_text.split(' ')[0] ?? '?';
            }),
          );
          seen.add(`${res.results.length}:${[...labels].join(',')}`);
        } catch (e) {
          failures.push(e);
        }
      }
    };
    const readers = [reader(), reader(), reader()];
    try {
      for (let i = 0; i < 10; i++) await octavo.restore(i % 2 === 0 ? 'small' : 'large');
    } finally {
      stop = true;
      await Promise.all(readers);
    }
    expect(failures).toEqual([]);
    for (const s of seen) expect(['20:small', '40:large']).toContain(s);
  });
});
