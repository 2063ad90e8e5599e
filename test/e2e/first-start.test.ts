/**
 * A first start that fails must not use up the first start: the quickstart token is shown by
 * the first `octavo serve` that actually listens.
 */
import { createServer, type Server } from 'node:net';
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { runCli, startServe, storageFor } from './cli-process.ts';

describeEngines('a first start whose port is taken', (engine) => {
  let storage: ReturnType<typeof storageFor>;
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    storage = storageFor(engine);
    blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((done) => blocker?.close(done));
    await storage?.cleanup();
  });

  it('fails with one line, then the next start prints a working token', async () => {
    const failed = await runCli(['serve', '--port', String(port), ...storage.args], storage.env);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/port is already in use/);
    expect(failed.stdout).not.toMatch(/ntn_/);

    const server = await startServe(['--port', '0', '--rate-limit', 'off', ...storage.args], storage.env);
    try {
      expect(server.token).toMatch(/^ntn_\w+$/);
      const client = new Client({ auth: server.token, baseUrl: server.url, logLevel: 'error' as never });
      expect(await client.users.me({})).toMatchObject({ type: 'bot', name: 'Octavo Quickstart' });
      expect(await client.pages.retrieve({ page_id: server.pageId })).toMatchObject({ id: server.pageId });
    } finally {
      await server.stop();
    }
  });
});
