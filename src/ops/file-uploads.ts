/**
 * File uploads (notion-api.md §4.9): create, send bytes (one part or many), complete, read, list,
 * and attaching an uploaded file wherever a request names it. An integration sees only its own
 * uploads; anyone else's id is the same 404 as a missing one.
 */

import { baseMimeType, resolveFileType } from '../domain/file-types.ts';
import {
  cleanFilename,
  effectiveStatus,
  type FileSettings,
  type HostedFileRef,
  hostedUrlTarget,
  tooLargeMessage,
} from '../domain/file-uploads.ts';
import { newId } from '../lib/ids.ts';
import type { FileUploadRow, Page, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import {
  type CreateFileUploadBody,
  checkCreateFileUpload,
  type FileUploadStatus,
  MAX_PART_BYTES,
  MIN_PART_BYTES,
  UPLOAD_TTL_MS,
} from '../wire/file-uploads.schema.ts';
import { bodyError, type PathSegment } from '../wire/validation.ts';
import type { OpEnv } from './env.ts';
import { checkImportUrl } from './file-imports.ts';

/** An upload with the number of parts received so far (multi-part uploads). */
export interface FileUploadView {
  row: FileUploadRow;
  sent: number | null;
}

/** One `file` field of a send request, with its `part_number` field. */
export interface SentPart {
  bytes: Uint8Array;
  /** The part's own filename and Content-Type, as the multipart body gave them. */
  filename: string | null;
  contentType: string | null;
  partNumber: string | undefined;
}

function settings(env: OpEnv): FileSettings {
  if (!env.files) throw errors.internal();
  return env.files;
}

async function view(tx: StoreTx, row: FileUploadRow): Promise<FileUploadView> {
  return { row, sent: row.mode === 'multi_part' ? (await tx.fileUploads.parts(row.id)).length : null };
}

/**
 * Whether the acting integration (or person) made this upload. An integration's uploads carry
 * its id; a person's (the browser app) carry no integration and the person's user id as
 * `created_by`. A deleted integration's uploads also have no integration, but their `created_by`
 * is its bot user, never a person, so nobody owns them.
 */
function ownUpload(row: FileUploadRow, env: OpEnv): boolean {
  return env.actor.person
    ? row.integration_id === null && row.created_by === env.actor.botUserId
    : row.integration_id === env.actor.integrationId;
}

/** This integration's (or person's) upload, or 404. */
async function loadOwn(tx: StoreTx, env: OpEnv, id: string): Promise<FileUploadRow> {
  const row = await tx.fileUploads.get(id);
  if (!row || !ownUpload(row, env)) throw errors.notFound('file_upload', id);
  return row;
}

function tooLarge(size: number, limit: number): never {
  throw errors.validation(tooLargeMessage(size, limit, 'workspace'));
}

export async function createFileUpload(
  tx: StoreTx,
  env: OpEnv,
  body: CreateFileUploadBody,
): Promise<FileUploadView> {
  checkCreateFileUpload(body);
  const mode = body.mode ?? 'single_part';
  let filename = body.filename === undefined ? null : cleanFilename(body.filename, ['filename']);
  if (body.filename !== undefined && filename === null) {
    throw bodyError(['filename'], 'should be a name with printable characters', body.filename);
  }
  if (mode === 'external_url') {
    const url = checkImportUrl(body.external_url!, settings(env).allowPrivateImports);
    filename ??= cleanFilename(url.pathname.split('/').pop() ?? '', ['filename'], true);
    if (filename === null) throw bodyError(['filename'], 'should be defined', undefined);
  }
  const type = resolveFileType(filename, body.content_type ?? null);
  const expiry = new Date(Date.parse(env.now) + UPLOAD_TTL_MS).toISOString();
  const row: FileUploadRow = {
    id: newId(),
    // A person's upload (the browser app) belongs to no integration: created_by names them.
    integration_id: env.actor.person ? null : env.actor.integrationId,
    created_by: env.actor.botUserId,
    mode,
    status: 'pending',
    filename: type.filename,
    content_type: type.contentType,
    content_length: null,
    number_of_parts: mode === 'multi_part' ? body.number_of_parts! : null,
    external_url: mode === 'external_url' ? body.external_url! : null,
    import_result: null,
    created_time: env.now,
    last_edited_time: env.now,
    expiry_time: expiry,
  };
  await tx.fileUploads.insert(row);
  return view(tx, row);
}

export async function getFileUpload(tx: StoreTx, env: OpEnv, id: string): Promise<FileUploadView> {
  return view(tx, await loadOwn(tx, env, id));
}

export async function listFileUploads(
  tx: StoreTx,
  env: OpEnv,
  status: FileUploadStatus | undefined,
  from: string | null,
  limit: number,
): Promise<Page<FileUploadView>> {
  const page = await tx.fileUploads.list(
    {
      integrationId: env.actor.integrationId,
      person: env.actor.person ? env.actor.botUserId : undefined,
      status,
      now: env.now,
    },
    from,
    limit,
  );
  const items: FileUploadView[] = [];
  for (const row of page.items) items.push(await view(tx, row));
  return { items, next: page.next };
}

/** Refuses writes to an upload that is not pending, or that takes no bytes. */
function checkWritable(row: FileUploadRow, env: OpEnv, verb: string): void {
  if (row.mode === 'external_url') {
    throw errors.validation(`File upload ${row.id} imports from an external URL; it cannot be ${verb}.`);
  }
  const status = effectiveStatus(row, env.now);
  if (status !== 'pending') {
    throw errors.validation(
      `File upload ${row.id} is in status \`${status}\`; only a \`pending\` upload can be ${verb}.`,
    );
  }
}

/** The part number a send names: none in single-part mode, 1..number_of_parts in multi-part. */
function partNumberOf(row: FileUploadRow, raw: string | undefined): number {
  if (row.mode !== 'multi_part') {
    if (raw !== undefined) throw bodyError(['part_number'], 'should be not present', raw);
    return 1;
  }
  if (raw === undefined) throw bodyError(['part_number'], 'should be defined', raw);
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
    throw bodyError(['part_number'], 'should be an integer string', raw);
  }
  if (n < 1) throw bodyError(['part_number'], 'should be ≥ `1`', raw);
  const total = row.number_of_parts!;
  if (n > total) throw bodyError(['part_number'], `should be ≤ \`${total}\` (number_of_parts)`, raw);
  return n;
}

