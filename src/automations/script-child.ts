/**
 * The child side of a script run (automations/scripts.ts starts it): a Node process under the
 * permission model, allowed to read only this file, the script and the SDK's package. It imports
 * nothing of Octavo. Its SDK client reaches Octavo through the IPC channel: each request goes to
 * the parent, which answers it in process, so the script needs no route to the server.
 *
 * Messages in: `start` (the script, its input, its token), `response` (an answered request).
 * Messages out: `fetch`, `log`, and once `result` or `error`.
 */
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

interface Start {
  kind: 'start';
  file: string;
  sdk: string;
  token: string;
  baseUrl: string;
  input: unknown;
}

interface Answer {
  kind: 'response';
  id: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Level = 'info' | 'warn' | 'error';

/** The largest output a run keeps (JSON text). */
const MAX_OUTPUT_CHARS = 1_000_000;

const pending = new Map<number, (a: Answer) => void>();
let seq = 0;

function send(message: unknown): void {
  process.send?.(message);
}

/** The SDK's `fetch`: one request to Octavo, through the parent. */
async function bridgedFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const id = ++seq;
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  if (init.body !== undefined && init.body !== null && typeof init.body !== 'string')
    throw new Error('scripts can send JSON bodies only (file uploads are not bridged)');
  const answer = new Promise<Answer>((resolve) => pending.set(id, resolve));
  send({
    kind: 'fetch',
    id,
    url: String(url),
    method: init.method ?? 'GET',
    headers,
    body: init.body ?? null,
  });
  const a = await answer;
  return new Response(a.status === 204 ? null : a.body, { status: a.status, headers: a.headers });
}

function logger() {
  const at =
    (level: Level) =>
    (...args: unknown[]) =>
      send({ kind: 'log', level, text: format(...args), time: new Date().toISOString() });
  return Object.assign(at('info'), { info: at('info'), warn: at('warn'), error: at('error') });
}

async function start(m: Start): Promise<void> {
  try {
    const { Client } = (await import(pathToFileURL(m.sdk).href)) as typeof import('@notionhq/client');
    const notion = new Client({ auth: m.token, baseUrl: m.baseUrl, fetch: bridgedFetch as typeof fetch });
    const mod = (await import(pathToFileURL(m.file).href)) as { default?: unknown };
    if (typeof mod.default !== 'function')
      throw new Error(`${m.file} has no default export function (export default async (ctx) => …)`);
    const value = await (mod.default as (ctx: unknown) => unknown)({ notion, input: m.input, log: logger() });
    const text = value === undefined ? 'null' : JSON.stringify(value);
    if (text.length > MAX_OUTPUT_CHARS)
      throw new Error(
        `the output is ${text.length} characters of JSON; at most ${MAX_OUTPUT_CHARS} are kept`,
      );
    send({ kind: 'result', output: JSON.parse(text) as unknown });
  } catch (e) {
    const err = e as { stack?: string; message?: string; code?: string };
    send({
      kind: 'error',
      message: String(err?.message ?? e),
      code: err?.code ?? null,
      stack: err?.stack ?? null,
    });
  }
}

// The parent is gone (its process died): nothing can receive the result.
process.on('disconnect', () => process.exit(1));

process.on('message', (m: Start | Answer) => {
  if (m.kind === 'start') void start(m);
  else if (m.kind === 'response') {
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  }
});
