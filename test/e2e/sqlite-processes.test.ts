/*
 * Two processes writing one SQLite database, as the command line does beside a running server.
 * Each transaction reads, yields, then writes; none may fail with "database is locked", and no
 * increment may be lost (the final counter is the sum of the committed transactions).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/connect.ts';

const WRITER = resolve(import.meta.dirname, 'sqlite-writer.ts');
const dir = mkdtempSync(join(tmpdir(), 'octavo-sqlite-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writer(ms: number): Promise<{ ok: number; failed: number; errors: string[] }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [WRITER, dir, String(ms)], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${err.message}\n${stderr}`));
      else done(JSON.parse(stdout.trim().split('\n').at(-1)!));
    });
  });
}

describe('SQLite written by several processes', () => {
  it('runs every read-then-write transaction of two processes, losing none', async () => {
    const store = await openStore({ dataDir: dir });
    await store.close();
    const results = await Promise.all([writer(1500), writer(1500)]);
    for (const r of results) {
      expect(r.errors).toEqual([]);
      expect(r.failed).toBe(0);
      expect(r.ok).toBeGreaterThan(0);
    }
    const again = await openStore({ dataDir: dir });
    const counter = await again.transaction((tx) => tx.meta.get('test_counter'));
    await again.close();
    expect(Number(counter)).toBe(results[0]!.ok + results[1]!.ok);
  });
});
