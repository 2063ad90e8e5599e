/**
 * Running the real `octavo` command as a child process, with the Node that runs the tests: one-off
 * commands to completion, and `serve` until its start-up banner says where it listens.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import { type EngineName, PG_URL } from '../helpers/engines.ts';

export const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'octavo.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment children get: the test's, minus anything that would pick another storage. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['DATABASE_URL', 'OCTAVO_PG_SCHEMA', 'OCTAVO_DATA', 'PORT', 'OCTAVO_RATE_LIMIT'])
    delete env[key];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Where an engine's data lives for one suite: the CLI arguments and environment to reach it. */
export function storageFor(engine: EngineName) {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-e2e-'));
  const schema = `octavo_e2e_${process.pid}_${Date.now().toString(36)}`;
  const env = engine === 'postgres' ? cliEnv({ DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema }) : cliEnv();
  return {
    args: ['--data', dir],
    env,
    cleanup: async () => {
      rmSync(dir, { recursive: true, force: true });
      if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
    },
  };
}

/** Runs `octavo ARGS` to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = cliEnv()): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Runs `octavo ARGS --json` and parses its one JSON line; fails with stderr otherwise. */
export async function runCliJson<T = Record<string, unknown>>(
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<T> {
  const r = await runCli([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`octavo ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export interface ServeProcess {
  url: string;
  /** Set on the first start only. */
  token: string | undefined;
  pageId: string;
  banner: string;
  child: ChildProcess;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `octavo serve ARGS` and resolves once it printed its banner (rejects if it exits first). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = cliEnv()): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 20 s:\n${out}${err}`)), 20_000);
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.stdout!.on('data', (d) => {
      out += d;
      if (!out.includes('Try it:')) return;
      clearTimeout(timer);
      resolveStart(parseBanner(out, child, exited));
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${out}${err}`));
    });
  });
}

function parseBanner(banner: string, child: ChildProcess, exited: Promise<number | null>): ServeProcess {
  const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
  const pageId = /Getting started ([0-9a-f-]{36})/.exec(banner)?.[1];
  if (!url || !pageId) throw new Error(`unexpected banner:\n${banner}`);
  return {
    url,
    token: /token:\s+(ntn_\w+)/.exec(banner)?.[1],
    pageId,
    banner,
    child,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
