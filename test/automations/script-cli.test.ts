/**
 * `octavo script run FILE` and `octavo script runs` as real processes beside `octavo serve`, on
 * both engines: the script's SDK calls are answered in the command's own process, as the
 * integration `script: NAME`, and the page it creates is read back through the server.
 */
import { resolve } from 'node:path';
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, runCliJson, type ServeProcess, startServe, storageFor } from '../e2e/cli-process.ts';
import { describeEngines } from '../helpers/engines.ts';

const FILE = resolve(import.meta.dirname, '..', 'fixtures', 'scripts', 'make-page.ts');

describeEngines('octavo script', (engine) => {
  const storage = storageFor(engine);
  let serve: ServeProcess;
  let client: Client;
  beforeAll(async () => {
    serve = await startServe(['--port', '0', ...storage.args], storage.env);
    client = new Client({ auth: serve.token!, baseUrl: serve.url, logLevel: 'error' as never });
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
    await storage.cleanup();
  });

  it('runs a script by hand as its own integration and keeps the run', async () => {
    const input = JSON.stringify({ parent: serve.pageId, title: 'From the command line' });
    const refused = await runCli(['script', 'run', FILE, '--input', input, ...storage.args], storage.env);
    // Nothing is shared with `script: make-page` yet.
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/script make-page failed: .*Could not find page/);
    const shared = await runCli(
      ['share', serve.pageId, '--with', 'script: make-page', ...storage.args],
      storage.env,
    );
    expect(shared.code, shared.stderr).toBe(0);
    const run = await runCliJson<{ status: string; output: { id: string }; logs: { text: string }[] }>(
      ['script', 'run', FILE, '--input', input, ...storage.args],
      storage.env,
    );
    expect(run.status).toBe('succeeded');
    expect(run.logs[0]!.text).toBe('creating From the command line');
    const page = (await client.pages.retrieve({ page_id: run.output.id })) as unknown as {
      properties: { title: { title: { plain_text: string }[] } };
    };
    expect(page.properties.title.title[0]!.plain_text).toBe('From the command line');
    const runs = await runCli(['script', 'runs', 'make-page', ...storage.args], storage.env);
    expect(
      runs.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[3]!.split(' ')[0]),
    ).toEqual(['succeeded', 'failed']);
    const bad = await runCli(['script', 'run', FILE, '--timeout-ms', 'soon', ...storage.args], storage.env);
    expect(bad.code).toBe(2);
  }, 60_000);
});
