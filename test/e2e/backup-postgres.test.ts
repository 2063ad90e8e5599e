/**
 * The README's Postgres backup, run as written: pg_dump of Octavo's schema from a running
 * server, pg_restore into a new database, and a server on the restored copy that still knows
 * the token, the pages and a data source's rows. Skipped with a notice without Postgres or
 * without pg_dump.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@notionhq/client';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import { PG_URL, postgresReachable } from '../helpers/engines.ts';
import { cliEnv, startServe } from './cli-process.ts';

const exec = promisify(execFile);
const tools = await exec('pg_dump', ['--version']).then(
  () => true,
  () => false,
);
const why = !(await postgresReachable()) ? 'Postgres not reachable' : !tools ? 'no pg_dump' : null;
if (why) console.warn(`[octavo tests] Postgres backup test SKIPPED: ${why}.`);

const text = (content: string) => [{ type: 'text' as const, text: { content } }];

describe.skipIf(why !== null)('Postgres backup with pg_dump and pg_restore (README)', () => {
  const schema = `octavo_dump_${process.pid}`;
  const database = `octavo_restore_${process.pid}`;
  const restoredUrl = (() => {
    const u = new URL(PG_URL);
    u.pathname = `/${database}`;
    return u.toString();
  })();
  const dir = mkdtempSync(join(tmpdir(), 'octavo-pgdump-'));
  const admin = async (statement: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  afterAll(async () => {
    await admin(`drop database if exists ${database}`).catch(() => {});
    await dropPostgresSchema(PG_URL, schema).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores a dump of the running server into a new database that serves the same data', {
    timeout: 120_000,
  }, async () => {
    const env = cliEnv({ DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema });
    const server = await startServe(['--port', '0', '--rate-limit', 'off'], env);
    const client = new Client({ auth: server.token!, baseUrl: server.url, logLevel: 'error' as never });
    let dsId: string;
    const pageIds: string[] = [];
    try {
      const db = (await client.databases.create({
        parent: { type: 'page_id', page_id: server.pageId },
        title: text('Dumped'),
        initial_data_source: { properties: { Name: { title: {} }, Amount: { number: {} } } as never },
      })) as unknown as { data_sources: { id: string }[] };
      dsId = db.data_sources[0]!.id;
      for (let i = 0; i < 5; i++) {
        const page = await client.pages.create({
          parent: { data_source_id: dsId },
          properties: { Name: { title: text(`row ${i}`) }, Amount: { number: i } } as never,
        });
        pageIds.push(page.id);
      }
      // While the server runs, as the README says.
      await exec('pg_dump', [
        '--format=custom',
        `--schema=${schema}`,
        `--file=${join(dir, 'octavo.dump')}`,
        PG_URL,
      ]);
    } finally {
      await server.stop();
    }

    await admin(`create database ${database}`);
    await exec('psql', [restoredUrl, '-c', 'create extension if not exists pg_trgm']);
    await exec('pg_restore', [
      '--clean',
      '--if-exists',
      '--no-owner',
      `--dbname=${restoredUrl}`,
      join(dir, 'octavo.dump'),
    ]);

    const restored = await startServe(
      ['--port', '0', '--rate-limit', 'off'],
      cliEnv({ DATABASE_URL: restoredUrl, OCTAVO_PG_SCHEMA: schema }),
    );
    try {
      expect(restored.token).toBeUndefined(); // the workspace came along: no first start
      const other = new Client({ auth: server.token!, baseUrl: restored.url, logLevel: 'error' as never });
      const rows = await other.dataSources.query({
        data_source_id: dsId,
        filter: { property: 'Name', title: { contains: 'row' } } as never,
      });
      expect(rows.results.map((r) => r.id).sort()).toEqual([...pageIds].sort());
    } finally {
      await restored.stop();
    }
  });
});
