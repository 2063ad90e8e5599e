/**
 * external_url uploads: the URL is checked when the upload is created, and the file is fetched
 * after the create call has answered (status `pending`, then `uploaded` or `failed` with a
 * `file_import_result`). A server that fetches URLs for its clients must not become a way into
 * its own network: loopback, private, link-local and reserved addresses are refused — checked on
 * the address actually connected to, after DNS — unless the deployment allows them.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type FileSettings, tooLargeMessage } from '../domain/file-uploads.ts';
import { isPrivateAddress } from '../lib/net.ts';
import type { Store } from '../store/store.ts';
import { MAX_PART_BYTES } from '../wire/file-uploads.schema.ts';
import { bodyError } from '../wire/validation.ts';

const IMPORT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;

function isLocalName(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || (/^[\d.:a-f]+$/.test(h) && isPrivateAddress(h));
}

/** The create-time checks of an external URL: https (http too when private ones are allowed), no credentials, not a private address literal. */
export function checkImportUrl(raw: string, allowPrivate: boolean): URL {
  if (!URL.canParse(raw)) throw bodyError(['external_url'], 'should be a valid URL', raw);
  const url = new URL(raw);
  const schemes = allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) throw bodyError(['external_url'], 'should be an https URL', raw);
  if (url.username || url.password) {
    throw bodyError(['external_url'], 'should be a URL without credentials', raw);
  }
  if (!allowPrivate && isLocalName(url.hostname)) {
    throw bodyError(['external_url'], 'should be a publicly reachable URL', raw);
  }
  return url;
}

/** A failed import, in the shape of `file_import_result.error`. */
class ImportError extends Error {
  readonly type: 'validation_error' | 'download_error';
  readonly code: string;
  readonly statusCode: number | null;
  constructor(type: ImportError['type'], code: string, message: string, statusCode: number | null = null) {
    super(message);
    this.type = type;
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** DNS lookup that refuses private addresses, so the check holds for the address connected to. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad && !allowPrivate) {
        const refused = new ImportError(
          'validation_error',
          'private_address',
          `${hostname} resolves to ${bad.address}, a private or loopback address; this server does not fetch those.`,
        );
        return callback(refused as unknown as NodeJS.ErrnoException, '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/** Fetches `url` (following a few redirects), refusing bodies over `maxBytes` as they stream. */
async function download(url: URL, files: FileSettings, hops = 0): Promise<Buffer> {
  try {
    checkImportUrl(url.href, files.allowPrivateImports);
  } catch (err) {
    throw new ImportError('validation_error', 'invalid_url', (err as Error).message);
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location && hops < MAX_REDIRECTS) {
        res.resume();
        if (!URL.canParse(location, url.href)) {
          reject(
            new ImportError(
              'validation_error',
              'invalid_url',
              `The URL redirected to ${JSON.stringify(location)}, which is not a valid URL.`,
            ),
          );
          return;
        }
        resolve(download(new URL(location, url), files, hops + 1));
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new ImportError('download_error', 'bad_status', `The URL answered HTTP ${status}.`, status));
        return;
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      const chunks: Buffer[] = [];
      let size = 0;
      const tooLarge = (known: number | null) =>
        new ImportError(
          'validation_error',
          'file_too_large',
          tooLargeMessage(known, files.maxBytes, 'workspace'),
        );
      if (declared > files.maxBytes) {
        res.destroy();
        reject(tooLarge(declared));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > files.maxBytes) {
          res.destroy();
          reject(tooLarge(null));
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    };
    const req = client.get(
      url,
      { lookup: guardedLookup(files.allowPrivateImports), timeout: IMPORT_TIMEOUT_MS },
      (res) => {
        // Anything thrown in here would escape the promise (this runs in an event handler) and
        // take the process down: it rejects the import instead.
        try {
          onResponse(res);
        } catch (err) {
          res.destroy();
          reject(err);
        }
      },
    );
    req.on('timeout', () =>
      req.destroy(new ImportError('download_error', 'timeout', 'The download timed out.')),
    );
    req.on('error', reject);
  });
}

function importResult(err: unknown, at: string) {
  const e =
    err instanceof ImportError
      ? err
      : new ImportError(
          'download_error',
          'download_failed',
          `The file could not be downloaded: ${(err as Error).message}`,
        );
  return {
    type: 'error',
    error: {
      type: e.type,
      code: e.code,
      message: e.message,
      parameter: 'external_url',
      status_code: e.statusCode,
    },
    imported_time: at,
  };
}

/**
 * Runs the import of an external_url upload and records its outcome. Never throws: a failure is
 * the upload's `failed` status; a store that closed meanwhile (shutdown) is logged.
 */
export async function importExternalFile(
  store: Store,
  id: string,
  files: FileSettings,
  now: () => string,
): Promise<void> {
  try {
    const row = await store.transaction((tx) => tx.fileUploads.get(id));
    if (!row?.external_url || row.status !== 'pending') return;
    let bytes: Buffer | null = null;
    let failure: unknown = null;
    try {
      bytes = await download(new URL(row.external_url), files);
      if (bytes.length === 0)
        throw new ImportError('download_error', 'empty_file', 'The URL answered an empty body.');
    } catch (err) {
      failure = err;
    }
    await store.transaction(async (tx) => {
      const at = now();
      if (bytes && !failure) {
        for (let i = 0; i * MAX_PART_BYTES < bytes.length; i++) {
          await tx.fileUploads.putPart(
            id,
            i + 1,
            bytes.subarray(i * MAX_PART_BYTES, (i + 1) * MAX_PART_BYTES),
          );
        }
        const result = { type: 'success', success: {}, imported_time: at };
        await tx.fileUploads.update(id, {
          status: 'uploaded',
          content_length: bytes.length,
          import_result: JSON.stringify(result),
          last_edited_time: at,
        });
      } else {
        await tx.fileUploads.update(id, {
          status: 'failed',
          import_result: JSON.stringify(importResult(failure, at)),
          last_edited_time: at,
        });
      }
    });
  } catch (err) {
    console.error(`[octavo] import of file upload ${id} could not be recorded:`, err);
  }
}

/** Imports running at once in this process; the rest wait their turn (each holds its bytes). */
export const MAX_CONCURRENT_IMPORTS = 2;
let running = 0;
const waiting: (() => void)[] = [];
const active = new Set<Promise<void>>();

/**
 * Starts `importExternalFile` once fewer than MAX_CONCURRENT_IMPORTS run, so many imports at
 * once cannot hold more than a few files in memory. Never rejects.
 */
export function queueImport(store: Store, id: string, files: FileSettings, now: () => string): Promise<void> {
  const job = (async () => {
    while (running >= MAX_CONCURRENT_IMPORTS) await new Promise<void>((turn) => waiting.push(turn));
    running++;
    try {
      await importExternalFile(store, id, files, now);
    } finally {
      running--;
      waiting.shift()?.();
    }
  })();
  active.add(job);
  void job.finally(() => active.delete(job));
  return job;
}

/** Resolves when every queued import has ended, or after `timeoutMs` (shutdown). */
export async function importsSettled(timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...active]),
    new Promise<void>((done) => {
      timer = setTimeout(done, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}