/** Checks one part's size against Notion's part limits and the workspace's file limit. */
async function checkPartSize(tx: StoreTx, env: OpEnv, row: FileUploadRow, n: number, size: number) {
  if (size === 0) throw bodyError(['file'], 'should be a non-empty file', 0, '.size');
  if (size > MAX_PART_BYTES)
    throw bodyError(['file'], `should be ≤ \`${MAX_PART_BYTES}\` bytes`, size, '.size');
  const limit = settings(env).maxBytes;
  if (row.mode !== 'multi_part') {
    if (size > limit) tooLarge(size, limit);
    return;
  }
  if (n < row.number_of_parts! && size < MIN_PART_BYTES) {
    throw bodyError(
      ['file'],
      `should be ≥ \`${MIN_PART_BYTES}\` bytes (every part but the last)`,
      size,
      '.size',
    );
  }
  const others = (await tx.fileUploads.parts(row.id))
    .filter((p) => p.part_number !== n)
    .reduce((sum, p) => sum + p.size, 0);
  if (others + size > limit) tooLarge(others + size, limit);
}

/** The upload's name and type once the first bytes arrive: the create call's, else the part's. */
function typeAfterSend(row: FileUploadRow, part: SentPart) {
  const partType =
    part.contentType && baseMimeType(part.contentType) !== 'application/octet-stream'
      ? baseMimeType(part.contentType)
      : null;
  if (row.content_type !== null && partType !== null && partType !== row.content_type) {
    throw errors.validation(
      `The content type ${partType} of the file sent does not match the upload's content type ${row.content_type}.`,
    );
  }
  if (row.filename !== null) return { filename: row.filename, contentType: row.content_type };
  const name = part.filename === null ? null : cleanFilename(part.filename, ['file', 'filename']);
  return resolveFileType(name, row.content_type ?? partType);
}

export async function sendFileUpload(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  part: SentPart,
): Promise<FileUploadView> {
  await tx.fileUploads.lock(id);
  const row = await loadOwn(tx, env, id);
  checkWritable(row, env, 'sent data');
  const n = partNumberOf(row, part.partNumber);
  await checkPartSize(tx, env, row, n, part.bytes.byteLength);
  const type = typeAfterSend(row, part);
  await tx.fileUploads.putPart(id, n, part.bytes);
  const patch: Partial<FileUploadRow> = {
    filename: type.filename,
    content_type: type.contentType,
    last_edited_time: env.now,
  };
  if (row.mode === 'single_part')
    Object.assign(patch, { status: 'uploaded', content_length: part.bytes.byteLength });
  await tx.fileUploads.update(id, patch);
  return view(tx, { ...row, ...patch });
}

