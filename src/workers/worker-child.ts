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
 * Messages in: `start`, `response`. Messages out: `fetch`, `manifest`, `done`.
 */
import { pathToFileURL } from 'node:url';

interface Start {
  kind: 'start';
  bundle: string;
  mode: 'manifest' | 'run';
  capability: string;
  input: unknown;
}

interface Answer {
  kind: 'response';
  id: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface WorkerLike {
  run(key: string, context: unknown): Promise<unknown>;
  manifest: unknown;
}

const pending = new Map<number, (a: Answer) => void>();
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

async function start(m: Start): Promise<void> {
  try {
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

process.on('message', (m: Start | Answer) => {
  if (m.kind === 'start') void start(m);
  else if (m.kind === 'response') {
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  }
});
