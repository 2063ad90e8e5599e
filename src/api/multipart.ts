/**
 * Reading a multipart/form-data upload (POST /v1/file_uploads/{id}/send) as it streams in: the
 * file's bytes are copied once, chunk by chunk, into one buffer of the file's size, and nothing
 * else of the body is kept. (The earlier reader gathered the whole body, joined it, had the Fetch
 * API parse it into a FormData and copied the file out again: about twelve times a 19 MB file's
 * size at the peak; docs/benchmarks.md, "Upload memory".) A declared Content-Length over the cap
 * is refused before any byte is read, and a body that streams past it is cut off.
 */
import type { Context } from 'hono';
import { tooLargeMessage } from '../domain/file-uploads.ts';
import type { SentPart } from '../ops/file-uploads.ts';
import { errors } from '../wire/errors.ts';
import { MAX_PART_BYTES } from '../wire/file-uploads.schema.ts';
import { bodyError } from '../wire/validation.ts';
import { readChunk } from './body.ts';
import type { AppEnv } from './types.ts';

/** Room for the multipart framing and the `part_number` field around the largest part. */
const FRAMING_BYTES = 64 * 1024;
const MAX_SEND_BODY = MAX_PART_BYTES + FRAMING_BYTES;
/** A part's headers, and a text field's value, are small; more is not a real client. */
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_TEXT_BYTES = 16 * 1024;

/** The body is over the cap, so its file is over MAX_PART_BYTES; by how much the framing hides. */
function tooLarge() {
  return errors.validation(tooLargeMessage(null, MAX_PART_BYTES, 'part'));
}

function malformed() {
  return errors.validation('body failed validation: body should be a valid multipart/form-data body.');
}

/** The boundary parameter of a multipart Content-Type (RFC 2046: 1–70 characters). */
function boundaryOf(type: string): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(type);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw malformed();
  return boundary;
}

interface PartHeaders {
  name: string;
  /** Present when the part is a file (`filename=` given, even empty). */
  filename: string | undefined;
  contentType: string | undefined;
}

/** A quoted parameter value (`"a\"b"`) or a bare token. */
function param(disposition: string, key: string): string | undefined {
  const m = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

function parseHeaders(block: string): PartHeaders {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) throw malformed();
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') disposition = value;
    else if (key === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\b/i.test(disposition)) throw malformed();
  const name = param(disposition, 'name');
  if (name === undefined) throw malformed();
  return { name, filename: param(disposition, 'filename'), contentType };
}

/** Where the bytes of the part being read go. */
interface Sink {
  write(bytes: Uint8Array): void;
}

/**
 * The file's bytes, in one buffer sized by the body's Content-Length (the file is a little
 * smaller), or grown by doubling when the body is chunked. Files up to the body's cap are taken:
 * the operation refuses a part over MAX_PART_BYTES with its exact size.
 */
export class FileSink implements Sink {
  private buffer: Buffer;
  size = 0;
  constructor(expected: number) {
    this.buffer = Buffer.allocUnsafe(Math.min(Math.max(expected, 64 * 1024), MAX_SEND_BODY));
  }
  write(bytes: Uint8Array): void {
    const end = this.size + bytes.byteLength;
    if (end > MAX_SEND_BODY) throw tooLarge();
    if (end > this.buffer.byteLength) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(end, this.buffer.byteLength * 2), MAX_SEND_BODY));
      this.buffer.copy(grown, 0, 0, this.size);
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.size);
    this.size = end;
  }
  /** The bytes received, without copying them. */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.size);
  }
}

