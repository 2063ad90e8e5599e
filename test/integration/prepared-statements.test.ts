/**
 * The store's hot statements run as prepared statements on Postgres (store/compiled.ts): a table
 * that changes shape under a prepared `select *` (a migration by another process) makes the
 * server refuse it ("cached plan must not change result type"); the statement is unnamed from
 * then on, run again at once when it ran on its own, else with its transaction, and the caller
 * sees nothing of it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto.ts';
import { bootstrap } from '../../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../../src/store/connect.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { ENGINES, PG_URL } from '../helpers/engines.ts';

describe.runIf(ENGINES.includes('postgres'))('prepared statements [postgres]', () => {
  const schema = `prepared_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let store: KyselyStore;
  let pageId: string;
  let token: string;
  beforeAll(async () => {
    store = await openStore({ databaseUrl: PG_URL, pgSchema: schema });
    const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
    pageId = boot.created!.pageId;
    token = boot.created!.token;
  });
  afterAll(async () => {
    await store?.close();
    await dropPostgresSchema(PG_URL, schema);
  });

  it('reads outside a transaction and token look-ups keep working when their tables gain a column', async () => {
    const hash = sha256Hex(token);
    const reads = () =>
      Promise.all([
        ...Array.from({ length: 12 }, () => store.read((tx) => tx.blocks.get(pageId))),
        ...Array.from({ length: 12 }, () =>
          store.read((tx) => tx.blocks.get(pageId), { oneStatement: true }),
        ),
      ]);
    const looks = () => Promise.all(Array.from({ length: 12 }, () => store.integrationByTokenHash(hash)));
    for (const row of await reads()) expect(row?.id).toBe(pageId);
    for (const row of await looks()) expect(row?.revoked_time).toBeNull();
    await sql`alter table blocks add column extra_for_read integer`.execute(store.db);
    await sql`alter table integrations add column extra_for_read integer`.execute(store.db);
    try {
      for (const row of await reads()) expect(row?.id).toBe(pageId);
      for (const row of await looks()) expect(row?.revoked_time).toBeNull();
    } finally {
      await sql`alter table blocks drop column extra_for_read`.execute(store.db);
      await sql`alter table integrations drop column extra_for_read`.execute(store.db);
    }
  });

  it('a block read keeps working when the blocks table gains a column under it', async () => {
    // Every connection of the pool prepares the read (the pool has at most 10).
    const reads = () =>
      Promise.all(Array.from({ length: 12 }, () => store.transaction((tx) => tx.blocks.get(pageId))));
    for (const row of await reads()) expect(row?.id).toBe(pageId);
    const names = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(
      store.db,
    );
    expect(names.rows[0]!.n).toBeGreaterThan(0);
    await sql`alter table blocks add column extra_for_test integer`.execute(store.db);
    try {
      for (const row of await reads()) expect(row?.id).toBe(pageId);
    } finally {
      await sql`alter table blocks drop column extra_for_test`.execute(store.db);
    }
    for (const row of await reads()) expect(row?.id).toBe(pageId);
  });
});
