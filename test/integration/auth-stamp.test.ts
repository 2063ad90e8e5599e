/*
 * SQLite: bearer auth trusts a remembered token while the integrations stamp stays put. The
 * stamp reads `pragma data_version` on the store's connection, so it must not sit inside a read
 * transaction held by another request: there it would not see another process's commit, and a
 * token revoked from the command line would keep working while reads overlap.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { tokenActors } from '../../src/ops/integrations.ts';
import { bootstrap } from '../../src/ops/workspace.ts';
import { openStore } from '../../src/store/connect.ts';
import { newLocation } from '../jobs/support.ts';

const dir = newLocation('sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('refuses a token revoked by another process while a read of this one is open', async () => {
  const store = await openStore({ dataDir: dir });
  try {
    const made = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
    const { token, pageId } = made.created!;
    const actorOf = tokenActors(store);
    expect(await actorOf(token)).not.toBeNull();
    // A read that stays open across an await, as a request's read does between its statements.
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const reading = store.read(async (tx) => {
      await tx.blocks.get(pageId);
      await held;
    });
    await new Promise((r) => setTimeout(r, 20));
    const cli = new SqliteDatabase(join(dir, 'octavo.db'));
    try {
      cli.pragma('busy_timeout = 5000');
      const revoked = cli
        .prepare('update integrations set revoked_time = ? where revoked_time is null')
        .run(new Date().toISOString());
      expect(revoked.changes).toBeGreaterThan(0);
    } finally {
      cli.close();
    }
    const during = actorOf(token);
    finish();
    await reading;
    expect(await during).toBeNull();
  } finally {
    await store.close();
  }
});
