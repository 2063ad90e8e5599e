/**
 * One execution of a worker in a child Node process (worker-child.ts), isolated as scripts are
 * (automations/scripts.ts): Node's permission model reading only the child's file, the bundle,
 * the input payload and the `node_modules` folders the bundle imports from; a heap limit; a time
 * limit after which the child is killed; an environment holding only what the package reads
 * (NOTION_API_TOKEN of the worker's integration, NOTION_API_BASE_URL, NOTION_INPUT_PAYLOAD_PATH),
 * TZ and the worker's own variables (set at deploy), nothing of the server's.
 *
 * The result is read as Notion's runtime reads it: from the last `<__notion_output__>` envelope
 * the package wrote on stdout (`{_tag: "success", value}` or `{_tag: "error", error}`), with the
 * `<__notion_error__>` envelope's serialized error beside it; the rest of stdout and stderr are
 * the execution's logs.
 */
import { execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerChildRequest } from '../lib/child-api.ts';

/** Answers one /v1 request in process (the app's `fetch`). */
export type ApiFetch = (req: Request) => Promise<Response>;

export interface WorkerLimits {
  timeoutMs: number;
  memoryMb: number;
}

export interface SandboxDeps {
  /** The /v1 API in process; absent: requests go over HTTP to `baseUrl`. */
  api?: ApiFetch | undefined;
  /** NOTION_API_BASE_URL as the worker sees it. */
  baseUrl: string;
  limits: WorkerLimits;
  /**
   * The next slot of a pacer's shared schedule: how long the execution waits before its request
   * (null: it paces on its own). Absent: executions pace on their own.
   */
  pace?: ((key: string) => Promise<number | null>) | undefined;
}

export interface WorkerLogLine {
  time: string;
  level: 'stdout' | 'stderr' | 'octavo';
  text: string;
}

export interface Execution {
  /** The `_tag: "success"` envelope was written. */
  ok: boolean;
  /** The success envelope's value. */
  value: unknown;
  /** The error envelope's `error` (name, message, and `_tag` for syncs). */
  error: { name?: string; message?: string; _tag?: string; retryAfter?: number } | null;
  /** The serialized error of the `<__notion_error__>` envelope, when one was written. */
  thrown: unknown;
  /** Manifest mode: `worker.manifest`. */
  manifest: unknown;
  logs: WorkerLogLine[];
  /** Why it stopped without an envelope: timeout, memory, exit, or the module failing to load. */
  stopped: string | null;
}

const here = fileURLToPath(import.meta.url);
const CHILD = resolve(dirname(here), `worker-child${extname(here)}`);
const MAX_LOG_CHARS = 64 * 1024;
const MAX_STDOUT_CHARS = 16 * 1024 * 1024;
const OUTPUT = /<__notion_output__>([\s\S]*?)<\/__notion_output__>/g;
const ERROR = /<__notion_error__>([\s\S]*?)<\/__notion_error__>/g;

