/**
 * HTTP/1.1 written by hand over a loopback socket, for what no HTTP client will do: announce a
 * body and not send it, stop in the middle of a header, hang up mid-body. Every wait is bounded.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: Socket;
  /** The first response, or null when the server closed without a complete one. */
  response: Promise<RawResponse | null>;
  /** Milliseconds from opening to the server closing the connection. */
  closed: Promise<number>;
  /** Whether a response (or the close) has come. */
  answered(): boolean;
}

/** Parses one response from `buf` when it is complete (Content-Length framed, as Octavo sends). */
function parseResponse(buf: Buffer): RawResponse | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (buf.length < end + 4 + length) return undefined;
  const body = buf.subarray(end + 4, end + 4 + length).toString('utf8');
  return { status: Number(statusLine!.split(' ')[1]), headers, body };
}

/** Opens a loopback connection to `port`, resolved once connected. */
export function openRaw(port: number): Promise<RawConnection> {
  const opened = performance.now();
  const socket = connect({ host: '127.0.0.1', port });
  let buf = Buffer.alloc(0);
  let done = false;
  let resolveResponse!: (r: RawResponse | null) => void;
  const response = new Promise<RawResponse | null>((r) => {
    resolveResponse = (res) => {
      done = true;
      r(res);
    };
  });
  socket.on('data', (d: Buffer) => {
    if (done) return;
    buf = Buffer.concat([buf, d]);
    const parsed = parseResponse(buf);
    if (parsed) resolveResponse(parsed);
  });
  // The server may reset a connection whose body it did not read; that is the point of some tests.
  socket.on('error', () => {});
  const closed = new Promise<number>((r) =>
    socket.once('close', () => {
      if (!done) resolveResponse(parseResponse(buf) ?? null);
      r(performance.now() - opened);
    }),
  );
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, response, closed, answered: () => done }));
    socket.once('error', reject);
  });
}

/** A request head (request line and headers, with the blank line). */
export function head(method: string, path: string, headers: Record<string, string>): string {
  const lines = Object.entries({ host: '127.0.0.1', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** Writes `data`, waiting for the socket to take it; false when the connection is gone. */
export function write(socket: Socket, data: string | Buffer): Promise<boolean> {
  if (socket.destroyed || !socket.writable) return Promise.resolve(false);
  return new Promise((resolve) => {
    socket.write(data, (err) => resolve(!err));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with `p`, or rejects after `ms` (so a test fails rather than hangs). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
