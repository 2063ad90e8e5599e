/** The request log in process: one entry per request, and a server error logged with its stack. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../../src/config.ts';
import { createLogger, prettyLine } from '../../src/lib/log.ts';
import { bootstrap } from '../../src/ops/workspace.ts';
import { openStore } from '../../src/store/connect.ts';

type Entry = Record<string, unknown> & { msg: string; level: number };

describe('request log', () => {
  it('logs each request, and a 500 with its stack under the request id', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      format: 'json',
      level: 'info',
      destination: { write: (l) => lines.push(l) },
    });
    const store = await openStore({ dataDir: ':memory:' });
    const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
    const app = createApp({
      store,
      publicUrl: 'http://octavo.test',
      workspace: boot.workspace,
      rateLimiter: null,
      logger,
      files: {
        maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
        allowPrivateImports: false,
        urlSecret: boot.fileUrlSecret,
      },
    });
    const get = (path: string) =>
      app.request(`http://octavo.test${path}`, {
        headers: { authorization: `Bearer ${boot.created!.token}`, 'notion-version': '2025-09-03' },
      });
    expect((await get('/v1/users/me')).status).toBe(200);
    expect((await get('/v1/nowhere')).status).toBe(400);

    await store.close(); // the storage goes away: the next request fails inside the server
    const failed = await get('/v1/users/me');
    expect(failed.status).toBe(500);
    const requestId = failed.headers.get('x-notion-request-id');

    const entries = lines.map((l) => JSON.parse(l) as Entry);
    const requests = entries.filter((e) => e.msg === 'request');
    expect(requests.map((e) => [e.method, e.route, e.status])).toEqual([
      ['GET', '/v1/users/me', 200],
      ['GET', '/v1/*', 400],
      ['GET', '/v1/users/me', 500],
    ]);
    expect(requests[0]!.integration).toEqual(expect.any(String));
    // Each request line, built by hand, is the line pino writes for the same entry.
    for (const line of lines.filter((l) => JSON.parse(l).msg === 'request')) {
      const { level: _, time, msg: __, ...fields } = JSON.parse(line) as Entry;
      const own: string[] = [];
      pino({ base: undefined, timestamp: () => `,"time":${time}` }, { write: (l) => own.push(l) }).info(
        fields,
        'request',
      );
      expect(line).toBe(own[0]);
    }
    const error = entries.find((e) => e.msg === 'request failed');
    expect(error).toMatchObject({ level: 50, request_id: requestId });
    expect((error!.err as { stack: string }).stack).toMatch(/\n\s+at /);
    expect(prettyLine(JSON.stringify(error))).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} ERROR request failed request_id=\S+\n {2}\w*Error: .*\n\s+at /,
    );
  });
});
