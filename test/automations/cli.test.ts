/**
 * `octavo automation …` as real processes beside `octavo serve` (jobs inline): a YAML definition
 * created from a file, a write through the SDK firing it, the run history, a dry run, a wrong
 * definition refused with the field named, disable and delete.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, runCliJson, type ServeProcess, startServe, storageFor } from '../e2e/cli-process.ts';
import { describeEngines } from '../helpers/engines.ts';
import { waitFor } from '../webhooks/support.ts';

describeEngines('octavo automation', (engine) => {
  const storage = storageFor(engine);
  const env = { ...storage.env, OCTAVO_WEBHOOK_POLL_MS: '20' };
  const dir = mkdtempSync(join(tmpdir(), 'octavo-automation-'));
  let serve: ServeProcess;
  let client: Client;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' JSON, read loosely by the tests
  const cli = (args: string[]) => runCliJson<Record<string, any>>([...args, ...storage.args], env);
  beforeAll(async () => {
    serve = await startServe(['--port', '0', ...storage.args], env);
    client = new Client({ auth: serve.token!, baseUrl: serve.url, logLevel: 'error' as never });
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
    await storage.cleanup();
  });

  it('creates from YAML, fires on an SDK write, lists runs, dry-runs, disables and deletes', async () => {
    const db = (await client.databases.create({
      parent: { type: 'page_id', page_id: serve.pageId },
      title: [{ text: { content: 'Inbox' } }],
      initial_data_source: { properties: { Name: { title: {} }, Done: { checkbox: {} } } },
    })) as unknown as { data_sources: { id: string }[] };
    const ds = db.data_sources[0]!.id;
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      `name: bad\ntrigger:\n  type: schedule\n  cron: "0 8 * * *"\n  timezone: Nowhere/Land\nactions:\n  - type: trash_page\n    page_id: x\n`,
    );
    const refused = await runCli(['automation', 'create', '--file', bad, ...storage.args], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/trigger\.timezone/);
    const file = join(dir, 'greet.yaml');
    writeFileSync(
      file,
      [
        'name: greet',
        'trigger:',
        '  type: page_created',
        `  data_source_id: ${ds}`,
        'condition:',
        '  property: Done',
        '  checkbox: { equals: false }',
        'actions:',
        '  - type: append_blocks',
        '    children:',
        '      - paragraph:',
        '          rich_text: [{ text: { content: "Welcome, {{trigger.page.properties.Name}}" } }]',
        '',
      ].join('\n'),
    );
    const made = await cli(['automation', 'create', '--file', file]);
    expect(made).toMatchObject({ name: 'greet', enabled: true, trigger: { type: 'page_created' } });
    expect(
      (await runCli(['share', serve.pageId, '--with', 'automation: greet', ...storage.args], env)).code,
    ).toBe(0);
    expect((await cli(['automation', 'list'])).results.map((a: { name: string }) => a.name)).toEqual([
      'greet',
    ]);
    const row = await client.pages.create({
      parent: { data_source_id: ds },
      properties: { Name: { title: [{ text: { content: 'Grace' } }] } },
    });
    const blocks = await waitFor(
      async () => {
        const r = (await client.blocks.children.list({ block_id: row.id })).results;
        return r.length > 0 ? r : null;
      },
      20_000,
      'the appended block',
    );
    // biome-ignore lint/suspicious/noExplicitAny: reading the SDK's block loosely
    expect((blocks[0] as any).paragraph.rich_text[0].plain_text).toBe('Welcome, Grace');
    const runs = await waitFor(
      async () => {
        const r = (await cli(['automation', 'runs', 'greet'])).results;
        return r.length === 1 && r[0].status === 'succeeded' ? r : null;
      },
      10_000,
      'the finished run',
    );
    expect(runs[0].steps[0]).toMatchObject({
      action: 'append_blocks',
      output: { block_ids: [expect.any(String)] },
    });
    const dry = await cli([
      'automation',
      'run',
      'greet',
      '--input',
      JSON.stringify({ page_id: row.id }),
      '--dry-run',
    ]);
    expect(dry).toMatchObject({ status: 'succeeded', dry_run: true });
    expect((await client.blocks.children.list({ block_id: row.id })).results).toHaveLength(1);
    expect(await cli(['automation', 'disable', 'greet'])).toMatchObject({ enabled: false });
    expect(await cli(['automation', 'delete', 'greet'])).toMatchObject({ name: 'greet' });
    expect((await cli(['automation', 'list'])).results).toEqual([]);
  }, 60_000);

  it('a webhook trigger takes JSON or a form at its inbound URL, over real HTTP', async () => {
    const db = (await client.databases.create({
      parent: { type: 'page_id', page_id: serve.pageId },
      title: [{ text: { content: 'Signups' } }],
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as unknown as { data_sources: { id: string }[] };
    const ds = db.data_sources[0]!.id;
    const file = join(dir, 'signup.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'signup',
        trigger: { type: 'webhook' },
        actions: [
          {
            type: 'create_page',
            parent: { data_source_id: ds },
            properties: { Name: { title: [{ text: { content: '{{trigger.input.email}}' } }] } },
          },
        ],
      }),
    );
    const made = await cli(['automation', 'create', '--file', file]);
    expect(made.hook_path).toMatch(/^\/hooks\/automations\/[0-9a-f-]+\/[A-Za-z0-9_-]{32}$/);
    await runCli(['share', serve.pageId, '--with', 'automation: signup', ...storage.args], env);
    const url = `${serve.url}${made.hook_path}`;
    const json = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com' }),
    });
    expect(json.status).toBe(202);
    expect(await json.json()).toMatchObject({ object: 'automation_run', status: 'succeeded' });
    const form = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams({ email: 'grace@example.com' }),
    });
    expect(form.status).toBe(202);
    const wrong = await fetch(url.replace(/[^/]+$/, 'x'.repeat(32)), { method: 'POST', body: '{}' });
    expect(wrong.status).toBe(404);
    const names = (await client.dataSources.query({ data_source_id: ds })).results.map(
      // biome-ignore lint/suspicious/noExplicitAny: reading the SDK's page loosely
      (p: any) => p.properties.Name.title[0].plain_text,
    );
    expect(names.sort()).toEqual(['ada@example.com', 'grace@example.com']);
  }, 60_000);
});
