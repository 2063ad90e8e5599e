/**
 * Hosted files, served outside /v1 with no bearer token: the URL's expiring HMAC signature
 * (made by presenters, domain/file-uploads.ts) is the authority; it covers the upload id, the
 * name segment as issued and the expiry. A signature that does not match (or a changed name) is
 * 403 `restricted_resource`, an expired one is 403 too (read the object again for a fresh URL),
 * and a genuine URL whose upload is gone is 404 `object_not_found`.
 */
import { Hono } from 'hono';
import { checkHostedFileUrl } from '../../domain/file-uploads.ts';
import { normalizeId } from '../../lib/ids.ts';
import { hostedFilePart, hostedFileParts } from '../../ops/file-uploads.ts';
import { errors } from '../../wire/errors.ts';
import type { AppDeps, AppEnv } from '../types.ts';

/** `inline; filename="…"; filename*=UTF-8''…`: an ASCII fallback and the exact UTF-8 name. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function filesRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();

  r.get('/:file_upload_id/:name', async (c) => {
    const raw = c.req.param('file_upload_id');
    const id = normalizeId(raw) ?? raw;
    const expires = Number(c.req.query('expires'));
    const nowSeconds = Math.floor((deps.clock?.() ?? new Date()).getTime() / 1000);
    // The name as sent, still percent-encoded: the signature covers it exactly as issued.
    const nameSegment = new URL(c.req.url).pathname.split('/').at(-1) ?? '';
    const signature = c.req.query('signature') ?? '';
    const check = checkHostedFileUrl(
      deps.files.urlSecret,
      { id, nameSegment, expires, signature },
      nowSeconds,
    );
    if (check === 'invalid') throw errors.restricted('The file URL signature is not valid.');
    if (check === 'expired') {
      throw errors.restricted('The file URL has expired; read the object again for a fresh URL.');
    }
    const { row, parts } = await deps.store.transaction((tx) => hostedFileParts(tx, id));
    let next = 0;
    const body = new ReadableStream<Uint8Array>({
      // One part (at most 20 MiB) in memory at a time.
      pull: async (controller) => {
        const part = parts[next++];
        if (!part) return controller.close();
        // Headers are sent by now: a part gone meanwhile can only cut the body short.
        const bytes = await deps.store.transaction((tx) => hostedFilePart(tx, id, part.part_number));
        controller.enqueue(new Uint8Array(bytes));
      },
    });
    return new Response(body, {
      headers: {
        'content-type': row.content_type ?? 'application/octet-stream',
        'content-length': String(parts.reduce((sum, p) => sum + p.size, 0)),
        'content-disposition': contentDisposition(row.filename ?? 'file'),
        'cache-control': `private, max-age=${Math.max(0, expires - nowSeconds)}`,
        // Uploaded SVG or HTML must not run scripts in this server's origin.
        'content-security-policy': 'sandbox',
        'x-content-type-options': 'nosniff',
      },
    });
  });

  return r;
}
