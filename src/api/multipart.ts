/**
 * Reading a multipart/form-data upload (POST /v1/file_uploads/{id}/send) without holding more
 * than one part's worth of bytes: a declared Content-Length over the cap is refused before any
 * byte is read, and a body that streams past it is cut off.
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

/** The body is over the cap, so its file is over MAX_PART_BYTES; by how much the framing hides. */
function tooLarge() {
  return errors.validation(tooLargeMessage(null, MAX_PART_BYTES, 'part'));
}

/**
 * Reads at most `cap` bytes. Past it, the rest is read and dropped up to `cap` again (so the
 * client, still sending, gets the error rather than a reset connection), then the stream is
 * cancelled: memory holds at most `cap` bytes, and an endless body is cut off.
 */
async function readCapped(body: ReadableStream<Uint8Array> | null, cap: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await readChunk(reader);
    if (done) break;
    size += value.byteLength;
    if (size <= cap) chunks.push(value);
    else if (size > 2 * cap) {
      await reader.cancel();
      break;
    }
  }
  if (size > cap) throw tooLarge();
  return Buffer.concat(chunks);
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
  const raw = await readCapped(c.req.raw.body, MAX_SEND_BODY);
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': type } }).formData();
  } catch {
    throw errors.validation('body failed validation: body should be a valid multipart/form-data body.');
  }
  const file = form.get('file');
  if (file === null) throw bodyError(['file'], 'should be defined', undefined);
  if (typeof file === 'string') throw bodyError(['file'], 'should be a file', file);
  const partNumber = form.get('part_number');
  if (partNumber !== null && typeof partNumber !== 'string') {
    throw bodyError(['part_number'], 'should be a string', partNumber.name);
  }
  return {
    bytes: new Uint8Array(await file.arrayBuffer()),
    filename: file.name || null,
    contentType: file.type || null,
    partNumber: partNumber ?? undefined,
  };
}
