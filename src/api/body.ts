/**
 * Reading a JSON request body safely: never more than the size cap in memory, never deeper than
 * any Notion request goes, and never a string that one of the engines cannot store. Every refusal
 * is an ApiError in Notion's grammar; a client that hangs up mid-body is a client fault, not ours.
 */
import { type ApiError, errors } from '../wire/errors.ts';
import { bodyError } from '../wire/validation.ts';

/** Whole request bodies above this size are refused (Notion: 500 KB per request). */
export const MAX_BODY_BYTES = 500 * 1024;

/**
 * Bodies nested deeper than this are refused before anything walks them (a reviver, Zod, the
 * JSON.stringify of an error message all recurse). The deepest request Notion accepts (two levels
 * of children with rich text inside columns) is under 20 levels.
 */
export const MAX_BODY_DEPTH = 64;

const utf8 = new TextDecoder();

/** `body.length should be ≤ 512000 bytes, instead was N` (N: declared, or read so far). */
function tooLarge(size: number): ApiError {
  return bodyError([], `should be ≤ \`${MAX_BODY_BYTES}\` bytes`, size, '.length');
}

/**
 * A read that failed because the client went away (reset, aborted, closed before the end).
 * The answer is never seen; it is a 400 so that it is neither logged nor counted as our failure.
 */
export function clientGone(cause: unknown): ApiError {
  const err = errors.invalidRequest('The request body was not received completely.');
  err.cause = cause;
  return err;
}

/** The next chunk of a request body; a failed read means the client went away (`clientGone`). */
export function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>) {
  return reader.read().catch((e: unknown) => Promise.reject(clientGone(e)));
}

/**
 * The body as text, read at most up to MAX_BODY_BYTES. A declared Content-Length over the cap is
 * refused before one byte is read; a body without one (chunked) is counted as it streams and
 * refused as soon as it passes the cap. What is left unread is the server's job to drop
 * (api/node-server.ts closes such connections instead of draining them).
 */
export async function readBodyText(req: Request): Promise<string> {
  const declared = req.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared)) {
    const size = Number(declared);
    if (size > MAX_BODY_BYTES) throw tooLarge(size);
    // Node's HTTP parser delivers exactly the declared bytes, so reading whole is bounded; this
    // keeps the adapter's fast path (one buffer, no web stream) for the common request.
    const bytes = await req.arrayBuffer().catch((e: unknown) => Promise.reject(clientGone(e)));
    // Only an in-process Request can carry more than its header says; counted all the same.
    if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge(bytes.byteLength);
    return utf8.decode(bytes);
  }
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await readChunk(reader);
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      reader.cancel().catch(() => {});
      throw tooLarge(size);
    }
    chunks.push(value);
  }
  return utf8.decode(Buffer.concat(chunks));
}

/**
 * `\u0000` and lone-surrogate escapes (`\uD800`-`\uDFFF`, any case). Decoded UTF-8 never holds
 * a lone surrogate (it becomes U+FFFD) and raw control characters are invalid JSON, so only an
 * escape can bring either in; text without one takes the plain JSON.parse.
 */
const NEEDS_CLEANING = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * Postgres text cannot hold NUL and Postgres json refuses an unpaired surrogate (`\ud800`), so
 * both engines get strings without NUL and with U+FFFD for a lone surrogate — the same rule for
 * every string and key, so the engines agree. Surrogate pairs are kept.
 */
const clean = (s: string) => s.replaceAll('\u0000', '').toWellFormed();

const cleaned = (_key: string, value: unknown) => {
  if (typeof value === 'string') return clean(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.some((k) => k !== clean(k)))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [clean(k), v]));
  }
  return value;
};

/** The deepest nesting of `[`/`{` in JSON text, skipping strings; linear, no recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) i = stringEnd(text, i);
    else if (ch === 0x5b || ch === 0x7b) max = Math.max(max, ++depth);
    else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return max;
}

/** Index of the quote closing the string opened at `start` (an even run of `\` before it). */
function stringEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i === -1) return text.length;
    let j = i - 1;
    while (text.charCodeAt(j) === 0x5c) j--;
    if ((i - 1 - j) % 2 === 0) return i;
  }
}

/**
 * Parses a request body: `invalid_json` when it is not JSON, `validation_error` when it is nested
 * deeper than MAX_BODY_DEPTH, and strings and keys cleaned for storage (see `clean`).
 */
export function parseBody(text: string): unknown {
  const depth = jsonDepth(text);
  let body: unknown;
  try {
    // V8's parser is iterative, so a deep text cannot overflow it; a reviver would recurse,
    // which is why the depth is checked before one runs.
    body =
      depth <= MAX_BODY_DEPTH && NEEDS_CLEANING.test(text) ? JSON.parse(text, cleaned) : JSON.parse(text);
  } catch {
    throw errors.invalidJson();
  }
  // Too deep is only said of valid JSON: malformed text is invalid_json whatever its depth.
  if (depth > MAX_BODY_DEPTH) throw bodyError([], `should be ≤ \`${MAX_BODY_DEPTH}\``, depth, '.depth');
  return body;
}
