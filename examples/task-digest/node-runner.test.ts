/** The node:test variant of the example suite, run with `node --test` as a user would. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

it('passes under node --test', async () => {
  const file = resolve(import.meta.dirname, 'digest.node-test.ts');
  const result = await new Promise<{ code: number; out: string }>((done) =>
    execFile(
      process.execPath,
      ['--conditions=octavo-source', '--test', file],
      { timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
  expect(result.out).toMatch(/pass 2/);
  expect(result.code).toBe(0);
});
