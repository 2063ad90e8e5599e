/**
 * The server under benchmark: the real `octavo serve` as a child process, timed from spawn to
 * its banner, and its resident memory read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'octavo.js');

export interface BenchServer {
  url: string;
  token: string | undefined;
  pageId: string;
  /** Milliseconds from spawn to the "listening on" banner. */
  startMs: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `octavo serve` on loopback, port 0, no rate limit; resolves when it listens. `root` is
 * the checkout whose `bin/octavo.js` runs (this one by default; A/B benchmarks pass another).
 */
export function startServer(args: string[], env: NodeJS.ProcessEnv, root?: string): Promise<BenchServer> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      root ? resolve(root, 'bin', 'octavo.js') : BIN,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--rate-limit',
      'off',
      ...args,
    ],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let out = '';
  return new Promise((done, fail) => {
    child.once('exit', (code) => fail(new Error(`octavo serve exited with ${code}:\n${out}`)));
    let bannerSeen = false;
    child.stdout!.on('data', (chunk) => {
      // After the banner, stdout carries the request log: read and drop it (not accumulated).
      if (bannerSeen) return;
      out += chunk;
      if (!out.includes('Try it:')) return;
      bannerSeen = true;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const pageId = /Getting started ([0-9a-f-]{36})/.exec(out)?.[1];
      if (!url || !pageId) return fail(new Error(`unexpected banner:\n${out}`));
      done({
        url,
        pageId,
        token: /token:\s+(ntn_\w+)/.exec(out)?.[1],
        startMs: performance.now() - started,
        child,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

/** Resident set size of a process in MiB (Linux /proc; NaN elsewhere). */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** `octavo rows import` as a child process; its own report plus the wall time from spawn. */
export function runImport(args: string[], childEnv: NodeJS.ProcessEnv) {
  const started = performance.now();
  return new Promise<{ rows_per_second: number; wallMs: number }>((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'rows', 'import', ...args, '--json'], { env: childEnv });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.once('exit', (code) => {
      if (code !== 0) return fail(new Error(`rows import exited ${code}: ${err}`));
      done({ ...JSON.parse(out), wallMs: performance.now() - started });
    });
  });
}
