/**
 * The server's own timeouts over real loopback sockets: hundreds of stalled connections (a body
 * announced and never sent, half a header, nothing at all) are closed by the server within the
 * configured timeouts, and a normal request is answered promptly meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkingIntervalMs } from '../../src/api/node-server.ts';
import { ConfigError, DEFAULT_TIMEOUTS, loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { head, openRaw, type RawConnection, within, write } from './raw-http.ts';

const TIMEOUTS = { headers: 500, request: 1000, keepAlive: 1000 };
/** Node sweeps for expired requests at this interval; our own timers fire late by up to that. */
const SWEEP = checkingIntervalMs({
  headersTimeoutMs: TIMEOUTS.headers,
  requestTimeoutMs: TIMEOUTS.request,
  keepAliveTimeoutMs: TIMEOUTS.keepAlive,
});
/** Event-loop and scheduling slack on a shared 2-core machine. */
const SLACK = 600;

let server: RunningServer;
let auth: Record<string, string>;
beforeAll(async () => {
  const env = {
    OCTAVO_HEADERS_TIMEOUT_MS: String(TIMEOUTS.headers),
    OCTAVO_REQUEST_TIMEOUT_MS: String(TIMEOUTS.request),
    OCTAVO_KEEPALIVE_TIMEOUT_MS: String(TIMEOUTS.keepAlive),
  };
  server = await startServer(loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off' }, env));
  auth = { authorization: `Bearer ${server.boot.created!.token}`, 'notion-version': '2025-09-03' };
});
afterAll(() => server.close());

const stats = (ms: number[]) => `min ${Math.min(...ms).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`;

describe('stalled connections', () => {
  it('are closed by the server within the timeouts while a normal request is answered at once', async () => {
    const errorLog = vi.spyOn(console, 'error');
    const kinds = {
      noBody: [] as RawConnection[],
      halfHeader: [] as RawConnection[],
      silent: [] as RawConnection[],
    };
    try {
      for (let i = 0; i < 300; i++) {
        const conn = await openRaw(server.port);
        if (i % 3 === 0) {
          await write(conn.socket, head('POST', '/v1/pages', { ...auth, 'content-length': '100' }));
          kinds.noBody.push(conn);
        } else if (i % 3 === 1) {
          await write(conn.socket, 'POST /v1/pages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-le');
          kinds.halfHeader.push(conn);
        } else kinds.silent.push(conn);
      }
      const started = performance.now();
      const res = await fetch(`${server.url}/v1/users/me`, { headers: auth });
      const took = performance.now() - started;
      expect(res.status).toBe(200);
      expect(took).toBeLessThan(1000);

      const all = [...kinds.noBody, ...kinds.halfHeader, ...kinds.silent];
      await within(Promise.all(all.map((c) => c.closed)), 5000, 'the server closing every stalled socket');
      const closedAt = async (list: RawConnection[]) => Promise.all(list.map((c) => c.closed));
      const noBody = await closedAt(kinds.noBody);
      const halfHeader = await closedAt(kinds.halfHeader);
      const silent = await closedAt(kinds.silent);
      console.log(
        `normal request answered in ${took.toFixed(0)} ms; closed: body never sent ${stats(noBody)}, ` +
          `half a header ${stats(halfHeader)}, nothing sent ${stats(silent)} (sweep every ${SWEEP} ms)`,
      );
      // Headers are allowed their timeout; a request whose headers came gets the request timeout.
      expect(Math.max(...halfHeader, ...silent)).toBeLessThan(TIMEOUTS.headers + SWEEP + SLACK);
      expect(Math.min(...noBody)).toBeGreaterThanOrEqual(TIMEOUTS.request - 50);
      expect(Math.max(...noBody)).toBeLessThan(TIMEOUTS.request + SWEEP + SLACK);
      // Node answers a timed-out request 408 before closing; the body reader's failure is the
      // client's, so nothing is logged as a server error.
      expect((await kinds.halfHeader[0]!.response)?.status).toBe(408);
      expect((await kinds.noBody[0]!.response)?.status).toBe(408);
      expect(errorLog).not.toHaveBeenCalled();
    } finally {
      errorLog.mockRestore();
    }
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const conn = await openRaw(server.port);
    await write(conn.socket, head('GET', '/v1/users/me', auth));
    const res = await within(conn.response, 2000, 'response');
    const answered = performance.now();
    expect(res?.status).toBe(200);
    // Node advertises whole seconds (rounded down: 500 ms would read `timeout=0`).
    expect(res?.headers['keep-alive']).toBe(`timeout=${TIMEOUTS.keepAlive / 1000}`);
    await within(conn.closed, 5000, 'the server closing the idle connection');
    const idle = performance.now() - answered;
    console.log(`idle keep-alive connection closed after ${idle.toFixed(0)} ms`);
    // Node keeps a socket 1 s past the advertised timeout (keepAliveTimeoutBuffer), so that a
    // client trusting `Keep-Alive: timeout=` never sends on a connection being closed.
    expect(idle).toBeGreaterThanOrEqual(TIMEOUTS.keepAlive - 50);
    expect(idle).toBeLessThan(TIMEOUTS.keepAlive + 1000 + SLACK);
  });
});

describe('timeout settings', () => {
  it('default to 10 s for headers, 60 s for a request, 5 s of keep-alive, swept every 2.5 s', () => {
    const config = loadConfig({}, {});
    expect([config.headersTimeoutMs, config.requestTimeoutMs, config.keepAliveTimeoutMs]).toEqual([
      10_000, 60_000, 5_000,
    ]);
    expect(checkingIntervalMs(DEFAULT_TIMEOUTS)).toBe(2500);
  });

  it('are a one-line ConfigError when not a number of milliseconds or when headers outlast the request', () => {
    expect(() => loadConfig({}, { OCTAVO_REQUEST_TIMEOUT_MS: '1m' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { OCTAVO_KEEPALIVE_TIMEOUT_MS: '0' })).toThrow(
      /^OCTAVO_KEEPALIVE_TIMEOUT_MS must be a number of milliseconds from 1 to 86400000, not 0$/,
    );
    expect(() => loadConfig({}, { OCTAVO_HEADERS_TIMEOUT_MS: '70000' })).toThrow(
      /^OCTAVO_HEADERS_TIMEOUT_MS \(70000\) must not be over OCTAVO_REQUEST_TIMEOUT_MS \(60000\)$/,
    );
  });
});
