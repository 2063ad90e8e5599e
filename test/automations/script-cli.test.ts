/**
 * `octavo script run FILE` and `octavo script runs` as real processes beside `octavo serve`, on
 * both engines: the script's SDK calls are answered in the command's own process, as the
 * integration `script: NAME`, and the page it creates is read back through the server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

  it('schedules it with an automation made from YAML, and runs that automation by hand', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'octavo-script-cli-'));
    const yaml = join(dir, 'morning.yaml');
    writeFileSync(
      yaml,
      [
        'name: morning report',
        'trigger: { type: schedule, cron: "0 8 * * *", timezone: Europe/Paris }',
        'actions:',
        '  - type: run_script',
        `    file: ${FILE}`,
        `    input: { parent: "${serve.pageId}", title: "Morning of {{trigger.time}}" }`,
        '',
      ].join('\n'),
    );
    const made = await runCliJson<{ next_run_time: string }>(
      ['automation', 'create', '--file', yaml, ...storage.args],
      storage.env,
    );
    expect(made.next_run_time).toMatch(/T0[67]:00:00/);
    // The script's integration was shared in the test before (make-page).
    const run = await runCliJson<{ status: string; steps: { output: { output: { id: string } } }[] }>(
      ['automation', 'run', 'morning report', ...storage.args],
      storage.env,
    );
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const page = (await client.pages.retrieve({ page_id: run.steps[0]!.output.output.id })) as unknown as {
      properties: { title: { title: { plain_text: string }[] } };
    };
    expect(page.properties.title.title[0]!.plain_text).toMatch(/^Morning of \d{4}-/);
    const runs = await runCli(['script', 'runs', 'make-page', '--json', ...storage.args], storage.env);
    expect(JSON.parse(runs.stdout).results[0].started_by).toMatch(/^automation:/);
  }, 60_000);
});
