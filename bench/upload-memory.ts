/**
 * Server memory during file uploads: `octavo serve` as a child process, one 19 MB upload and then
 * four at once, and the child's resident set read from /proc (VmRSS now, VmHWM the peak).
 * Usage: node bench/upload-memory.ts [sqlite|postgres]... (default: both when Postgres answers).
 * Results: docs/benchmarks.md, "Upload memory".
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { PG_URL, postgresReachable, VERSION } from './common.ts';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'octavo.js');
const SIZE = 19 * 1024 * 1024;
const MiB = 1024 * 1024;

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function start(env: NodeJS.ProcessEnv, data: string) {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--rate-limit', 'off', '--data', data],
    {
      env: { ...env, OCTAVO_LOG_LEVEL: 'warn', OCTAVO_JOBS: 'off' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Try it:')) done();
    });
    child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
  });
  const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
  const token = /token:\s+(ntn_\w+)/.exec(out)![1]!;
  return { child, url, token };
}

async function upload(url: string, token: string, bytes: Uint8Array): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'notion-version': VERSION };
  const created = await fetch(`${url}/v1/file_uploads`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ filename: 'big.pdf', content_type: 'application/pdf' }),
  });
  const { id } = (await created.json()) as { id: string };
  if (created.status !== 200) throw new Error(`create answered ${created.status}`);
  const form = new FormData();
  form.set('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }), 'big.pdf');
  const sent = await fetch(`${url}/v1/file_uploads/${id}/send`, { method: 'POST', headers, body: form });
  if (sent.status !== 200) throw new Error(`send answered ${sent.status}: ${await sent.text()}`);
  const body = (await sent.json()) as { status: string };
  if (body.status !== 'uploaded') throw new Error(`upload ${id} is ${body.status}`);
}

async function measure(engine: 'sqlite' | 'postgres') {
  const data = mkdtempSync(join(tmpdir(), 'octavo-upload-mem-'));
  const schema = `octavo_upmem_${process.pid}`;
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (engine === 'postgres') Object.assign(env, { DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema });
  const server = await start(env, data);
  const bytes = new Uint8Array(SIZE).map((_, i) => (i * 31) & 0xff);
  try {
    // Warm up: code paths compiled, pools open, a small upload through the same route.
    await upload(server.url, server.token, bytes.subarray(0, 64 * 1024));
    await new Promise((r) => setTimeout(r, 300));
    const base = memory(server.child.pid!);
    await upload(server.url, server.token, bytes);
    const one = memory(server.child.pid!);
    await Promise.all([0, 1, 2, 3].map(() => upload(server.url, server.token, bytes)));
    const four = memory(server.child.pid!);
    const f = (n: number) => `${(n / MiB).toFixed(0)} MB`;
    console.log(
      `${engine}: resident ${f(base.rss)} before; peak +${f(one.peak - base.rss)} for one 19 MB upload, ` +
        `+${f(four.peak - base.rss)} for four at once`,
    );
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(data, { recursive: true, force: true });
    if (engine === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
  }
}

const asked = process.argv.slice(2) as ('sqlite' | 'postgres')[];
const engines: ('sqlite' | 'postgres')[] =
  asked.length > 0 ? asked : ['sqlite', ...((await postgresReachable()) ? (['postgres'] as const) : [])];
for (const engine of engines) await measure(engine);
