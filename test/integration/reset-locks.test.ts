/**
 * A workspace reset (Octavo as a test double) racing queries on Postgres: the reset locks every
 * table in name order before it drops and empties them, the order a restore takes and a query's
 * statements follow (`blocks` before a data source's rows), so the two wait for each other
 * instead of deadlocking. Before, the reset dropped the rows' table first and then emptied
 * `blocks`: readers holding `blocks` met it in a cycle, and Postgres broke it after a second.
 */
import { expect, it } from 'vitest';
import type { Query } from '../../src/query/ir.ts';
import { ENGINES } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const ALL: Query = { filter: null, sorts: [] };

it.runIf(ENGINES.includes('postgres'))(
  'a reset racing queries deadlocks with none of them [postgres]',
  async () => {
    const h: Harness = await startHarness('postgres');
    try {
      const made = await h.request('/v1/databases', {
        method: 'POST',
        body: JSON.stringify({
          parent: { type: 'page_id', page_id: h.rootPageId },
          title: [{ text: { content: 'Reset' } }],
          initial_data_source: { properties: { Name: { title: {} } } },
        }),
      });
      expect(made.status).toBe(200);
      const dataSourceId = ((await made.json()) as { data_sources: { id: string }[] }).data_sources[0]!.id;
      const { id: integrationId } = await h.store.db
        .selectFrom('integrations')
        .select('id')
        .executeTakeFirstOrThrow();
      let stop = false;
      const deadlocks: unknown[] = [];
      // Queries as the store runs them: in a transaction, and checked (store/read-check.ts).
      const reader = async (checked: boolean) => {
        while (!stop) {
          try {
            await h.store.read(
              async (tx) => {
                await tx.blocks.getVisible(dataSourceId, integrationId);
                return tx.rows.queryBlocks(dataSourceId, ALL, {
                  inTrash: false,
                  from: null,
                  limit: 10,
                  now: new Date(),
                });
              },
              checked ? { checked: true } : undefined,
            );
          } catch (e) {
            if ((e as { code?: string }).code === '40P01') deadlocks.push(e);
          }
        }
      };
      const readers = [reader(false), reader(false), reader(true), reader(true)];
      await new Promise((r) => setTimeout(r, 50));
      try {
        await h.store.snapshots.reset();
      } finally {
        stop = true;
        await Promise.all(readers);
      }
      expect(deadlocks).toEqual([]);
      expect(await h.store.db.selectFrom('blocks').select('id').execute()).toEqual([]);
    } finally {
      await h.close();
    }
  },
);
