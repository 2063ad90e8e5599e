/**
 * The HTTP listener: @hono/node-server with Octavo's own timeouts and one connection rule. Node's
 * defaults (a minute for headers, five for a whole request) would let stalled clients hold
 * sockets for minutes; these are set deliberately and come from the configuration.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
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

/**
 * Starts listening (resolve on `listening` yourself); `fetch` handles every request. While
 * `draining()` says so, each response carries `connection: close`: a keep-alive client finishes
 * its current exchange and opens its next request elsewhere, instead of sending it on a socket
 * the server is about to close (which it would see as a reset).
 */
export function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  options: ListenOptions,
  draining: () => boolean = () => false,
): Server {
  return serve({
    fetch: async (req, env) => {
      const incoming = (env as HttpBindings).incoming;
      const res = closeIfUnread(dropIfAsked(await fetch(req), incoming), incoming);
      if (draining()) res.headers.set('connection', 'close');
      return res;
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

/** What a connection is doing, for shutdown. */
interface ConnectionState {
  /** Requests answered on it so far. */
  served: number;
  /** A request is being handled now. */
  busy: boolean;
  /** When it was accepted (performance.now()). */
  opened: number;
}

/** The open connections of a server and what each is doing. */
export type Connections = Map<Socket, ConnectionState>;

/**
 * Follows every connection of `server` (requests served, busy or not), so `drain` can tell a
 * connection that is idle between requests from one just opened whose first request is on its way.
 */
export function trackConnections(server: Server): Connections {
  const connections: Connections = new Map();
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { served: 0, busy: false, opened: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = connections.get(req.socket);
    if (!state) return;
    state.busy = true;
    res.once('close', () => {
      state.busy = false;
      state.served++;
    });
  });
  return connections;
}

/** How long a connection accepted before shutdown may take to send its first request. */
const FIRST_REQUEST_GRACE_MS = 1000;

/**
 * Stops `server` without resetting clients. Node's `server.close()` also closes every connection
 * not inside a request at that moment, which includes connections a client has just opened and
 * is about to send its request on: that client sees a reset. Here, instead, the listener stops
 * accepting (new clients are refused, which they can retry elsewhere); a connection idle after
 * a response is closed (it carries no request; the client's keep-alive pool drops it); a busy
 * one closes after its response (the caller makes responses say `connection: close`); a new one
 * is left up to FIRST_REQUEST_GRACE_MS to bring its request, which is answered and then closed.
 * Resolves when every connection is gone, destroying what remains after `timeoutMs`.
 */
export function drain(server: Server, connections: Connections, timeoutMs: number): Promise<void> {
  const started = performance.now();
  return new Promise((resolve) => {
    const sweep = () => {
      const now = performance.now();
      for (const [socket, state] of connections) {
        if (state.busy) continue;
        // end(), not destroy(): a response just written may still be in the socket's buffer.
        if (state.served > 0 || now - Math.max(state.opened, started) > FIRST_REQUEST_GRACE_MS) socket.end();
      }
    };
    const timer = setInterval(sweep, 25);
    const deadline = setTimeout(() => {
      for (const socket of connections.keys()) socket.destroy();
    }, timeoutMs);
    // net.Server's close: stop accepting, and call back once the last connection has closed.
    NetServer.prototype.close.call(server, () => {
      clearInterval(timer);
      clearTimeout(deadline);
      // http.Server's own close, now that nothing is connected, stops its timeout sweep too.
      server.close();
      resolve();
    });
    sweep();
  });
}
