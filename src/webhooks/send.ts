/**
 * Sending one webhook request: the signature, the outbound address policy, and what came back.
 * Never throws: every outcome, refusals and timeouts included, is a SendResult to record.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPrivateAddress } from '../lib/net.ts';

/** The header Notion signs deliveries with. */
export const SIGNATURE_HEADER = 'X-Notion-Signature';

/**
 * `sha256=<hex>`: HMAC-SHA256 of the exact body bytes, keyed by the subscription's verification
 * token, as Notion signs (and as the SDK's `verifyWebhookSignature` checks).
 */
export function signBody(body: string | Uint8Array, verificationToken: string): string {
  return `sha256=${createHmac('sha256', verificationToken).update(body).digest('hex')}`;
}

/** How requests leave this server. */
export interface SendPolicy {
  /** Loopback and private addresses may be reached (OCTAVO_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  timeoutMs: number;
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  /** The first bytes of the response body (text). */
  excerpt: string | null;
  latencyMs: number;
  error: string | null;
}

/** How much of a response body is kept in the delivery log. */
export const EXCERPT_BYTES = 2048;

class RefusedAddress extends Error {}

/** The refusal of a URL by shape or by its literal address, before any connection; or null. */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string | null {
  if (!URL.canParse(raw)) return 'is not a valid URL';
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const local =
    host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host));
  if (local && !allowPrivate) {
    return 'points at a loopback or private address, which this server does not send to (OCTAVO_WEBHOOK_ALLOW_PRIVATE)';
  }
  return null;
}

/** POSTs `body` to `url` with `headers` (or another `method`: automations); resolves with what happened. */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  policy: SendPolicy,
  method = 'POST',
): Promise<SendResult> {
  const started = performance.now();
  const done = (r: Omit<SendResult, 'latencyMs'>): SendResult => ({
    ...r,
    latencyMs: Math.round(performance.now() - started),
  });
  const refused = checkWebhookUrl(url, policy.allowPrivate);
  if (refused)
    return Promise.resolve(done({ ok: false, status: null, excerpt: null, error: `URL ${refused}` }));
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      target,
      {
        method,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Octavo-Webhooks/1',
          ...headers,
        },
        timeout: policy.timeoutMs,
        lookup: guardedLookup(
          policy.allowPrivate,
          (host, address) =>
            new RefusedAddress(
              `${host} resolves to ${address}, a loopback or private address, which this server does not send to (OCTAVO_WEBHOOK_ALLOW_PRIVATE)`,
            ),
        ),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
          const ok = status >= 200 && status < 300;
          resolve(done({ ok, status, excerpt, error: ok ? null : `the receiver answered HTTP ${status}` }));
        });
        res.on('error', (err) =>
          resolve(done({ ok: false, status: res.statusCode ?? null, excerpt: null, error: err.message })),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${policy.timeoutMs} ms`)));
    req.on('error', (err) => resolve(done({ ok: false, status: null, excerpt: null, error: err.message })));
    req.end(body);
  });
}
