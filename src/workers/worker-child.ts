/**
 * The child side of a worker execution (workers/sandbox.ts starts it): a Node process under the
 * permission model that imports the worker's bundle and either reports its manifest or runs one
 * capability with `worker.run(key, input)`, exactly as the package expects to be driven: the
 * capability reads NOTION_API_TOKEN, NOTION_API_BASE_URL and NOTION_INPUT_PAYLOAD_PATH from the
 * environment and writes its result as `<__notion_output__>` envelopes on stdout, which the
 * parent reads. It imports nothing of Octavo.
 *
 * Requests to NOTION_API_BASE_URL (the package's SDK client) travel over the IPC channel and are
 * answered by the parent in process; every other request (a sync's outside source) goes out as
 * usual.
 *
 * Pacers: the package paces a sync's requests with state of its own process (`pacerWait` in its
 * `pacer_internal.js`), so two executions would each spend the whole budget. Loading that module,
 * the child renames the package's `pacerWait` and puts one in its place that asks the parent for
 * the next slot of the pacer's schedule shared by every execution of the worker (kept in the
 * database), then sleeps until it. A version of the package whose module does not have that
 * function is left as it is (its pacing stays per execution).
 *
 * Messages in: `start`, `response`, `paced`. Messages out: `fetch`, `pace`, `manifest`, `done`.
 */
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

interface Start {
  kind: 'start';
  bundle: string;
  mode: 'manifest' | 'run';
  capability: string;
  input: unknown;
  /** Pacer waits take slots from the parent's shared schedule (sync executions). */
  sharePacers: boolean;
}

interface Answer {
  kind: 'response';
  id: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Paced {
  kind: 'paced';
  id: number;
  /** When the request may go (ms since the epoch); null: pace locally (no shared schedule). */
  atMs: number | null;
}

interface WorkerLike {
  run(key: string, context: unknown): Promise<unknown>;
  manifest: unknown;
}

const pending = new Map<number, (a: Answer) => void>();
const pacing = new Map<number, (delayMs: number | null) => void>();
let seq = 0;
const outside = globalThis.fetch.bind(globalThis);
const base = (process.env.NOTION_API_BASE_URL ?? '').replace(/\/$/, '');

function send(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** `fetch` for the whole process: Octavo's requests through the parent, the rest as usual. */
async function bridged(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  if (!base || !(url === base || url.startsWith(`${base}/`))) return outside(input, init);
  if (input instanceof Request) {
    init = { method: input.method, headers: input.headers, body: await input.text(), ...init };
  }
  const body = init.body ?? null;
  if (body !== null && typeof body !== 'string')
    throw new Error('workers can send JSON bodies to Octavo only (file uploads are not bridged)');
  const id = ++seq;
  const answer = new Promise<Answer>((resolve) => pending.set(id, resolve));
  void send({
    kind: 'fetch',
    id,
    url,
    method: init.method ?? 'GET',
    headers: Object.fromEntries(new Headers(init.headers).entries()),
    body,
  });
  const a = await answer;
  return new Response(a.status === 204 ? null : a.body, { status: a.status, headers: a.headers });
}
globalThis.fetch = bridged as typeof fetch;

/** The next slot of pacer `key`, from the parent: how long to wait for it from now. */
async function sharedPace(key: string): Promise<number | null> {
  const id = ++seq;
  const answer = new Promise<number | null>((resolve) => pacing.set(id, resolve));
  void send({ kind: 'pace', id, key });
  const atMs = await answer;
  return atMs === null ? null : Math.max(0, atMs - Date.now());
}
(globalThis as Record<symbol, unknown>)[Symbol.for('octavo.pace')] = sharedPace;

const PACER_MODULE = /\/@notionhq\/workers\/dist\/pacer_internal\.js$/;
const PACER_WAIT = /(export\s+)?async function pacerWait\(/;

/** The package's pacer module with `pacerWait` taking its slots from the shared schedule. */
function sharePacers(source: string): string {
  const m = PACER_WAIT.exec(source);
  if (!m) return source;
  return `${source.replace(PACER_WAIT, 'async function octavoLocalPacerWait(')}
${m[1] ?? ''}async function pacerWait(key) {
  const shared = globalThis[Symbol.for('octavo.pace')];
  const entry = getPacerState().pacers[key];
  if (typeof shared !== 'function' || !entry) return octavoLocalPacerWait(key);
  const delayMs = await shared(key);
  if (delayMs === null) return octavoLocalPacerWait(key);
  getPacerState().pacers[key] = { ...entry, lastScheduledAtMs: Date.now() + delayMs };
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
}
`;
}

/** Loads the package's pacer module with `sharePacers` applied (before the bundle is imported). */
function hookPacers(): void {
  registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      const src = loaded.source;
      if (!PACER_MODULE.test(url) || src === undefined || src === null) return loaded;
      const text = typeof src === 'string' ? src : Buffer.from(src as Uint8Array).toString('utf8');
      return { ...loaded, source: sharePacers(text) };
    },
  });
}

async function start(m: Start): Promise<void> {
  try {
    if (m.sharePacers) hookPacers();
    const mod = (await import(pathToFileURL(m.bundle).href)) as { default?: unknown };
    const worker = mod.default as WorkerLike | undefined;
    if (!worker || typeof worker.run !== 'function' || !('manifest' in worker))
      throw new Error(
        'the worker module has no default export Worker (const worker = new Worker(); export default worker;)',
      );
    if (m.mode === 'manifest') {
      await send({ kind: 'manifest', manifest: JSON.parse(JSON.stringify(worker.manifest)) as unknown });
    } else {
      // The capability writes its own envelopes (success or error) before it resolves or throws.
      await worker.run(m.capability, m.input).catch(() => {});
      await send({ kind: 'done' });
    }
  } catch (e) {
    const err = e as { message?: string; stack?: string };
    await send({ kind: 'failed', message: String(err?.message ?? e), stack: err?.stack ?? null });
  }
  // Keep-alive sockets must not hold the process open; stdout to a pipe is synchronous on Linux.
  setImmediate(() => process.exit(0));
}

process.on('disconnect', () => process.exit(1));

process.on('message', (m: Start | Answer | Paced) => {
  if (m.kind === 'start') void start(m);
  else if (m.kind === 'paced') {
    pacing.get(m.id)?.(m.atMs);
    pacing.delete(m.id);
  } else if (m.kind === 'response') {
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  }
});
