/**
 * The container image: built from the Dockerfile, started, healthy by its own HEALTHCHECK, not
 * running as root, serving the API, and stopping cleanly on SIGTERM. Skipped with a notice where
 * Docker has no daemon or cannot pull the base image (no registry access).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const BASE = 'node:24-alpine';
const TAG = `octavo-test:${process.pid}`;

const docker = (args: string[], timeout = 30_000) =>
  exec('docker', args, { cwd: ROOT, timeout, maxBuffer: 64 * 1024 * 1024 });

/** Why the image cannot be built here, or null when it can. */
async function unavailable(): Promise<string | null> {
  try {
    await docker(['info', '--format', '{{.ServerVersion}}'], 5_000);
  } catch {
    return 'no Docker daemon';
  }
  try {
    await docker(['image', 'inspect', BASE], 5_000);
    return null;
  } catch {
    try {
      await docker(['pull', BASE], 60_000);
      return null;
    } catch {
      return `cannot pull ${BASE}`;
    }
  }
}

const why = await unavailable();
if (why) console.warn(`[octavo tests] Docker image test SKIPPED: ${why}.`);

describe.skipIf(why !== null)('the Docker image', () => {
  it('builds, starts healthy as a non-root user, serves the API and stops on SIGTERM', {
    timeout: 600_000,
  }, async () => {
    await docker(['build', '-t', TAG, '.'], 540_000);
    const { stdout: size } = await docker(['image', 'inspect', TAG, '--format', '{{.Size}}']);
    expect(Number(size)).toBeLessThan(300 * 1024 * 1024);
    const { stdout: id } = await docker(['run', '-d', '-p', '127.0.0.1::7400', TAG]);
    const container = id.trim();
    try {
      let health = '';
      for (let i = 0; i < 60 && health !== 'healthy'; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        health = (await docker(['inspect', container, '--format', '{{.State.Health.Status}}'])).stdout.trim();
      }
      expect(health).toBe('healthy');
      expect((await docker(['exec', container, 'id', '-u'])).stdout.trim()).not.toBe('0');
      const port = (await docker(['port', container, '7400'])).stdout.trim().split(':').at(-1);
      const logs = (await docker(['logs', container])).stdout;
      const token = /token:\s+(ntn_\w+)/.exec(logs)?.[1];
      expect(token).toBeDefined();
      const me = await fetch(`http://127.0.0.1:${port}/v1/users/me`, {
        headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03' },
      });
      expect(me.status).toBe(200);
      await docker(['stop', '--time', '30', container], 60_000);
      const { stdout: code } = await docker(['inspect', container, '--format', '{{.State.ExitCode}}']);
      expect(code.trim()).toBe('0');
    } finally {
      await docker(['rm', '-f', container]).catch(() => {});
      await docker(['image', 'rm', '-f', TAG]).catch(() => {});
    }
  });
});
