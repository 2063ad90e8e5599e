/**
 * `node bench/request-log.ts`: what the request log costs per GET /v1/pages/{id}, in process
 * (no HTTP, so the share it reports is an upper bound of the share in a served request). Two apps
 * on one SQLite file differ only in their logger: `info` writing JSON lines to a file (as a
 * redirected stdout would) and `silent`. Rounds alternate between them so drift and other work
 * on the machine hit both alike; the report is the median CPU time per request of each
 * (`process.cpuUsage`, which includes the threads that write asynchronously).
 *
 *   LOG_BENCH_ROUNDS=30  LOG_BENCH_REQUESTS=300  LOG_BENCH_FORMAT=json|pretty
 *   LOG_BENCH_SYNC=1 (write each line with a blocking write, as an alternative to the default)
 */
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/api/app.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../src/config.ts';
import { createLogger, type LogFormat, type Logger } from '../src/lib/log.ts';
import { bootstrap } from '../src/ops/workspace.ts';
import { openStore } from '../src/store/connect.ts';

const ROUNDS = Number(process.env.LOG_BENCH_ROUNDS ?? 30);
const REQUESTS = Number(process.env.LOG_BENCH_REQUESTS ?? 300);
const FORMAT = (process.env.LOG_BENCH_FORMAT ?? 'json') as LogFormat;
const SYNC = process.env.LOG_BENCH_SYNC === '1';

const dir = mkdtempSync(join(tmpdir(), 'octavo-log-bench-'));
const store = await openStore({ dataDir: dir });
const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
const logFd = openSync(join(dir, 'requests.log'), 'a');
const { pino } = await import('pino');
const loggers: Record<string, Logger> = {
  silent: createLogger({ format: 'json', level: 'silent' }),
  info: createLogger({
    format: FORMAT,
    level: 'info',
    destination: pino.destination({ dest: logFd, sync: SYNC, minLength: 0 }),
  }),
};
const apps = Object.fromEntries(
  Object.entries(loggers).map(([name, logger]) => [
    name,
    createApp({
      store,
      publicUrl: 'http://octavo.test',
      workspace: boot.workspace,
      rateLimiter: null,
      logger,
      files: {
        maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
        allowPrivateImports: false,
        urlSecret: boot.fileUrlSecret,
      },
    }),
  ]),
);
const headers = { authorization: `Bearer ${boot.created!.token}`, 'notion-version': '2025-09-03' };
const url = `http://octavo.test/v1/pages/${boot.created!.pageId}`;

async function round(name: string): Promise<number> {
  const app = apps[name]!;
  const before = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) {
    const res = await app.request(url, { headers });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await res.arrayBuffer();
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / REQUESTS;
}

const samples: Record<string, number[]> = { silent: [], info: [] };
for (const name of ['silent', 'info']) await round(name); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 ? ['info', 'silent'] : ['silent', 'info']) samples[name]!.push(await round(name));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const silent = median(samples.silent!);
const info = median(samples.info!);
console.log(
  `GET /v1/pages/{id} in process, ${ROUNDS} rounds x ${REQUESTS}: CPU per request silent ${silent.toFixed(0)} µs, ` +
    `info (${FORMAT} to a file${SYNC ? ', blocking writes' : ''}) ${info.toFixed(0)} µs: the log adds ${(info - silent).toFixed(1)} µs, ` +
    `${(((info - silent) / silent) * 100).toFixed(1)} % (load ${loadavg()[0]!.toFixed(2)})`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
