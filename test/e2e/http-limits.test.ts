/**
 * The HTTP boundary over real sockets (the composition root's server on a loopback port, SQLite
 * in memory): bodies over 500 KB are refused without being read, and a client that hangs up in
 * the middle of its body is not a server error.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { head, openRaw, sleep, within, write } from './raw-http.ts';

const MB = 1024 * 1024;
const LIMIT = 512_000;

let server: RunningServer;
let auth: Record<string, string>;
beforeAll(async () => {
  server = await startServer(loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off' }, {}));
  auth = {
    authorization: `Bearer ${server.boot.created!.token}`,
    'notion-version': '2025-09-03',
    'content-type': 'application/json',
  };
});
afterAll(() => server.close());

const tooLarge = (n: number | string) =>
  `body failed validation: body.length should be ≤ \`${LIMIT}\` bytes, instead was \`${n}\`.`;

describe('POST /v1/pages with a body over 500 KB', () => {
  it('refuses a body announced as 100 MB at once, reads none of it and closes the connection', async () => {
    const conn = await openRaw(server.port);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const started = performance.now();
    await write(conn.socket, head('POST', '/v1/pages', { ...auth, 'content-length': String(100 * MB) }));
    // Then send the announced body as fast as the socket takes it, until the server answers.
    const chunk = Buffer.alloc(MB, 0x20);
    let sent = 0;
    while (!conn.answered() && sent < 100 * MB && (await write(conn.socket, chunk))) sent += MB;
    const res = await within(conn.response, 5000, 'response');
    const elapsed = performance.now() - started;
    await within(conn.closed, 2000, 'server closing the connection');
    clearInterval(sampler);
    const grew = (peak - before) / MB;
    console.log(
      `announced 100 MB: answered in ${elapsed.toFixed(0)} ms after ${sent / MB} MB sent; RSS grew ${grew.toFixed(1)} MB`,
    );
    expect(res?.status).toBe(400);
    expect(res?.headers.connection).toBe('close');
    expect(JSON.parse(res!.body)).toMatchObject({ code: 'validation_error', message: tooLarge(100 * MB) });
    expect(grew).toBeLessThan(50);
    expect(sent).toBeLessThan(50 * MB);
  });

  it('refuses an announced body that never comes, without waiting for it', async () => {
    const conn = await openRaw(server.port);
    await write(
      conn.socket,
      head('PATCH', `/v1/pages/${server.boot.created!.pageId}`, { ...auth, 'content-length': '600000000' }),
    );
    const res = await within(conn.response, 1000, 'response');
    expect(res?.status).toBe(400);
    expect(JSON.parse(res!.body).message).toBe(tooLarge(600_000_000));
    await within(conn.closed, 1000, 'server closing the connection');
  });

  it('stops reading a chunked body as soon as it passes 500 KB', async () => {
    const conn = await openRaw(server.port);
    await write(conn.socket, head('POST', '/v1/pages', { ...auth, 'transfer-encoding': 'chunked' }));
    const piece = Buffer.alloc(16 * 1024, 0x20);
    const frame = Buffer.concat([
      Buffer.from(`${piece.length.toString(16)}\r\n`),
      piece,
      Buffer.from('\r\n'),
    ]);
    let sent = 0;
    // A steady sender, bounded at 4 MB; ending the body there lets an unfixed server answer too.
    while (!conn.answered() && sent < 4 * MB && (await write(conn.socket, frame))) {
      sent += piece.length;
      await sleep(1);
    }
    if (!conn.answered()) await write(conn.socket, '0\r\n\r\n');
    const res = await within(conn.response, 5000, 'response');
    console.log(`chunked: answered after ${(sent / 1024).toFixed(0)} KiB sent`);
    expect(res?.status).toBe(400);
    expect(res?.headers.connection).toBe('close');
    const read = Number(/instead was `(\d+)`/.exec(JSON.parse(res!.body).message)?.[1]);
    expect(JSON.parse(res!.body).message).toBe(tooLarge(read));
    expect(read).toBeGreaterThan(LIMIT);
    expect(read).toBeLessThanOrEqual(LIMIT + 64 * 1024);
    expect(sent).toBeLessThan(2 * MB);
    await within(conn.closed, 2000, 'server closing the connection');
  });

  it('keeps the connection alive when the refused body was read whole', async () => {
    const conn = await openRaw(server.port);
    await write(conn.socket, `${head('POST', '/v1/pages', { ...auth, 'content-length': '5' })}{"x":`);
    const res = await within(conn.response, 2000, 'response');
    expect(res?.status).toBe(400);
    expect(JSON.parse(res!.body).code).toBe('invalid_json');
    expect(res?.headers.connection).toBe('keep-alive');
    conn.socket.destroy();
  });
});

describe('a client that hangs up in the middle of its body', () => {
  it('is not logged as a server error, with or without Content-Length', async () => {
    const errorLog = vi.spyOn(console, 'error');
    try {
      const framings: Record<string, string>[] = [
        { 'content-length': '1000' },
        { 'transfer-encoding': 'chunked' },
      ];
      for (const framing of framings) {
        const conn = await openRaw(server.port);
        await write(conn.socket, head('POST', '/v1/pages', { ...auth, ...framing }));
        const half = '{"parent":{"page_id":"x"},"properties":{"title":{"title":[{"text":{"content":"';
        await write(
          conn.socket,
          'content-length' in framing ? half : `${half.length.toString(16)}\r\n${half}\r\n`,
        );
        await sleep(50);
        conn.socket.destroy();
        await sleep(100);
      }
      // The server is fine afterwards and answered nothing as its own failure.
      const res = await fetch(`${server.url}/v1/users/me`, { headers: auth });
      expect(res.status).toBe(200);
      expect(errorLog).not.toHaveBeenCalled();
    } finally {
      errorLog.mockRestore();
    }
  });
});
