/**
 * What `octavo serve` logs: start-up steps, one entry per request (method, route, status,
 * latency, integration, request id), server errors with their stack, and the shutdown steps.
 */
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, type ServeProcess, startServe, storageFor } from './cli-process.ts';

type Entry = Record<string, unknown> & { msg: string; level: number };

describe('octavo serve logs', () => {
  let storage: ReturnType<typeof storageFor>;
  let server: ServeProcess;
  let out = '';
  beforeAll(async () => {
    storage = storageFor('sqlite');
    server = await startServe(['--port', '0', '--rate-limit', 'off', ...storage.args], {
      ...storage.env,
      OCTAVO_LOG_FORMAT: 'json',
    });
    server.child.stdout!.on('data', (d) => {
      out += d;
    });
  });
  afterAll(async () => {
    await server?.stop();
    await storage?.cleanup();
  });

  const entries = () =>
    (server.banner + out)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Entry);

  it('says what start-up did, before the banner', () => {
    const messages = entries().map((e) => e.msg);
    expect(messages.slice(0, 4)).toEqual([
      'starting',
      'storage open and migrated',
      'listening',
      'workspace created with the quickstart integration',
    ]);
    expect(JSON.stringify(entries())).not.toContain(server.token!);
  });

  it('writes one entry per request with route, status, latency, integration and request id', async () => {
    const client = new Client({ auth: server.token, baseUrl: server.url, logLevel: 'error' as never });
    const me = await client.users.me({});
    const res = await fetch(`${server.url}/v1/pages/${server.pageId}`, {
      headers: { authorization: `Bearer ${server.token}`, 'notion-version': '2025-09-03' },
    });
    const requestId = res.headers.get('x-notion-request-id');
    await fetch(`${server.url}/healthz`);
    await new Promise((r) => setTimeout(r, 300));
    const requests = entries().filter((e) => e.msg === 'request');
    const page = requests.find((e) => e.request_id === requestId);
    expect(page).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/v1/pages/:page_id',
      status: 200,
      integration: expect.any(String),
      request_id: requestId,
    });
    expect(page!.ms).toEqual(expect.any(Number));
    expect(requests.some((e) => e.route === '/v1/users/me' && e.integration === page!.integration)).toBe(
      true,
    );
    expect(requests.find((e) => e.route === '/healthz')).toMatchObject({ status: 200 });
    expect(me).toMatchObject({ type: 'bot' });
  });

  it('says what shutdown does, and exits 0', async () => {
    expect(await server.stop()).toBe(0);
    // The child's exit can be seen before the last of its output is read.
    const stdout = server.child.stdout!;
    if (!stdout.readableEnded) await new Promise((r) => stdout.once('end', r));
    const messages = entries().map((e) => e.msg);
    const from = messages.indexOf('shutting down');
    expect(from).toBeGreaterThan(0);
    expect(messages.slice(from)).toEqual([
      'shutting down',
      'closing the listener; waiting for requests in flight',
      'waiting for file imports in progress',
      'storage closed',
      'stopped',
    ]);
  });
});

describe('OCTAVO_LOG_FORMAT and OCTAVO_LOG_LEVEL', () => {
  it('prints compact human lines with pretty, and no request lines at warn', async () => {
    const storage = storageFor('sqlite');
    const server = await startServe(
      ['--port', '0', ...storage.args],
      cliEnv({ OCTAVO_LOG_FORMAT: 'pretty' }),
    );
    let out = '';
    server.child.stdout!.on('data', (d) => {
      out += d;
    });
    try {
      await fetch(`${server.url}/healthz`);
      await new Promise((r) => setTimeout(r, 300));
      expect(server.banner).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}starting storage=/m);
      expect(out).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}request method=GET route=\/healthz status=200 ms=[\d.]+ request_id=[0-9a-f-]{36}$/m,
      );
    } finally {
      await server.stop();
    }
    const quiet = await startServe(['--port', '0', ...storage.args], cliEnv({ OCTAVO_LOG_LEVEL: 'warn' }));
    try {
      expect(quiet.banner.split('\n')[0]).toMatch(/^Octavo is listening on /);
    } finally {
      await quiet.stop();
      await storage.cleanup();
    }
  });
});
