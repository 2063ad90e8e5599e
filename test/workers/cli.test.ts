/**
 * `octavo workers deploy|list|run|logs|remove` as real processes beside `octavo serve`, and the
 * admin API's /_octavo/workers, on both engines: a worker written with @notionhq/workers
 * (examples/workers/http-sync) deployed from its folder, its sync run by the command (its SDK
 * calls answered in the command's own process), its rows read back through the server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, runCliJson, type ServeProcess, startServe, storageFor } from '../e2e/cli-process.ts';
import { describeEngines } from '../helpers/engines.ts';

// biome-ignore lint/suspicious/noExplicitAny: reading JSON loosely
type Loose = any;
const DIR = resolve(import.meta.dirname, '..', '..', 'examples', 'workers', 'http-sync');

describeEngines('octavo workers', (engine) => {
  const storage = storageFor(engine);
  let serve: ServeProcess;
  let client: Client;
  let source: Server;
  let url = '';
  beforeAll(async () => {
    // No job process beside: the schedule tick would start the same sync while the test runs it.
    serve = await startServe(['--port', '0', ...storage.args], { ...storage.env, OCTAVO_JOBS: 'off' });
    client = new Client({ auth: serve.token!, baseUrl: serve.url, logLevel: 'error' as never });
    source = createServer((_req, res) =>
      res.setHeader('content-type', 'application/json').end(
        JSON.stringify({
          items: [
            {
              sku: 'Z9',
              name: 'Widget',
              price: 3,
              stock: 1,
              category: 'tools',
              tags: [],
              added: '2026-04-01',
            },
          ],
          next: null,
        }),
      ),
    );
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/items`;
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
    await storage.cleanup();
    await new Promise((r) => source?.close(r));
  });

  it('deploys, lists, runs, shows the logs of and removes a worker', async () => {
    const cli = (args: string[]) => runCli([...args, ...storage.args], storage.env);
    const json = <T = Loose>(args: string[]) => runCliJson<T>([...args, ...storage.args], storage.env);
    const badEnv = await cli(['workers', 'deploy', DIR, '--env', 'NOEQUALS']);
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/--env takes NAME=VALUE/);
    const noParent = await cli(['workers', 'deploy', DIR]);
    expect(noParent.code).toBe(1);
    expect(noParent.stderr).toMatch(/Database products is managed: give --parent PAGE_ID/);

    const deployed = await json([
      'workers',
      'deploy',
      DIR,
      '--parent',
      serve.pageId,
      '--env',
      `SOURCE_URL=${url}`,
      '--json',
    ]);
    expect(deployed.name).toBe('http-sync');
    const ds = deployed.databases.products.data_source_id as string;
    const list = await cli(['workers', 'list']);
    expect(list.stdout).toMatch(/^http-sync\tworker: http-sync\tsdk 0\.9\.2/);
    expect(list.stdout).toContain('  sync catalogue → products (replace, every 60 min');

    const ran = await json(['workers', 'run', 'http-sync', 'catalogue', '--json']);
    expect(ran.sync).toMatchObject({ status: 'succeeded', executions: 1, upserted: 1 });
    const rows = (await client.dataSources.query({ data_source_id: ds })).results as Loose[];
    expect(rows.map((p) => p.properties.Name.title[0].plain_text)).toEqual(['Widget']);
    const wrong = await cli(['workers', 'run', 'http-sync', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Worker http-sync has no capability nope \(it has: catalogue\)/);

    // The admin API runs and lists the same worker.
    const admin = (await json(['admin', 'token', '--json'])).admin_token as string;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${serve.url}/_octavo${path}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Loose };
    };
    const listed = await call('GET', '/workers');
    expect(listed.body.results.map((w: Loose) => w.name)).toEqual(['http-sync']);
    const viaAdmin = await call('POST', '/workers/http-sync/run', { capability: 'catalogue' });
    expect(viaAdmin.status, JSON.stringify(viaAdmin.body)).toBe(200);
    expect(viaAdmin.body.sync).toMatchObject({ status: 'succeeded', upserted: 1 });
    const runs = await call('GET', '/workers/http-sync/runs');
    expect(runs.body.results.map((r: Loose) => r.started_by)).toEqual(['admin', 'cli']);
    const one = await call('GET', `/worker_runs/${runs.body.results[0].id}`);
    expect(one.body).toMatchObject({ worker: 'http-sync', capability: 'catalogue', status: 'succeeded' });
    expect((await call('POST', '/workers', { dir: '/nowhere' })).body.code).toBe('validation_error');

    const logs = await cli(['workers', 'logs', 'http-sync']);
    expect(logs.stdout).toContain('  stdout: page 1: 1 items');
    const removed = await cli(['workers', 'remove', 'http-sync']);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await cli(['workers', 'list'])).stdout.trim()).toBe('no workers');
    const integrations = await cli(['integration', 'list']);
    expect(integrations.stdout).not.toContain('worker: http-sync');
    // The pages it wrote stay.
    expect((await client.dataSources.query({ data_source_id: ds })).results).toHaveLength(1);
  }, 240_000);
});
