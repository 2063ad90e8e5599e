/** GET /healthz and /readyz: outside /v1, no token, no Notion-Version. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

describeEngines('health probes', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  const probe = async (path: string) => {
    const res = await h.request(path, { version: null, token: null });
    return { status: res.status, body: await res.json() };
  };

  describe('GET /healthz', () => {
    it('answers 200 {status: "ok"} without a token', async () => {
      expect(await probe('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    });
  });

  describe('GET /readyz', () => {
    it('answers 200 when the storage answers and is migrated', async () => {
      expect(await probe('/readyz')).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('answers 503 while a migration this code knows has not run', async () => {
      const row = await sql<{
        name: string;
        timestamp: string;
      }>`select * from kysely_migration where name = '005-search'`.execute(h.store.db);
      await sql`delete from kysely_migration where name = '005-search'`.execute(h.store.db);
      try {
        expect(await probe('/readyz')).toEqual({
          status: 503,
          body: { status: 'unavailable', reason: 'migrations pending' },
        });
        expect((await probe('/healthz')).status).toBe(200);
      } finally {
        const { name, timestamp } = row.rows[0]!;
        await sql`insert into kysely_migration (name, timestamp) values (${name}, ${timestamp})`.execute(
          h.store.db,
        );
      }
      expect((await probe('/readyz')).status).toBe(200);
    });

    it('answers 503 when the storage cannot be reached', async () => {
      const other = await startHarness(engine);
      await other.store.db.destroy();
      try {
        const res = await other.request('/readyz', { version: null, token: null });
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ status: 'unavailable', reason: 'storage unreachable' });
      } finally {
        await other.close();
      }
    });
  });
});
