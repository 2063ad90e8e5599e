/**
 * Scripts: a JavaScript or TypeScript module whose default export is `async (ctx) => …`, run by
 * hand (`octavo script run FILE`) or by an automation's `run_script` step (a schedule trigger
 * and a `run_script` action make a scheduled script).
 *
 * Isolation: every run is a child Node process (script-child.ts) started with
 * - the permission model (`--permission`), reading only the script file, the child's own file
 *   and the @notionhq/client package: no other file read, no file write, no child processes, no
 *   worker threads, no native addons;
 * - `--max-old-space-size` (the memory limit: V8 stops the process when its heap passes it);
 * - a time limit, after which the parent kills it (SIGKILL);
 * - an environment holding nothing of the server's (no DATABASE_URL, no OCTAVO_SECRET_*).
 * The script's SDK client talks to Octavo over the IPC channel; the parent answers each request
 * in process through the /v1 API (only /v1 paths), with the script's own integration token, so
 * the script sees and touches what is shared with `script: NAME`, like any integration.
 * Node 24's permission model does not cover the network: a script can still open connections.
 *
 * Each run is a `script_runs` row: input, output, logs (ctx.log and stdout/stderr, capped), the
 * error and why it stopped (error, timeout, memory, exit), and timing.
 */
import { execFile, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Capability } from '../domain/capabilities.ts';
import { answerChildRequest } from '../lib/child-api.ts';
import { sha256Hex } from '../lib/crypto.ts';
import { newId } from '../lib/ids.ts';
import { createIntegration, newToken } from '../ops/integrations.ts';
import type { IntegrationRow, ScriptRunRow, Store, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { SCRIPT_NAME } from './definition.ts';

/** Answers one /v1 request in process (the app's `fetch`). */
export type ApiFetch = (req: Request) => Promise<Response>;

export interface ScriptLimits {
  /** The run is killed after this long (OCTAVO_SCRIPT_TIMEOUT_MS). */
  timeoutMs: number;
  /** V8's old-space heap limit (OCTAVO_SCRIPT_MEMORY_MB). */
  memoryMb: number;
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { timeoutMs: 30_000, memoryMb: 128 };

export interface ScriptDeps {
  store: Store;
  /** The /v1 API in process; absent: requests go over HTTP to `baseUrl`. */
  api?: ApiFetch | undefined;
  /** Where the script's client believes Octavo is (page URLs use the server's own). */
  baseUrl: string;
  limits: ScriptLimits;
}

export interface LogLine {
  time: string;
  level: 'info' | 'warn' | 'error' | 'stdout' | 'stderr';
  text: string;
}

/** Why a run stopped without a result. */
export type StopReason = 'error' | 'timeout' | 'memory' | 'exit';

export interface SandboxResult {
  ok: boolean;
  output: unknown;
  logs: LogLine[];
  error: string | null;
  reason: StopReason | null;
}

/** Capabilities of a new script's integration (change them with `octavo integration update`). */
const SCRIPT_CAPABILITIES: Capability[] = [
  'read_content',
  'update_content',
  'insert_content',
  'read_comments',
  'insert_comments',
];
/** What a run keeps of its logs. */
const MAX_LOG_CHARS = 64 * 1024;

const here = fileURLToPath(import.meta.url);
/** The child's file: .ts beside this one in the repository, .js in the built package. */
const CHILD = resolve(dirname(here), `script-child${extname(here)}`);

/** The @notionhq/client package folder and the module the child imports. */
function sdkLocation(): { dir: string; entry: string } {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@notionhq/client/package.json');
  return { dir: dirname(pkg), entry: require.resolve('@notionhq/client') };
}

/** The name a file's script gets by default: its file name without the extension. */
export function scriptNameOf(file: string): string {
  const name = basename(file, extname(file));
  if (!SCRIPT_NAME.test(name))
    throw errors.validation(
      `The script name ${name} should be 1–100 letters, digits, spaces, \`.\`, \`_\` or \`-\`.`,
    );
  return name;
}

/** An existing .js/.mjs/.ts/.mts file, made absolute; a validation error otherwise. */
export function scriptFile(file: string): string {
  const path = resolve(file);
  if (!/\.(m?js|m?ts)$/.test(path))
    throw errors.validation(`${file} should be a .js, .mjs, .ts or .mts file.`);
  if (!existsSync(path)) throw errors.validation(`No script file at ${path}.`);
  return path;
}

/**
 * The integration `script: NAME` and its token, made on the script's first run. A token rotated
 * by hand is replaced by a new one the server keeps; a revoked integration does not run.
 */
export async function scriptIdentity(
  tx: StoreTx,
  name: string,
  now: string,
): Promise<{ integration: IntegrationRow; token: string }> {
  const row = await tx.scripts.get(name);
  if (!row) {
    const made = await createIntegration(tx, {
      name: `script: ${name}`,
      capabilities: SCRIPT_CAPABILITIES,
      now,
    });
    await tx.scripts.insert({
      name,
      integration_id: made.integration.id,
      token: made.token,
      created_time: now,
    });
    return made;
  }
  const integration = await tx.integrations.get(row.integration_id);
  if (!integration) throw errors.validation(`The integration of script ${name} no longer exists.`);
  if (integration.revoked_time)
    throw errors.validation(
      `The integration "${integration.name}" of script ${name} was revoked (${integration.revoked_time}); nothing was run.`,
    );
  if (integration.token_hash === sha256Hex(row.token)) return { integration, token: row.token };
  const token = newToken();
  await tx.integrations.update(integration.id, { token_hash: sha256Hex(token) });
  await tx.scripts.setToken(name, token);
  return { integration: { ...integration, token_hash: sha256Hex(token) }, token };
}

/**
 * Runs `file` in a child process under the permission model with `limits`; never throws: every
 * outcome is a SandboxResult.
 */
export function runInSandbox(
  deps: ScriptDeps,
  run: { file: string; input: unknown; token: string; limits: ScriptLimits },
): Promise<SandboxResult> {
  const sdk = sdkLocation();
  const logs: LogLine[] = [];
  let logChars = 0;
  const keep = (level: LogLine['level'], text: string) => {
    if (logChars >= MAX_LOG_CHARS) return;
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
      `--allow-fs-read=${run.file}`,
      `--allow-fs-read=${sdk.dir}`,
      `--max-old-space-size=${run.limits.memoryMb}`,
      '--disable-warning=ExperimentalWarning',
    ],
    env: process.env.TZ ? { TZ: process.env.TZ } : {},
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  // A ceiling on CPU time kept by the kernel (RLIMIT_CPU, util-linux's prlimit where present),
  // generous beside the timer (GC threads count too), so a script that busy-loops in a child
  // whose parent died (a crashed job process) is still stopped; without prlimit, the timer alone.
  const cpu = Math.ceil((run.limits.timeoutMs * 2) / 1000) + 5;
  if (child.pid) execFile('prlimit', [`--pid=${child.pid}`, `--cpu=${cpu}:${cpu + 1}`], () => {});
  let stderrTail = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => keep('stdout', t.trimEnd()));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => {
    stderrTail = (stderrTail + t).slice(-4096);
    keep('stderr', t.trimEnd());
  });
  return new Promise<SandboxResult>((done) => {
    let result: SandboxResult | null = null;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, run.limits.timeoutMs);
    child.on('message', (m: { kind: string } & Record<string, unknown>) => {
      if (m.kind === 'log') keep(m.level as LogLine['level'], String(m.text));
      else if (m.kind === 'fetch')
        answerChildRequest(deps, m as never, 'Scripts')
          .catch((e: Error) => ({ status: 502, headers: {}, body: `bridge failed: ${e.message}` }))
          .then((a) => child.connected && child.send({ kind: 'response', id: m.id, ...a }));
      else if (m.kind === 'result' || m.kind === 'error') {
        result =
          m.kind === 'result'
            ? { ok: true, output: m.output ?? null, logs, error: null, reason: null }
            : {
                ok: false,
                output: null,
                logs,
                error: m.code ? `${String(m.code)}: ${String(m.message)}` : String(m.message),
                reason: 'error',
              };
        if (m.kind === 'error' && m.stack) keep('error', String(m.stack));
        child.kill('SIGKILL');
      }
    });
    child.on('error', (e) => {
      // A child that could not be started may never emit 'exit'.
      if (child.pid !== undefined) return;
      clearTimeout(timer);
      done({ ok: false, output: null, logs, error: `could not start: ${e.message}`, reason: 'exit' });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result) return done(result);
      if (timedOut || signal === 'SIGXCPU')
        return done({
          ok: false,
          output: null,
          logs,
          error: `stopped at its time limit (${run.limits.timeoutMs} ms)`,
          reason: 'timeout',
        });
      if (/heap limit|heap out of memory/i.test(stderrTail))
        return done({
          ok: false,
          output: null,
          logs,
          error: `stopped at its memory limit (${run.limits.memoryMb} MB heap)`,
          reason: 'memory',
        });
      done({
        ok: false,
        output: null,
        logs,
        error: `exited before answering (code ${code}, signal ${signal})`,
        reason: 'exit',
      });
    });
    child.send({
      kind: 'start',
      file: run.file,
      sdk: sdk.entry,
      token: run.token,
      baseUrl: deps.baseUrl,
      input: run.input ?? {},
    });
  });
}