export class TextSink implements Sink {
  private chunks: Uint8Array[] = [];
  private size = 0;
  write(bytes: Uint8Array): void {
    this.size += bytes.byteLength;
    if (this.size > MAX_TEXT_BYTES) throw malformed();
    this.chunks.push(bytes);
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const IGNORE: Sink = { write() {} };

export interface Field {
  headers: PartHeaders;
  sink: FileSink | TextSink | typeof IGNORE;
}

/**
 * The streaming parser: bytes in, fields out. `pending` holds only what might still be the start
 * of a delimiter (or an unfinished header block), so it stays small whatever the part's size.
 */
export class MultipartReader {
  private readonly delimiter: Buffer;
  /** Starts with a CRLF so that the first delimiter, which may open the body, matches too. */
  private pending: Buffer = Buffer.from('\r\n');
  private state: 'preamble' | 'headers' | 'body' | 'done' = 'preamble';
  private current: Field | undefined;
  readonly fields: Field[] = [];
  private readonly expected: number;

  constructor(boundary: string, expected: number) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    this.expected = expected;
  }

  push(chunk: Uint8Array): void {
    if (this.state === 'done') return; // the epilogue is ignored
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const d = this.delimiter.byteLength;
    if (this.state === 'body' && this.pending.byteLength < d && bytes.byteLength >= d) {
      // Inside a part, `pending` is only the tail that might begin a delimiter: look for one
      // across the seam, then search the chunk itself, without copying it onto the tail.
      const seam = Buffer.concat([this.pending, bytes.subarray(0, this.delimiter.byteLength - 1)]);
      const at = seam.indexOf(this.delimiter);
      if (at >= 0 && at < this.pending.byteLength) {
        this.current!.sink.write(this.pending.subarray(0, at));
        this.pending = bytes.subarray(at + this.delimiter.byteLength - this.pending.byteLength);
        if (!this.afterDelimiter()) return;
      } else {
        this.current!.sink.write(this.pending);
        this.pending = bytes;
      }
    } else {
      this.pending = this.pending.byteLength === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    }
    for (;;) {
      if (this.state === 'preamble') {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          if (this.pending.byteLength > MAX_HEADER_BYTES) throw malformed();
          return;
        }
        this.pending = this.pending.subarray(at + this.delimiter.byteLength);
        if (!this.afterDelimiter()) return;
      } else if (this.state === 'headers') {
        const end = this.pending.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.pending.byteLength > MAX_HEADER_BYTES) throw malformed();
          return;
        }
        const headers = parseHeaders(this.pending.subarray(0, end).toString('utf8'));
        this.pending = this.pending.subarray(end + 4);
        this.current = { headers, sink: this.sinkFor(headers) };
        this.fields.push(this.current);
        this.state = 'body';
      } else if (this.state === 'body') {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          // Keep what could be the start of a delimiter split across chunks.
          const safe = this.pending.byteLength - (this.delimiter.byteLength - 1);
          if (safe > 0) {
            this.current!.sink.write(this.pending.subarray(0, safe));
            this.pending = Buffer.from(this.pending.subarray(safe));
          }
          return;
        }
        this.current!.sink.write(this.pending.subarray(0, at));
        this.pending = this.pending.subarray(at + this.delimiter.byteLength);
        if (!this.afterDelimiter()) return;
      } else {
        return;
      }
    }
  }

  /** After a delimiter: `--` ends the body, CRLF starts a part. False when more bytes are needed. */
  private afterDelimiter(): boolean {
    // Transport padding (spaces, tabs) may follow a delimiter.
    let i = 0;
    while (i < this.pending.byteLength && (this.pending[i] === 0x20 || this.pending[i] === 0x09)) i++;
    if (this.pending.byteLength < i + 2) {
      // Not enough bytes to decide: put the delimiter back and wait (the state still searches
      // for it: preamble before the first part, body after).
      this.pending = Buffer.concat([this.delimiter, this.pending]);
      return false;
    }
    const next = this.pending.subarray(i, i + 2).toString('latin1');
    if (next === '--') {
      this.state = 'done';
      this.pending = Buffer.alloc(0);
      return false;
    }
    if (next !== '\r\n') throw malformed();
    this.pending = this.pending.subarray(i + 2);
    this.state = 'headers';
    return true;
  }

  private sinkFor(headers: PartHeaders): Field['sink'] {
    if (headers.name === 'file' && headers.filename !== undefined) {
      if (this.fields.some((f) => f.sink instanceof FileSink)) throw malformed();
      return new FileSink(this.expected);
    }
    if (headers.name === 'file') return new TextSink();
    if (headers.name === 'part_number') return headers.filename === undefined ? new TextSink() : IGNORE;
    return IGNORE;
  }

  /** The body ended: it must have ended with the closing delimiter. */
  finish(): void {
    if (this.state !== 'done') throw malformed();
  }
}

/**
 * Feeds the body to the reader. A body over the cap is read and dropped up to the cap again (so
 * the client, still sending, gets the error rather than a reset connection), then cancelled.
 */
async function readParts(
  body: ReadableStream<Uint8Array> | null,
  reader: MultipartReader,
  cap: number,
): Promise<void> {
  if (!body) throw malformed();
  const stream = body.getReader();
  let size = 0;
  let failure: unknown;
  for (;;) {
    const { done, value } = await readChunk(stream);
    if (done) break;
    size += value.byteLength;
    if (size > cap) failure ??= tooLarge();
    if (failure === undefined) {
      try {
        reader.push(value);
      } catch (e) {
        failure = e;
      }
    }
    if (failure !== undefined && size > 2 * cap) {
      await stream.cancel();
      break;
    }
    // A refused body is still read (and dropped) to its end within the cap, as above.
  }
  if (failure !== undefined) throw failure;
  reader.finish();
}

/** The `file` and `part_number` fields of a send request. */
export async function readSentPart(c: Context<AppEnv>): Promise<SentPart> {
  const type = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw errors.validation(
      `Content-Type header should be \`multipart/form-data\`, instead was \`${JSON.stringify(type || undefined)}\`.`,
    );
  }
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > MAX_SEND_BODY) throw tooLarge();
  const reader = new MultipartReader(boundaryOf(type), Number.isFinite(declared) ? declared : 0);
  await readParts(c.req.raw.body, reader, MAX_SEND_BODY);
  const first = (name: string) => reader.fields.find((f) => f.headers.name === name);
  const file = first('file');
  if (!file) throw bodyError(['file'], 'should be defined', undefined);
  if (!(file.sink instanceof FileSink)) {
    throw bodyError(['file'], 'should be a file', (file.sink as TextSink).text());
  }
  const partNumber = first('part_number');
  if (partNumber && partNumber.headers.filename !== undefined) {
    throw bodyError(['part_number'], 'should be a string', partNumber.headers.filename);
  }
  return {
    bytes: file.sink.bytes(),
    filename: file.headers.filename || null,
    contentType: file.headers.contentType || null,
    partNumber: partNumber ? (partNumber.sink as TextSink).text() : undefined,
  };
}
