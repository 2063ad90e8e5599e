/**
 * `octavo emoji add` and `octavo template add` as child processes beside a running `octavo serve`:
 * what they add is served at once over HTTP through the official SDK.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { runCli, runCliJson, type ServeProcess, startServe, storageFor } from './cli-process.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

describeEngines('octavo emoji add and octavo template add', (engine) => {
  let storage: ReturnType<typeof storageFor>;
  let server: ServeProcess;
  let client: Client;
  const files = mkdtempSync(join(tmpdir(), 'octavo-emoji-'));
  const cli = (args: string[]) => runCliJson(args.concat(storage.args), storage.env);

  beforeAll(async () => {
    storage = storageFor(engine);
    server = await startServe(['--port', '0', '--rate-limit', 'off', ...storage.args], storage.env);
    client = new Client({ auth: server.token!, baseUrl: server.url, logLevel: 'error' as never });
  });
  afterAll(async () => {
    await server?.stop();
    await storage?.cleanup();
    rmSync(files, { recursive: true, force: true });
  });

  it('adds a custom emoji the running server lists and serves', async () => {
    const file = join(files, 'wave.png');
    writeFileSync(file, PNG);
    const added = await cli(['emoji', 'add', 'wave', file]);
    const list = await client.customEmojis.list({ name: 'wave' });
    expect(list.results.map((e) => e.id)).toEqual([added.id]);
    const image = await fetch(list.results[0]!.url);
    expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);
    const again = await runCli(['emoji', 'add', 'wave', file, ...storage.args], storage.env);
    expect([again.code, again.stderr.trim()]).toEqual([
      1,
      'octavo: A custom emoji named wave exists already.',
    ]);
  });

  it('adds a template from a page, which page creation then applies', async () => {
    const search = await client.search({ filter: { property: 'object', value: 'page' } });
    const root = search.results[0]!.id;
    const db = await client.databases.create({
      parent: { type: 'page_id', page_id: root },
      title: rt('Notes'),
      initial_data_source: { properties: { Name: { title: {} }, Kind: { rich_text: {} } } },
    });
    const ds = (db as { data_sources: { id: string }[] }).data_sources[0]!.id;
    const source = await client.pages.create({
      parent: { data_source_id: ds },
      properties: { Name: { title: rt('Meeting') }, Kind: { rich_text: rt('meeting') } },
      children: [{ paragraph: { rich_text: rt('Agenda') } }],
    });
    const template = await cli([
      'template',
      'add',
      ds,
      '--name',
      'Meeting',
      '--from',
      source.id,
      '--default',
    ]);
    expect(template).toMatchObject({ name: 'Meeting', is_default: true });
    const listed = await client.dataSources.listTemplates({ data_source_id: ds });
    expect(listed.templates).toEqual([{ id: template.id, name: 'Meeting', is_default: true }]);
    const page = await client.pages.create({ parent: { data_source_id: ds }, template: { type: 'default' } });
    expect((await client.pages.retrieveMarkdown({ page_id: page.id })).markdown).toBe('Agenda');
  });
});
