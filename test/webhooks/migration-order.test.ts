/**
 * Migration 010 arrived after 011 was applied on some databases (numbers are handed to parallel
 * work): such a database still opens, and gets 010.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { openStore } from '../../src/store/connect.ts';

it('opens a database that had 011 applied before 010 existed, and applies 010', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-unordered-'));
  try {
    const before = await openStore({ dataDir: dir });
    await sql`drop table webhook_deliveries`.execute(before.db);
    await sql`drop table webhook_subscriptions`.execute(before.db);
    await sql`delete from kysely_migration where name = '010-webhooks'`.execute(before.db);
    await before.close();
    const after = await openStore({ dataDir: dir });
    expect(await after.transaction((tx) => tx.webhooks.list())).toEqual([]);
    await after.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
