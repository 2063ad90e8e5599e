/**
 * File uploads as the rest of the domain sees them: the effective status (expiry is decided when
 * read, against the request's clock) and the stored form of an attached file.
 *
 * An attached upload is stored wherever Notion shows a hosted file (media blocks, icons, covers,
 * files property items) as `{type: "file", file: {file_upload_id, filename}}` — the id, never a
 * URL — and presenters turn it into `{type: "file", file: {url, expiry_time}}` with a freshly
 * signed URL on every read.
 */
import { checkSignature, type SignatureCheck, signUrl } from '../lib/url-signing.ts';
import { type FileUploadStatus, MAX_FILENAME_BYTES } from '../wire/file-uploads.schema.ts';
import { bodyError, type PathSegment } from '../wire/validation.ts';

/** What a stored hosted file keeps: the upload and the name its URL ends with. */
export interface HostedFileRef {
  file_upload_id: string;
  filename: string;
}

/** The stored form of an attached upload (response form, with the ref in place of url/expiry). */
export function storedFile(ref: HostedFileRef): { type: 'file'; file: HostedFileRef } {
  return { type: 'file', file: { file_upload_id: ref.file_upload_id, filename: ref.filename } };
}

/** The ref inside a stored file object, or undefined when `value` is not one. */
export function hostedRefOf(value: unknown): HostedFileRef | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { type?: unknown; file?: { file_upload_id?: unknown; filename?: unknown } };
  if (v.type !== 'file' || typeof v.file?.file_upload_id !== 'string') return undefined;
  return { file_upload_id: v.file.file_upload_id, filename: String(v.file.filename ?? 'file') };
}

/** C0 and C1 control characters (NUL among them: Postgres text cannot hold it). */
const CONTROL_CHARS = /\p{Cc}/gu;

/**
 * The one way a file upload gets its name, whichever request gave it: a URL's last path segment
 * (`fromUrl`: percent-decoded when it decodes, else kept as written), the create body's
 * `filename`, or a multipart part's filename. Control characters are dropped and lone surrogates
 * replaced; a name over MAX_FILENAME_BYTES is refused at `path`. Null when nothing is left.
 */
export function cleanFilename(raw: string, path: PathSegment[], fromUrl = false): string | null {
  let name = raw;
  if (fromUrl) {
    try {
      name = decodeURIComponent(raw);
    } catch {
      // A malformed escape (`%E0%A4%A`): the name is the text as written.
    }
  }
  name = name.replace(CONTROL_CHARS, '').toWellFormed();
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_FILENAME_BYTES) {
    throw bodyError(path, `should be ≤ \`${MAX_FILENAME_BYTES}\` bytes`, bytes, '.length');
  }
  return name === '' ? null : name;
}

/** Which limit a file went over: the deployment's, or Notion's per-part cap. */
export type SizeLimit = 'workspace' | 'part';

/**
 * The one "too large" message, for every place that measures a file: a send (the multipart body
 * or the part total), and an external_url import. `size` is null when only "over" is known (a
 * body cut off while streaming).
 */
export function tooLargeMessage(size: number | null, limit: number, which: SizeLimit): string {
  const is = size === null ? 'is' : `is ${size} bytes,`;
  const name = which === 'workspace' ? 'max_file_upload_size_in_bytes' : 'per part';
  return `The file ${is} larger than the limit of ${limit} bytes (${name}).`;
}

/** The status a client sees: a pending or uploaded upload past its expiry_time is `expired`. */
export function effectiveStatus(
  row: { status: string; expiry_time: string | null },
  now: string,
): FileUploadStatus {
  if (row.status === 'failed') return 'failed';
  if (row.expiry_time !== null && row.expiry_time <= now) return 'expired';
  return row.status === 'uploaded' ? 'uploaded' : 'pending';
}

/** What a deployment decides about uploads (config), as operations and presenters need it. */
export interface FileSettings {
  /** Largest file accepted (`workspace_limits.max_file_upload_size_in_bytes`). */
  maxBytes: number;
  /** HMAC key of hosted-file URLs, shared by every node through the database. */
  urlSecret: string;
  /** external_url imports may reach loopback/private addresses and plain http. */
  allowPrivateImports: boolean;
}

/** How long a hosted-file URL stays valid (Notion: about an hour). */
export const FILE_URL_TTL_SECONDS = 60 * 60;

/** The path under which hosted files are served, outside /v1. */
export const FILES_PATH = '/files';

/**
 * What a hosted-file URL's signature covers: the upload id and the name segment exactly as issued
 * (percent-encoded, as it appears in the path). A URL whose name was changed is refused like a
 * forged signature, so nobody can serve our bytes under a name of their choosing.
 */
function hostedSubject(id: string, nameSegment: string): string {
  return `${id}/${nameSegment}`;
}

/** A freshly signed URL for a hosted file, and when it stops working. */
export function hostedFileUrl(
  publicUrl: string,
  secret: string,
  ref: HostedFileRef,
  now: Date,
): { url: string; expiry_time: string } {
  const expires = Math.floor(now.getTime() / 1000) + FILE_URL_TTL_SECONDS;
  const name = encodeURIComponent(ref.filename);
  const signature = signUrl(secret, hostedSubject(ref.file_upload_id, name), expires);
  return {
    url: `${publicUrl}${FILES_PATH}/${ref.file_upload_id}/${name}?expires=${expires}&signature=${signature}`,
    expiry_time: new Date(expires * 1000).toISOString(),
  };
}

/**
 * Checks a hosted-file URL's signature against its upload id and its name segment as received
 * (not decoded): `valid`, `expired` (genuine but past its time) or `invalid` (anything changed).
 */
export function checkHostedFileUrl(
  secret: string,
  url: { id: string; nameSegment: string; expires: number; signature: string },
  nowSeconds: number,
): SignatureCheck {
  const subject = hostedSubject(url.id, url.nameSegment);
  return checkSignature(secret, subject, url.expires, url.signature, nowSeconds);
}

/**
 * What a URL made by hostedFileUrl on this server names: the upload id, and whether the URL's
 * signature has expired at `now` (ISO). Null for any other URL or a signature that does not match.
 */
export function hostedUrlTarget(
  publicUrl: string,
  secret: string,
  url: string,
  now: string,
): { id: string; expired: boolean } | null {
  if (!URL.canParse(url) || !url.startsWith(`${publicUrl}${FILES_PATH}/`)) return null;
  const u = new URL(url);
  const segments = u.pathname.split('/');
  const id = segments.at(-2) ?? '';
  const check = checkHostedFileUrl(
    secret,
    {
      id,
      nameSegment: segments.at(-1) ?? '',
      expires: Number(u.searchParams.get('expires')),
      signature: u.searchParams.get('signature') ?? '',
    },
    Math.floor(Date.parse(now) / 1000),
  );
  return check === 'invalid' ? null : { id, expired: check === 'expired' };
}
