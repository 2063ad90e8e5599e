/**
 * `octavo jobs` as a real process: starts the consumers without an HTTP listener (no port is
 * opened, none is asked for) and exits 0 on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { BIN, storageFor } from '../e2e/cli-process.ts';
import { describeEngines } from '../helpers/engines.ts';
import { waitFor } from './support.ts';

describeEngines('octavo jobs', (engine) => {
  const storage = storageFor(engine);
  afterAll(() => storage.cleanup());

  it('runs without a listener and stops on SIGTERM', async () => {
    const proc = spawn(process.execPath, [BIN, 'jobs', ...storage.args], {
      env: storage.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
    await waitFor(() => out.includes('running jobs'), 45_000, `"running jobs" (got: ${out})`);
    expect(out).toContain(engine === 'sqlite' ? '(embedded)' : '(pg-boss)');
    expect(out).not.toContain('listening');
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
