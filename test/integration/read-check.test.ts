/**
 * Checked reads on Postgres (`ReadOptions.checked`, store/read-check.ts): a data source's query
 * runs its statements without BEGIN and COMMIT, and keeps its answer only when its last statement
 * found the first row it read unchanged. A snapshot restore or a write of that row landing
 * between the statements sends the read round again, in a transaction, so what it answers is
 * one state of the workspace, never the data source of one and the rows of another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Query } from '../../src/query/ir.ts';
import type { StoreTx } from '../../src/store/store.ts';
import { ENGINES } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { countStatements } from '../helpers/statements.ts';

const ALL: Query = { filter: null, sorts: [] };

describe.runIf(ENGINES.includes('postgres'))('checked reads [postgres]', () => {
  let h: Harness;
  let dataSourceId: string;
  let integrationId: string;

  const json = async <T>(res: Response): Promise<T> => {
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as T;
  };
  const addRow = (name: string) =>
    h.request('/v1/pages', {
      method: 'POST',
      body: JSON.stringify({
        parent: { data_source_id: dataSourceId },
        properties: { Name: { title: [{ text: { content: name } }] } },
      }),
    });
  const rename = (title: string) =>
    h.request(`/v1/data_sources/${dataSourceId}`, {
      method: 'PATCH',
      body: JSON.stringify({ title: [{ text: { content: title } }] }),
    });
  const query = (body: object = {}) =>
    h.request(`/v1/data_sources/${dataSourceId}/query`, { method: 'POST', body: JSON.stringify(body) });

  /** The data source's title as its first statement read it, and the rows its last one read. */
  const checkedRead = (between: (calls: number) => Promise<void>, inTrash = false) => {
    let calls = 0;
    return h.store
      .read(
        async (tx: StoreTx) => {
          calls++;
          const ds = await tx.blocks.getVisible(dataSourceId, integrationId);
          await between(calls);
          const page = await tx.rows.queryBlocks(dataSourceId, ALL, {
            inTrash,
            from: null,
            limit: 100,
            now: new Date(),
          });
          return { title: JSON.parse(ds!.data).title[0].plain_text as string, rows: page.blocks.length };
        },
        { checked: true },
      )
      .then((answer) => ({ ...answer, calls }));
  };

  beforeAll(async () => {
    h = await startHarness('postgres');
    const made = await json<{ data_sources: { id: string }[] }>(
      await h.request('/v1/databases', {
        method: 'POST',
        body: JSON.stringify({
          parent: { type: 'page_id', page_id: h.rootPageId },
          title: [{ text: { content: 'Checked' } }],
          initial_data_source: { properties: { Name: { title: {} } } },
        }),
      }),
    );
    dataSourceId = made.data_sources[0]!.id;
    const quickstart = await h.store.db.selectFrom('integrations').select('id').executeTakeFirstOrThrow();
    integrationId = quickstart.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('queries a data source without BEGIN and COMMIT: its row, the page, and a confirmation when the page is empty', async () => {
    for (const name of ['a', 'b', 'c']) await json(await addRow(name));
    for (let i = 0; i < 2; i++) await json(await query());
    const counter = countStatements({ keepText: true });
    try {
      const full = await json<{ results: unknown[]; next_cursor: string | null }>(
        await query({ page_size: 1 }),
      );
      expect(full.results).toHaveLength(1);
      // The data source with its visibility and version, then the page with the version again.
      expect(counter.texts, counter.texts.join('\n')).toHaveLength(2);
      counter.texts.length = 0;
      const next = await json<{ results: unknown[] }>(
        await query({ page_size: 1, start_cursor: full.next_cursor }),
      );
      expect(next.results).toHaveLength(1);
      // The cursor's row is read on its own, between them.
      expect(counter.texts, counter.texts.join('\n')).toHaveLength(3);
      counter.texts.length = 0;
      const none = await json<{ results: unknown[] }>(
        await query({ filter: { property: 'Name', title: { equals: 'nothing like it' } } }),
      );
      expect(none.results).toEqual([]);
      // An empty page carries no version: one more statement reads it.
      expect(counter.texts, counter.texts.join('\n')).toHaveLength(3);
      expect(counter.texts.filter((t) => /^(begin|commit)/i.test(t.trim()))).toEqual([]);
    } finally {
      counter.stop();
    }
  });

  it('keeps an answer when nothing changed in between, reading once', async () => {
    const answer = await checkedRead(async () => {});
    expect(answer).toEqual({ title: 'Checked', rows: 3, calls: 1 });
  });

  it('runs again in a transaction when a snapshot restore commits between its statements', async () => {
    await h.store.snapshots.save('read-check', new Date().toISOString());
    await json(await rename('Renamed'));
    for (const name of ['d', 'e']) await json(await addRow(name));
    // The restore brings back the title and the three rows of the snapshot: an answer made of
    // the title before it and the rows after it would be neither state.
    const answer = await checkedRead(async (calls) => {
      if (calls === 1) expect(await h.store.snapshots.restore('read-check')).toBe(true);
    });
    expect(answer).toEqual({ title: 'Checked', rows: 3, calls: 2 });
    // The same when the page is empty (no row is in the trash; the confirmation sees the change).
    await json(await rename('Renamed'));
    const empty = await checkedRead(async (calls) => {
      if (calls === 1) expect(await h.store.snapshots.restore('read-check')).toBe(true);
    }, true);
    expect(empty).toEqual({ title: 'Checked', rows: 0, calls: 2 });
  });

  it('runs again when the first row read is written in between', async () => {
    const answer = await checkedRead(async (calls) => {
      if (calls === 1) await json(await rename('Written'));
    });
    expect(answer).toEqual({ title: 'Written', rows: 3, calls: 2 });
  });

  it('a read whose last statement did not look reads the version once more, and keeps its answer when unchanged', async () => {
    const read = (between: (calls: number) => Promise<void>) => {
      let calls = 0;
      return h.store
        .read(
          async (tx) => {
            calls++;
            await tx.blocks.getVisible(dataSourceId, integrationId);
            await tx.rows.queryBlocks(dataSourceId, ALL, {
              inTrash: false,
              from: null,
              limit: 100,
              now: new Date(),
            });
            await between(calls);
            // A statement after the page (as a formula's reads are).
            const row = await tx.blocks.get(dataSourceId);
            return JSON.parse(row!.data).title[0].plain_text as string;
          },
          { checked: true },
        )
        .then((title) => ({ title, calls }));
    };
    const counter = countStatements({ keepText: true });
    try {
      expect(await read(async () => {})).toEqual({ title: 'Written', calls: 1 });
      // The data source, the page, the statement after it and the version read again.
      expect(counter.texts, counter.texts.join('\n')).toHaveLength(4);
      expect(counter.texts.filter((t) => /^begin/i.test(t.trim()))).toEqual([]);
    } finally {
      counter.stop();
    }
    // Written after the page was read: the last look sees it, and the read runs again.
    expect(
      await read(async (calls) => {
        if (calls === 1) await json(await rename('After the page'));
      }),
    ).toEqual({ title: 'After the page', calls: 2 });
  });

  it('an error after the first statement stands when the version is unchanged, and is run again when not', async () => {
    const failing = (between: (calls: number) => Promise<void>) => {
      let calls = 0;
      return h.store
        .read(
          async (tx) => {
            calls++;
            const ds = await tx.blocks.getVisible(dataSourceId, integrationId);
            await between(calls);
            throw new Error(`refused ${JSON.parse(ds!.data).title[0].plain_text}`);
          },
          { checked: true },
        )
        .catch((e: Error) => ({ message: e.message, calls }));
    };
    expect(await failing(async () => {})).toEqual({ message: 'refused After the page', calls: 1 });
    expect(
      await failing(async (calls) => {
        if (calls === 1) await json(await rename('Again'));
      }),
    ).toEqual({ message: 'refused Again', calls: 2 });
  });
});