/**
 * Runs a script as its own integration and records the run (`script_runs`); answers the row as
 * it was left. Problems found before it starts (no file, revoked integration) are thrown.
 */
export async function runScript(
  deps: ScriptDeps,
  req: {
    file: string;
    name?: string | undefined;
    input: unknown;
    startedBy: string;
    limits?: Partial<ScriptLimits> | undefined;
  },
): Promise<ScriptRunRow> {
  const file = scriptFile(req.file);
  const name = req.name ?? scriptNameOf(file);
  const limits = {
    ...deps.limits,
    ...Object.fromEntries(Object.entries(req.limits ?? {}).filter(([, v]) => v !== undefined)),
  };
  const started = new Date();
  const row: ScriptRunRow = {
    id: newId(),
    script_name: name,
    file,
    started_by: req.startedBy,
    status: 'running',
    input: JSON.stringify(req.input ?? {}),
    output: null,
    logs: '[]',
    error: null,
    reason: null,
    started_time: started.toISOString(),
    finished_time: null,
    duration_ms: null,
  };
  const { token } = await deps.store.transaction(async (tx) => {
    const who = await scriptIdentity(tx, name, started.toISOString());
    await tx.scripts.insertRun(row);
    return who;
  });
  const r = await runInSandbox(deps, { file, input: req.input ?? {}, token, limits });
  const finished = new Date();
  const patch = {
    status: (r.ok ? 'succeeded' : 'failed') as ScriptRunRow['status'],
    output: r.ok ? JSON.stringify(r.output) : null,
    logs: JSON.stringify(r.logs),
    error: r.error,
    reason: r.reason,
    finished_time: finished.toISOString(),
    duration_ms: finished.getTime() - started.getTime(),
  };
  await deps.store.transaction((tx) => tx.scripts.updateRun(row.id, patch));
  return { ...row, ...patch };
}

/** A script run as the CLI and automation steps show it. */
export function presentScriptRun(row: ScriptRunRow) {
  return {
    object: 'script_run',
    id: row.id,
    script: row.script_name,
    integration: `script: ${row.script_name}`,
    file: row.file,
    started_by: row.started_by,
    status: row.status,
    input: JSON.parse(row.input) as unknown,
    output: row.output === null ? null : (JSON.parse(row.output) as unknown),
    logs: JSON.parse(row.logs) as LogLine[],
    error: row.error,
    reason: row.reason,
    started_time: row.started_time,
    finished_time: row.finished_time,
    duration_ms: row.duration_ms,
  };
}
