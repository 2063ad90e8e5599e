/**
 * The HTTP listener: @hono/node-server with Octavo's own timeouts and one connection rule. Node's
 * defaults (a minute for headers, five for a whole request) would let stalled clients hold
 * sockets for minutes; these are set deliberately and come from the configuration.
 */
import type { IncomingMessage, Server } from 'node:http';
import { type HttpBindings, serve } from '@hono/node-server';
import { DROPPED_HEADER } from './middleware/emulator.ts';

/** Timeouts of the listener, in milliseconds (see README, configuration). */
export interface HttpTimeouts {
  /** From connection (or the end of the previous request) to the last header byte. */
  headersTimeoutMs: number;
  /** From the same start to the last body byte: the whole request must arrive within it. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept after a response. */
  keepAliveTimeoutMs: number;
}

export interface ListenOptions extends HttpTimeouts {
  host: string;
  port: number;
}

/**
 * Node enforces the headers and request timeouts only when it sweeps its connections, every
 * `connectionsCheckingInterval` (30 s by default, which would make a 10 s timeout up to 40 s).
 * A quarter of the smaller timeout keeps the overshoot under 25 %; the sweep is a walk over the
 * open connections, cheap at this rate. (Keep-alive uses a socket timer and needs no sweep.)
 */
export function checkingIntervalMs(t: HttpTimeouts): number {
  return Math.max(50, Math.floor(Math.min(t.headersTimeoutMs, t.requestTimeoutMs) / 4));
}

/**
 * When the answer is ready before the request's body has fully arrived (a body refused by its
 * size, an unknown token), the connection is closed after the response rather than kept alive:
 * keeping it would make Node read and discard the rest of the body first, which may be
 * hundreds of megabytes.
 */
function closeIfUnread(res: Response, incoming: IncomingMessage | undefined): Response {
  if (!incoming || incoming.complete) return res;
  res.headers.set('connection', 'close');
  return res;
}

/**
 * A fault rule's dropped connection (api/middleware/emulator.ts): the socket is destroyed with no
 * answer at all, as a connection lost mid-request looks to a client.
 */
function dropIfAsked(res: Response, incoming: IncomingMessage | undefined): Response {
  if (incoming && res.headers.has(DROPPED_HEADER)) incoming.socket.destroy();
  return res;
}

/** Starts listening (resolve on `listening` yourself); `fetch` handles every request. */
export function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  options: ListenOptions,
): Server {
  return serve({
    fetch: async (req, env) => {
      const incoming = (env as HttpBindings).incoming;
      return closeIfUnread(dropIfAsked(await fetch(req), incoming), incoming);
    },
    hostname: options.host,
    port: options.port,
    serverOptions: {
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(options),
    },
  }) as Server;
}
