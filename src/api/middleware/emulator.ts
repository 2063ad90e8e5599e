/**
 * The emulator's middleware on /v1 (Octavo as a test double, ops/emulator.ts):
 * - `journal` (first on /v1) keeps every request and its answer in the request journal: method,
 *   path, status, latency, integration, bodies up to the journal's limit, the token redacted;
 * - `faults` (after authentication, so rules can name an integration) lets the first rule that
 *   fires answer with an error in Notion's envelope, wait before answering normally, or drop
 *   the connection.
 */
import type { MiddlewareHandler } from 'hono';
import { type FaultStatus, faultResponse, fireRule } from '../../domain/faults.ts';
import type { Emulator } from '../../ops/emulator.ts';
import type { AppEnv } from '../types.ts';

/** The header an in-process fetch sees on a dropped connection (the test helper throws on it). */
export const DROPPED_HEADER = 'x-octavo-dropped';

/** `Bearer ntn_abcd…`: enough to tell tokens apart, never enough to use one. */
export function redactAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(Bearer\s+)(\S{0,8})\S*$/i.exec(header);
  return m ? `${m[1]}${m[2]}…` : '…';
}

export function journal(emulator: Emulator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const time = emulator.clock.now().toISOString();
    await next();
    if (emulator.journal.size === 0) return;
    const actor = c.get('actor');
    const body = c.get('body');
    const sent = c.get('sentJson');
    let response: string | readonly string[] | null;
    if (sent?.res === c.res) response = sent.json;
    else {
      const type = c.res.headers.get('content-type') ?? '';
      response = type.includes('json') ? await c.res.clone().text() : null;
    }
    const url = new URL(c.req.url);
    emulator.journal.add({
      time,
      method: c.req.method,
      path: url.pathname,
      query: url.search,
      status: c.res.status,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      integration: actor ? { id: actor.integrationId, name: actor.integrationName } : null,
      request_id: c.get('requestId') ?? null,
      authorization: redactAuthorization(c.req.header('authorization')),
      request_body: emulator.journal.cut(body === undefined ? null : JSON.stringify(body)),
      response_body: emulator.journal.cut(response),
      fault: c.res.headers.get('x-octavo-fault'),
    });
  };
}

export function faults(emulator: Emulator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (emulator.faults.rules.length === 0) return next();
    const actor = c.get('actor');
    const rule = fireRule(emulator.faults.rules, {
      method: c.req.method,
      path: c.req.path,
      integration: actor ? { id: actor.integrationId, name: actor.integrationName } : undefined,
    });
    if (!rule) return next();
    if (rule.latency_ms !== undefined) {
      await new Promise((done) => setTimeout(done, rule.latency_ms));
      await next();
      c.res.headers.set('x-octavo-fault', rule.id);
      return;
    }
    if (rule.drop) return drop(rule.id);
    const { body, headers } = faultResponse(rule.status as FaultStatus, rule.retry_after, c.get('requestId'));
    return c.json(body, rule.status as FaultStatus as 500, { ...headers, 'x-octavo-fault': rule.id });
  };
}

/**
 * A response marked to be dropped: the listener (api/node-server.ts) destroys the socket instead
 * of answering; the test helper's in-process fetch throws as fetch does on a lost connection.
 */
function drop(id: string): Response {
  return new Response(null, { status: 599, headers: { [DROPPED_HEADER]: '1', 'x-octavo-fault': id } });
}
