/**
 * `octavo rows import` end to end: the real CLI writes NDJSON rows into a data source that the
 * running server created, the official SDK reads them back, and bad lines stop the import with
 * their batch unwritten and POST /v1/pages's own message.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APIResponseError, Client, type PageObjectResponse } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import { describeEngines, type EngineName, PG_URL } from '../helpers/engines.ts';
import { BIN, cliEnv, runCli, runCliJson, type ServeProcess, startServe } from './cli-process.ts';

const execFileAsync = promisify(execFile);

const text = (content: string) => [{ type: 'text' as const, text: { content } }];

function storageFor(engine: EngineName) {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-e2e-import-'));
  const schema = `octavo_e2e_import_${process.pid}_${Date.now().toString(36)}`;
  const env = engine === 'postgres' ? cliEnv({ DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema }) : cliEnv();
  return {
    dir,
    args: ['--data', dir],
    env,
    cleanup: async () => {
      rmSync(dir, { recursive: true, force: true });
      if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
    },
  };
}

const row = (name: string, amount: unknown, extra: Record<string, unknown> = {}) => ({
  properties: {
    Name: { title: text(name) },
    Amount: { number: amount },
    ...extra,
  },
});

describeEngines('octavo rows import', (engine) => {
  let storage: ReturnType<typeof storageFor>;
  let server: ServeProcess;
  let client: Client;
  let dataSourceId: string;
  let file = 0;

  const ndjson = (lines: (object | string)[]) => {
    const path = join(storage.dir, `rows-${file++}.ndjson`);
    writeFileSync(path, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
    return path;
  };
  const importArgs = (path: string, batch: number) => [
    'rows',
    'import',
    '--data-source',
    dataSourceId,
    '--file',
    path,
    '--batch',
    String(batch),
    ...storage.args,
  ];
  const allRows = async () => {
    const pages: PageObjectResponse[] = [];
    let cursor: string | undefined;
    do {
      const r = await client.dataSources.query({
        data_source_id: dataSourceId,
        sorts: [{ property: 'Number', direction: 'ascending' }],
        ...(cursor ? { start_cursor: cursor } : {}),
      });
      pages.push(...(r.results as PageObjectResponse[]));
      cursor = r.next_cursor ?? undefined;
    } while (cursor);
    return pages;
  };
  const names = (pages: PageObjectResponse[]) =>
    pages.map((p) => {
      const t = p.properties.Name;
      return t?.type === 'title' ? t.title.map((x) => x.plain_text).join('') : '';
    });
  /** The message POST /v1/pages gives for the same properties. */
  const postMessage = async (properties: Record<string, unknown>) => {
    const e = await client.pages
      .create({ parent: { data_source_id: dataSourceId }, properties: properties as never })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(APIResponseError);
    return (e as APIResponseError).message;
  };

  beforeAll(async () => {
    storage = storageFor(engine);
    server = await startServe(['--port', '0', '--rate-limit', 'off', ...storage.args], storage.env);
    client = new Client({ auth: server.token!, baseUrl: server.url, logLevel: 'error' as never });
    const db = (await client.databases.create({
      parent: { type: 'page_id', page_id: server.pageId },
      title: text('Imported'),
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Amount: { number: {} },
          Stage: { select: { options: [{ name: 'Todo' }, { name: 'Done' }] } },
          Tags: { multi_select: {} },
          Due: { date: {} },
          Number: { unique_id: {} },
        } as never,
      },
    })) as unknown as { data_sources: { id: string }[] };
    dataSourceId = db.data_sources[0]!.id;
  });
  afterAll(async () => {
    await server?.stop();
    await storage?.cleanup();
  });

  it('writes every line in batches, as POST /v1/pages would, while the server runs', async () => {
    const lines = [
      row('one', 1, { Stage: { select: { name: 'Todo' } }, Due: { date: { start: '2024-03-01' } } }),
      row('two', 2, { Stage: { select: { name: 'Blocked' } }, Tags: { multi_select: [{ name: 'x' }] } }),
      '',
      row('three', 3, { Tags: { multi_select: [{ name: 'x' }, { name: 'y' }] } }),
      { properties: { Name: text('four') } },
      row('five', null),
      {},
      row('seven', 7),
    ];
    const result = await runCliJson(importArgs(ndjson(lines), 3), storage.env);
    expect(result).toMatchObject({ data_source_id: dataSourceId, rows: 7, batches: 3 });
    expect(result.rows_per_second).toBeGreaterThan(0);

    const pages = await allRows();
    expect(names(pages)).toEqual(['one', 'two', 'three', 'four', 'five', '', 'seven']);
    const [first, second] = pages;
    expect(first!.properties.Due).toMatchObject({ date: { start: '2024-03-01', end: null } });
    expect(second!.properties.Stage).toMatchObject({ select: { name: 'Blocked' } });
    expect(
      pages.map((p) => (p.properties.Number as { unique_id: { number: number } }).unique_id.number),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const ds = (await client.dataSources.retrieve({ data_source_id: dataSourceId })) as unknown as {
      properties: Record<string, { select?: { options: { name: string }[] } }>;
    };
    expect(ds.properties.Stage!.select!.options.map((o) => o.name)).toEqual(['Todo', 'Done', 'Blocked']);
    const filtered = await client.dataSources.query({
      data_source_id: dataSourceId,
      filter: { property: 'Tags', multi_select: { contains: 'x' } },
    });
    expect(filtered.results).toHaveLength(2);

    const next = (await client.pages.create({
      parent: { data_source_id: dataSourceId },
      properties: { Name: { title: text('after') } },
    })) as PageObjectResponse;
    expect(next.properties.Number).toMatchObject({ unique_id: { number: 8 } });
  });

  it('writes a batch of 2,500 rows, several multi-row statements of the same shape', async () => {
    const before = (await allRows()).length;
    const lines = Array.from({ length: 2500 }, (_, i) =>
      row(`bulk ${i}`, i, { Stage: { select: { name: i % 2 ? 'Todo' : 'Done' } } }),
    );
    const result = await runCliJson(importArgs(ndjson(lines), 2500), storage.env);
    expect(result).toMatchObject({ rows: 2500, batches: 1 });
    const pages = await allRows();
    expect(pages).toHaveLength(before + 2500);
    expect(names(pages.slice(before))).toEqual(lines.map((_, i) => `bulk ${i}`));
    for (const i of [0, 499, 500, 966, 967, 1999, 2499]) {
      const found = await client.dataSources.query({
        data_source_id: dataSourceId,
        filter: {
          and: [
            { property: 'Amount', number: { equals: i } },
            { property: 'Name', title: { starts_with: 'bulk' } },
          ],
        },
      });
      expect(names(found.results as PageObjectResponse[])).toEqual([`bulk ${i}`]);
      expect((found.results[0] as PageObjectResponse).properties.Stage).toMatchObject({
        select: { name: i % 2 ? 'Todo' : 'Done' },
      });
    }
  });

  it('stops at a bad value with POST /v1/pages’s message and the line number; its batch is not written', async () => {
    const before = (await allRows()).length;
    const bad = { Amount: { number: 'ten' } };
    const expected = await postMessage(bad);
    const lines = [
      row('b1', 1),
      row('b2', 2),
      row('b3', 3),
      { properties: { Name: { title: text('b4') }, ...bad } },
    ];
    const r = await runCli(importArgs(ndjson(lines), 2), storage.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^octavo: [^\n]+\n$/);
    expect(r.stderr).toContain(`line 4: ${expected}`);
    expect(r.stderr).toContain('2 rows from earlier batches were imported');
    const after = names(await allRows()).slice(before);
    expect(after).toEqual(['b1', 'b2']);
  });

  it('refuses unknown properties and wrong types in Notion’s words', async () => {
    const props = { Nope: { number: 1 }, Stage: { number: 2 } };
    const expected = await postMessage(props);
    expect(expected).toBe('Nope is not a property that exists. Stage is expected to be select.');
    const r = await runCli(importArgs(ndjson([row('ok', 1), { properties: props }]), 10), storage.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`line 2: ${expected}`);
    expect(r.stderr).toContain('0 rows from earlier batches');
  });

  it('names a line that is not JSON or not a row body', async () => {
    const before = (await allRows()).length;
    const notJson = await runCli(importArgs(ndjson([row('j1', 1), '{"properties": ']), 10), storage.env);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^octavo: \S+ line 2: not valid JSON \([^\n]*\n$/);
    const extra = await runCli(importArgs(ndjson([{ properties: {}, icon: null }]), 10), storage.env);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toMatch(/line 1: body failed validation: body\.icon should be not present/);
    expect((await allRows()).length).toBe(before);
  });

  it('refuses a data source that does not exist, and bad arguments', async () => {
    const path = ndjson([row('x', 1)]);
    const missing = await runCli(
      [
        'rows',
        'import',
        '--data-source',
        '0123456789abcdef0123456789abcdef',
        '--file',
        path,
        ...storage.args,
      ],
      storage.env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^octavo: no data source with id 01234567-89ab-cdef-0123-456789abcdef\n$/);
    const zero = await runCli(importArgs(path, 0), storage.env);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--batch must be a whole number/);
    const noFile = await runCli(importArgs(join(storage.dir, 'nope.ndjson'), 10), storage.env);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/cannot read .*nope\.ndjson: ENOENT/);
  });

  it('shows progress (rows, rows/s, time left) on a terminal, and nothing but the result with --json', async () => {
    const path = ndjson(Array.from({ length: 60 }, (_, i) => row(`tty ${i}`, i)));
    const onTty = async (args: string[]) => {
      // script(1) gives the command a pseudo-terminal; its output is what a person would see.
      const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
      const { stdout } = await execFileAsync('script', ['-qec', command, '/dev/null'], { env: storage.env });
      return stdout;
    };
    const shown = await onTty(importArgs(path, 1));
    expect(shown).toContain('\r\u001b[K');
    expect(shown).toMatch(/[\d,]+ rows, [\d,]+ rows\/s, \d+%, (\d+ s|\?) left/);
    expect(shown).toMatch(/Imported 60 rows into data source/);
    const quiet = await onTty([...importArgs(path, 1), '--json']);
    expect(quiet).not.toContain('rows/s');
    expect(JSON.parse(quiet.trim())).toMatchObject({ rows: 60, batches: 60 });
  });
});
