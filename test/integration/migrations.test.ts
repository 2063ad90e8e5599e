/**
 * Upgrading a database written before migration 004: integrations gain `revoked_time`, and
 * `file_uploads.integration_id` becomes nullable with `on delete set null` (SQLite rebuilds the
 * table). Every row and byte must survive, and an integration that uploaded files can then be
 * deleted with its uploads kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import pg from 'pg';
import { expect, it } from 'vitest';
import { deleteIntegration } from '../../src/ops/integrations.ts';
import { dropPostgresSchema, openStore } from '../../src/store/connect.ts';
import * as init from '../../src/store/migrations/001-init.ts';
import * as fileUploads from '../../src/store/migrations/002-file-uploads.ts';
import * as rateBuckets from '../../src/store/migrations/003-rate-buckets.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';

const BEFORE_004: Record<string, Migration> = {
  '001-init': init,
  '002-file-uploads': fileUploads,
  '003-rate-buckets': rateBuckets,
};
const T = '2026-01-01T00:00:00.000Z';
const BYTES = new Uint8Array([0, 1, 2, 250, 255]);

// biome-ignore lint/suspicious/noExplicitAny: rows written below the typed schema, as of 003
async function seedAt003(db: Kysely<any>, schema?: string) {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => BEFORE_004 },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  await db
    .insertInto('users')
    .values({ id: 'bot-1', type: 'bot', name: 'Uploader', avatar_url: null, email: null, created_time: T })
    .execute();
  await db
    .insertInto('integrations')
    .values({
      id: 'int-1',
      name: 'Uploader',
      bot_user_id: 'bot-1',
      token_hash: 'h1',
      capabilities: '[]',
      created_time: T,
    })
    .execute();
  await db
    .insertInto('blocks')
    .values({
      id: 'page-1',
      type: 'page',
      parent_type: 'workspace',
      parent_id: null,
      sort_key: 'a',
      data: '{}',
      properties: null,
      icon: null,
      cover: null,
      created_time: T,
      created_by: 'bot-1',
      last_edited_time: T,
      last_edited_by: 'bot-1',
    })
    .execute();
  await db
    .insertInto('shares')
    .values({ integration_id: 'int-1', block_id: 'page-1', created_time: T })
    .execute();
  await db
    .insertInto('file_uploads')
    .values({
      id: 'up-1',
      integration_id: 'int-1',
      created_by: 'bot-1',
      mode: 'single_part',
      status: 'uploaded',
      filename: 'a.bin',
      content_type: 'application/octet-stream',
      content_length: BYTES.length,
      number_of_parts: null,
      external_url: null,
      import_result: null,
      created_time: T,
      last_edited_time: T,
      expiry_time: null,
    })
    .execute();
  await db
    .insertInto('file_upload_parts')
    .values({ upload_id: 'up-1', part_number: 1, size: 5, bytes: BYTES })
    .execute();
}

describeEngines('migration 004 on a database written before it', (engine) => {
  it('keeps every row and byte, and lets an integration with uploads be deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'octavo-m004-'));
    const schema = `octavo_t_${process.pid}_m004_${Date.now().toString(36)}`;
    try {
      if (engine === 'sqlite') {
        const file = new SqliteDatabase(join(dir, 'octavo.db'));
        file.pragma('foreign_keys = ON');
        const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: file }) });
        await seedAt003(db);
        await db.destroy();
      } else {
        const setup = new pg.Client({ connectionString: PG_URL });
        await setup.connect();
        await setup.query(`create schema ${schema}`);
        await setup.end();
        const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` });
        const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
        await seedAt003(db, schema);
        await db.destroy();
      }

      const store =
        engine === 'sqlite'
          ? await openStore({ dataDir: dir })
          : await openStore({ databaseUrl: PG_URL, pgSchema: schema });
      try {
        const before = await store.transaction(async (tx) => ({
          integration: await tx.integrations.get('int-1'),
          upload: await tx.fileUploads.get('up-1'),
          bytes: await tx.fileUploads.readPart('up-1', 1),
        }));
        expect(before.integration).toMatchObject({ name: 'Uploader', token_hash: 'h1', revoked_time: null });
        expect(before.upload).toMatchObject({
          integration_id: 'int-1',
          filename: 'a.bin',
          status: 'uploaded',
        });
        expect(new Uint8Array(before.bytes!)).toEqual(BYTES);

        await store.transaction((tx) => deleteIntegration(tx, { name: 'Uploader' }));
        const after = await store.transaction(async (tx) => ({
          integration: await tx.integrations.get('int-1'),
          bot: await tx.users.get('bot-1'),
          visible: await tx.shares.isVisible('int-1', 'page-1'),
          upload: await tx.fileUploads.get('up-1'),
          bytes: await tx.fileUploads.readPart('up-1', 1),
        }));
        expect(after.integration).toBeUndefined();
        expect(after.bot).toMatchObject({ type: 'bot', name: 'Uploader' });
        expect(after.visible).toBe(false);
        expect(after.upload).toMatchObject({ integration_id: null, filename: 'a.bin' });
        expect(new Uint8Array(after.bytes!)).toEqual(BYTES);

        if (engine === 'sqlite') {
          // The rebuild left foreign keys on and consistent, and the listing index in place.
          expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db)).rows).toEqual([
            { foreign_keys: 1 },
          ]);
          expect((await sql`pragma foreign_key_check`.execute(store.db)).rows).toEqual([]);
          const indexes = await sql<{ name: string }>`pragma index_list(file_uploads)`.execute(store.db);
          expect(indexes.rows.map((r) => r.name)).toContain('file_uploads_by_integration');
          // Deleting an upload still takes its parts along (file_upload_parts names the new table).
          await sql`delete from file_uploads where id = 'up-1'`.execute(store.db);
          const parts = await sql`select 1 from file_upload_parts where upload_id = 'up-1'`.execute(store.db);
          expect(parts.rows).toEqual([]);
        }
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
    }
  });
});