function unescapeTag(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function lastMatch(re: RegExp, text: string): string | null {
  let last: string | null = null;
  for (const m of text.matchAll(re)) last = m[1] ?? null;
  return last;
}

/** Runs the bundle in a child; never throws: every outcome is an Execution. */
export function executeInSandbox(
  deps: SandboxDeps,
  run: {
    code: string;
    readPaths: string[];
    mode: 'manifest' | 'run';
    capability: string;
    input: unknown;
    token: string;
    env: Record<string, string>;
  },
): Promise<Execution> {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-worker-'));
  const bundle = join(dir, 'worker.mjs');
  const payload = join(dir, 'input.json');
  writeFileSync(bundle, run.code);
  writeFileSync(payload, JSON.stringify(run.input ?? null));
  const logs: WorkerLogLine[] = [];
  let logChars = 0;
  const keep = (level: WorkerLogLine['level'], text: string) => {
    if (!text || logChars >= MAX_LOG_CHARS) return;
    const cut = text.slice(0, MAX_LOG_CHARS - logChars);
    logChars += cut.length;
    logs.push({
      time: new Date().toISOString(),
      level,
      text: cut + (cut.length < text.length ? ' …(logs cut)' : ''),
    });
  };
  const child = fork(CHILD, [], {
    execArgv: [
      '--permission',
      `--allow-fs-read=${CHILD}`,
      `--allow-fs-read=${dir}`,
      ...run.readPaths.map((p) => `--allow-fs-read=${p}`),
      `--max-old-space-size=${deps.limits.memoryMb}`,
      '--disable-warning=ExperimentalWarning',
    ],
    env: {
      ...run.env,
      ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
      NOTION_API_TOKEN: run.token,
      NOTION_API_BASE_URL: deps.baseUrl,
      NOTION_INPUT_PAYLOAD_PATH: payload,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const cpu = Math.ceil((deps.limits.timeoutMs * 2) / 1000) + 5;
  if (child.pid) execFile('prlimit', [`--pid=${child.pid}`, `--cpu=${cpu}:${cpu + 1}`], () => {});
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => {
    if (stdout.length < MAX_STDOUT_CHARS) stdout += t;
  });
  child.stderr?.setEncoding('utf8').on('data', (t: string) => {
    stderr = (stderr + t).slice(-MAX_LOG_CHARS);
  });
  return new Promise<Execution>((done) => {
    let manifest: unknown = null;
    let failed: string | null = null;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deps.limits.timeoutMs);
    child.on('message', (m: { kind: string } & Record<string, unknown>) => {
      if (m.kind === 'fetch')
        answerChildRequest(deps, m as never, 'Workers')
          .catch((e: Error) => ({ status: 502, headers: {}, body: `bridge failed: ${e.message}` }))
          .then((a) => child.connected && child.send({ kind: 'response', id: m.id, ...a }));
      else if (m.kind === 'pace') {
        const asked = deps.pace ? deps.pace(String(m.key)) : Promise.resolve(null);
        void asked
          .catch((e: Error) => {
            keep('octavo', `the shared pacer schedule failed (${e.message}); pacing this execution alone`);
            return null;
          })
          // The slot as a time (the child and this process read one clock), so the answer's own
          // delay on a busy machine does not move the request earlier than its slot.
          .then((delayMs) => {
            const atMs = delayMs === null ? null : Date.now() + delayMs;
            if (child.connected) child.send({ kind: 'paced', id: m.id, atMs });
          });
      } else if (m.kind === 'manifest') manifest = m.manifest;
      else if (m.kind === 'failed') {
        failed = String(m.message);
        if (m.stack) keep('stderr', String(m.stack));
      }
    });
    const finish = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const out = lastMatch(OUTPUT, stdout);
      const thrownText = lastMatch(ERROR, stdout);
      for (const line of stdout.replace(OUTPUT, '').replace(ERROR, '').split('\n'))
        if (line.trim()) keep('stdout', line.trimEnd());
      for (const line of stderr.split('\n')) if (line.trim()) keep('stderr', line.trimEnd());
      type Envelope = { _tag?: string; value?: unknown; error?: Execution['error'] };
      const envelope = ((): Envelope | null => {
        try {
          return out === null ? null : (JSON.parse(out) as Envelope);
        } catch {
          return null;
        }
      })();
      let thrown: unknown = null;
      try {
        thrown = thrownText === null ? null : (JSON.parse(unescapeTag(thrownText)) as unknown);
      } catch {
        thrown = thrownText;
      }
      let stopped: string | null = failed;
      if (timedOut || signal === 'SIGXCPU')
        stopped = `stopped at its time limit (${deps.limits.timeoutMs} ms)`;
      else if (/heap limit|heap out of memory/i.test(stderr))
        stopped = `stopped at its memory limit (${deps.limits.memoryMb} MB heap)`;
      else if (!stopped && !envelope && run.mode === 'run')
        stopped = `exited without an output envelope (code ${code}, signal ${signal})`;
      done({
        ok: envelope?._tag === 'success',
        value: envelope?._tag === 'success' ? (envelope.value ?? null) : null,
        error: envelope?._tag === 'error' ? (envelope.error ?? {}) : null,
        thrown,
        manifest,
        logs,
        stopped,
      });
    };
    child.on('error', (e) => {
      if (child.pid !== undefined) return;
      failed = `could not start: ${e.message}`;
      finish(null, null);
    });
    child.on('close', finish);
    child.send({
      kind: 'start',
      bundle,
      mode: run.mode,
      capability: run.capability,
      input: run.input ?? null,
      sharePacers: deps.pace !== undefined,
    });
  });
}