export async function completeFileUpload(tx: StoreTx, env: OpEnv, id: string): Promise<FileUploadView> {
  await tx.fileUploads.lock(id);
  const row = await loadOwn(tx, env, id);
  if (row.mode !== 'multi_part') {
    throw errors.validation(`File upload ${id} is not a multi_part upload; only those are completed.`);
  }
  checkWritable(row, env, 'completed');
  const parts = await tx.fileUploads.parts(id);
  const have = new Set(parts.map((p) => p.part_number));
  const total = row.number_of_parts!;
  const missing: number[] = [];
  for (let n = 1; n <= total && missing.length < 10; n++) if (!have.has(n)) missing.push(n);
  if (missing.length > 0) {
    throw errors.validation(
      `File upload ${id} has received ${have.size} of ${total} parts; missing part_number ${missing.join(', ')}${missing.length === 10 ? ', …' : ''}.`,
    );
  }
  const patch = {
    status: 'uploaded' as const,
    content_length: parts.reduce((sum, p) => sum + p.size, 0),
    last_edited_time: env.now,
  };
  await tx.fileUploads.update(id, patch);
  return view(tx, { ...row, ...patch });
}

/**
 * Attaches an upload named at `path` in a request (its id under `key`): it must be this
 * integration's and uploaded. Attaching ends its expiry (`expiry_time` becomes null). Returns its
 * stored reference.
 */
export async function attachUpload(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  path: PathSegment[],
  key = 'id',
): Promise<HostedFileRef> {
  const row = await tx.fileUploads.get(id);
  if (!row || !ownUpload(row, env)) {
    throw bodyError([...path, key], 'should be the id of a file upload created by this integration', id);
  }
  const status = effectiveStatus(row, env.now);
  if (status !== 'uploaded') {
    throw bodyError(
      [...path, key],
      `should be a file upload with status \`uploaded\` (this one is \`${status}\`)`,
      id,
    );
  }
  if (row.expiry_time !== null) {
    await tx.fileUploads.update(id, { expiry_time: null, last_edited_time: env.now });
  }
  return { file_upload_id: row.id, filename: row.filename ?? 'file' };
}

/**
 * The stored reference of a hosted-file URL written back in a request (a files value read earlier,
 * how clients copy files): the URL must be signed by this server and not yet expired at the
 * request's time, and name an attached upload of the acting integration. Otherwise a 400.
 */
export async function hostedUpload(
  tx: StoreTx,
  env: OpEnv,
  url: string,
  path: PathSegment[],
): Promise<HostedFileRef> {
  const target = hostedUrlTarget(env.publicUrl, settings(env).urlSecret, url, env.now);
  const row = target ? await tx.fileUploads.get(target.id) : undefined;
  if (!target || row?.status !== 'uploaded' || row.expiry_time !== null) {
    throw bodyError(path, 'should be a file URL signed by this server', url);
  }
  if (target.expired) {
    throw bodyError(path, 'should be a file URL that has not expired (read the object again)', url);
  }
  // A person sees every page, hence every attached file: they may copy any of them (a files
  // value read and written back with one more file); an integration only its own.
  if (!env.actor.person && !ownUpload(row, env)) {
    throw bodyError(path, 'should be the URL of a file uploaded by this integration', url);
  }
  return { file_upload_id: row.id, filename: row.filename ?? 'file' };
}

/** An uploaded file's row and part sizes, for serving its bytes (the URL's signature was checked). */
export async function hostedFileParts(
  tx: StoreTx,
  id: string,
): Promise<{ row: FileUploadRow; parts: { part_number: number; size: number }[] }> {
  const row = await tx.fileUploads.get(id);
  if (row?.status !== 'uploaded') throw errors.notFound('file_upload', id);
  const parts = await tx.fileUploads.parts(id);
  // Bytes freed (purged) are gone: never an empty 200.
  if (parts.length === 0) throw errors.notFound('file_upload', id);
  return { row, parts };
}

/** One part's bytes of a hosted file being served; a part gone meanwhile (purged) is a 404. */
export async function hostedFilePart(tx: StoreTx, id: string, partNumber: number): Promise<Uint8Array> {
  const bytes = await tx.fileUploads.readPart(id, partNumber);
  if (!bytes) throw errors.notFound('file_upload', id);
  return bytes;
}

/**
 * How long past its expiry an unattached upload keeps its bytes: a request that began just before
 * the expiry and attaches the upload must not have them deleted under it.
 */
export const PURGE_GRACE_MS = 60 * 60 * 1000;

/**
 * Frees the bytes of uploads that expired without being attached more than PURGE_GRACE_MS ago
 * (they can never be attached or served again); their rows stay, so they still list as
 * `expired`. Answers the parts deleted.
 */
export function purgeExpiredUploads(tx: StoreTx, now: string): Promise<number> {
  return tx.fileUploads.deleteExpiredParts(new Date(Date.parse(now) - PURGE_GRACE_MS).toISOString());
}
