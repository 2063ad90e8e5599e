/**
 * The pytest recipe run as a Python user would (`pytest examples/pytest`), with this checkout's
 * `octavo`. Skipped with a notice where Python or pytest is missing.
 */
import { execFile, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

function havePytest(): boolean {
  try {
    execFileSync('python3', ['-m', 'pytest', '--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('[octavo tests] python3 -m pytest not available: the pytest recipe is SKIPPED.');
    return false;
  }
}

it.skipIf(!havePytest())('passes under pytest', async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OCTAVO_CMD: `"${process.execPath}" "${resolve(ROOT, 'bin', 'octavo.js')}"`,
  };
  delete env.DATABASE_URL; // the recipe's server is in memory
  const result = await new Promise<{ code: number; out: string }>((done) =>
    execFile(
      'python3',
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', resolve(import.meta.dirname)],
      { env, timeout: 90_000 },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
  expect(result.out).toMatch(/3 passed/);
  expect(result.code).toBe(0);
});
