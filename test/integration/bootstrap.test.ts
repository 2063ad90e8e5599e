/**
 * The first start of a workspace: several nodes starting together on one new database must end
 * with one workspace, one quickstart integration and one "Getting started" page.
 */
import { describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../../src/store/connect.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { ENGINES, PG_URL } from '../helpers/engines.ts';

describe.runIf(ENGINES.includes('postgres'))('bootstrap [postgres]', () => {
  it('makes one workspace when three nodes start together on a new database', async () => {
    const schema = `octavo_t_${process.pid}_boot_${Date.now().toString(36)}`;
    const stores: KyselyStore[] = [];
    try {
      for (let i = 0; i < 3; i++) stores.push(await openStore({ databaseUrl: PG_URL, pgSchema: schema }));
      const now = new Date().toISOString();
      const results = await Promise.all(stores.map((s) => s.transaction((tx) => bootstrap(tx, now))));
      expect(new Set(results.map((r) => r.workspace.id)).size).toBe(1);
      expect(new Set(results.map((r) => r.fileUrlSecret)).size).toBe(1);
      expect(new Set(results.map((r) => r.quickstartPageId)).size).toBe(1);
      expect(results.filter((r) => r.created !== null)).toHaveLength(1);
      const again = await stores[0]!.transaction((tx) => bootstrap(tx, now));
      expect(again.created).toBeNull();
      expect(again.workspace.id).toBe(results[0]!.workspace.id);
    } finally {
      for (const s of stores) await s.close();
      await dropPostgresSchema(PG_URL, schema);
    }
  });
});
