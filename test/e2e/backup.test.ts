/**
 * `octavo backup` under write load and `octavo restore`: a backup taken while a running server
 * acknowledges writes holds every write acknowledged before it began, restores into a working
 * server, and is a consistent snapshot (a prefix of what was written, nothing half-done).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, runCliJson, type ServeProcess, startServe } from './cli-process.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'octavo-backup-'));
  dirs.push(d);
  return d;
};

/** Every page directly under `pageId`, through the API. */
async function childPages(client: Client, pageId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const r = await client.blocks.children.list({
      block_id: pageId,
      page_size: 100,
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    for (const b of r.results) if ('type' in b && b.type === 'child_page') ids.add(b.id);
    cursor = r.next_cursor ?? undefined;
  } while (cursor);
  return ids;
}

describe('octavo backup and restore (SQLite)', () => {
  let server: ServeProcess;
  let data: string;
  let client: Client;
  beforeAll(async () => {
    data = tempDir();
    server = await startServe(['--port', '0', '--rate-limit', 'off', '--data', data]);
    client = new Client({ auth: server.token!, baseUrl: server.url, logLevel: 'error' as never });
  });
  afterAll(async () => {
    await server?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('takes a backup under write load that holds every write acknowledged before it began', async () => {
    const acked: string[] = [];
    let writing = true;
    const writer = async (n: number) => {
      for (let i = 0; writing; i++) {
        const page = await client.pages.create({
          parent: { page_id: server.pageId },
          properties: { title: { title: [{ text: { content: `w${n}-${i}` } }] } },
        });
        acked.push(page.id);
      }
    };
    const writers = [writer(1), writer(2), writer(3)];
    while (acked.length < 60) await new Promise((r) => setTimeout(r, 20));
    const before = [...acked];
    const file = join(tempDir(), 'octavo.backup.db');
    const result = await runCliJson<{ file: string; bytes: number }>([
      'backup',
      '--to',
      file,
      '--data',
      data,
    ]);
    const after = acked.length;
    // Writes went on while the backup ran.
    await new Promise((r) => setTimeout(r, 200));
    writing = false;
    await Promise.all(writers);
    expect(acked.length).toBeGreaterThan(after);
    expect(result.file).toBe(file);
    expect(result.bytes).toBeGreaterThan(0);

    const restoredDir = tempDir();
    const restore = await runCliJson<{ previous: string | null }>(['restore', file, '--data', restoredDir]);
    expect(restore.previous).toBeNull();
    const restored = await startServe(['--port', '0', '--rate-limit', 'off', '--data', restoredDir]);
    try {
      // The workspace and its tokens came along: the old token works on the restored server.
      const other = new Client({ auth: server.token!, baseUrl: restored.url, logLevel: 'error' as never });
      const pages = await childPages(other, server.pageId);
      for (const id of before) expect(pages.has(id), id).toBe(true);
      // A snapshot: what it holds is a prefix of the acknowledged order per writer, give or take
      // the writes in flight at the moment it was taken (at most one per writer).
      const holds = acked.filter((id) => pages.has(id)).length;
      expect(holds).toBeGreaterThanOrEqual(before.length);
      expect(pages.size).toBeLessThanOrEqual(after + 3);
      const inBackupAfterGap = acked.slice(after + 3).filter((id) => pages.has(id));
      expect(inBackupAfterGap).toEqual([]);
    } finally {
      await restored.stop();
    }
  });

  it('restores over an existing database, keeping the one it replaced', async () => {
    const file = join(tempDir(), 'first.db');
    const target = tempDir();
    await runCliJson(['backup', '--to', file, '--data', data]);
    // The target gets its own workspace first (a migrate makes the database).
    await runCliJson(['migrate', '--data', target]);
    const r = await runCliJson<{ previous: string }>(['restore', file, '--data', target]);
    expect(r.previous).toBe(join(target, 'octavo.db.before-restore'));
    expect(existsSync(r.previous)).toBe(true);
    const restored = await startServe(['--port', '0', '--rate-limit', 'off', '--data', target]);
    try {
      const other = new Client({ auth: server.token!, baseUrl: restored.url, logLevel: 'error' as never });
      expect((await other.users.me({})).type).toBe('bot');
    } finally {
      await restored.stop();
    }
  });

  it('refuses a file that is not an Octavo database, and Postgres (pointing to pg_dump)', async () => {
    const notDb = join(tempDir(), 'x.db');
    await import('node:fs/promises').then((fs) => fs.writeFile(notDb, 'hello'.repeat(1000)));
    const bad = await runCli(['restore', notDb, '--data', tempDir()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/restore failed: .*not a SQLite database/);
    const pg = await runCli(
      ['backup', '--to', join(tempDir(), 'x')],
      cliEnv({ DATABASE_URL: 'postgres://u@127.0.0.1:1/x' }),
    );
    expect(pg.code).toBe(1);
    expect(pg.stderr).toMatch(/on Postgres run pg_dump --format=custom --schema=public/);
    const noTo = await runCli(['backup', '--data', tempDir()]);
    expect(noTo.code).toBe(2);
  });
});
