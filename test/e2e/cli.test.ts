/**
 * The real thing end to end: `octavo serve` as a child process, the official SDK over HTTP, and
 * the admin commands run against the same storage while the server is up.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIResponseError, Client, isFullBlock, type PageObjectResponse } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP } from '../../src/cli/help.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { cliEnv, runCli, runCliJson, type ServeProcess, startServe, storageFor } from './cli-process.ts';

const titleOf = (page: PageObjectResponse) => {
  const prop = Object.values(page.properties).find((p) => p.type === 'title');
  return prop?.type === 'title' ? prop.title.map((t) => t.plain_text).join('') : undefined;
};

describeEngines('octavo serve and the admin commands', (engine) => {
  let storage: ReturnType<typeof storageFor>;
  let server: ServeProcess;
  let token: string;
  const client = (auth = token) => new Client({ auth, baseUrl: server.url, logLevel: 'error' as never });
  const cli = (args: string[]) => runCliJson(args.concat(storage.args), storage.env);

  beforeAll(async () => {
    storage = storageFor(engine);
    server = await startServe(['--port', '0', '--rate-limit', 'off', ...storage.args], storage.env);
    token = server.token!;
  });
  afterAll(async () => {
    await server?.stop();
    await storage?.cleanup();
  });

  it('prints the real URL, the token and the Getting started page on first start', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(token).toMatch(/^ntn_\w{46}$/);
    // Where OCTAVO_TEST_DATABASE_URL points, not a fixed address.
    const pg = new URL(PG_URL);
    expect(server.banner).toContain(
      engine === 'postgres' ? `Postgres at ${pg.hostname}:${pg.port || '5432'}${pg.pathname}` : 'SQLite in',
    );
  });

  it('answers the official SDK over HTTP: me, the Getting started page, append, child page', async () => {
    const me = await client().users.me({});
    expect(me).toMatchObject({ type: 'bot', name: 'Octavo Quickstart' });
    const page = (await client().pages.retrieve({ page_id: server.pageId })) as PageObjectResponse;
    expect(titleOf(page)).toBe('Getting started');
    expect(page.url).toContain(server.url);
    const appended = await client().blocks.children.append({
      block_id: server.pageId,
      children: [{ paragraph: { rich_text: [{ text: { content: 'Hello from the e2e test' } }] } }],
    });
    expect(appended.results).toHaveLength(1);
    const children = await client().blocks.children.list({ block_id: server.pageId });
    expect(children.results.at(-1)!.id).toBe(appended.results[0]!.id);
    const child = await client().pages.create({
      parent: { page_id: server.pageId },
      properties: { title: { title: [{ text: { content: 'Child page' } }] } },
    });
    const again = (await client().pages.retrieve({ page_id: child.id })) as PageObjectResponse;
    expect(titleOf(again)).toBe('Child page');
  });

  it('serves an integration, a page and a share made by the CLI while it runs', async () => {
    const integration = await cli(['integration', 'create', '--name', 'E2E bot']);
    expect(integration).toMatchObject({ name: 'E2E bot', token: expect.stringMatching(/^ntn_/) });
    const bot = client(integration.token as string);
    expect(await bot.users.me({})).toMatchObject({ name: 'E2E bot' });

    const shared = await cli(['page', 'create', '--title', 'Shared by CLI', '--share', 'E2E bot']);
    expect(shared.url).toMatch(/Shared-by-CLI-[0-9a-f]{32}$/);
    const seen = (await bot.pages.retrieve({ page_id: shared.id as string })) as PageObjectResponse;
    expect(titleOf(seen)).toBe('Shared by CLI');

    const later = await cli(['page', 'create', '--title', 'Shared later']);
    const hidden = await bot.pages.retrieve({ page_id: later.id as string }).catch((e) => e);
    expect(hidden).toBeInstanceOf(APIResponseError);
    expect(hidden.code).toBe('object_not_found');
    await cli(['share', later.id as string, '--with', 'E2E bot']);
    expect(await bot.pages.retrieve({ page_id: later.id as string })).toMatchObject({ id: later.id });

    const nested = await cli(['page', 'create', '--title', 'Nested', '--parent', later.id as string]);
    expect(await bot.pages.retrieve({ page_id: nested.id as string })).toMatchObject({ id: nested.id });

    const person = await cli(['user', 'create', '--name', 'Ada', '--email', 'ada@example.com']);
    expect(await bot.users.retrieve({ user_id: person.id as string })).toMatchObject({ name: 'Ada' });
  });

  it('enforces --rate-limit over HTTP with 429 and Retry-After', async () => {
    const limited = await startServe(['--port', '0', '--rate-limit', '1:1', ...storage.args], storage.env);
    try {
      const get = () =>
        fetch(`${limited.url}/v1/users/me`, {
          headers: { Authorization: `Bearer ${token}`, 'Notion-Version': '2025-09-03' },
        });
      expect((await get()).status).toBe(200);
      const res = await get();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ object: 'error', code: 'rate_limited', status: 429 });
    } finally {
      await limited.stop();
    }
  });

  it('keeps the data and prints no new token on the next start', async () => {
    expect(await server.stop()).toBe(0);
    server = await startServe(['--port', '0', ...storage.args], storage.env);
    expect(server.token).toBeUndefined();
    expect(server.banner).toContain('shown on the first start only');
    expect(server.banner).not.toMatch(/ntn_/);
    expect(await client().users.me({})).toMatchObject({ name: 'Octavo Quickstart' });
    const children = await client().blocks.children.list({ block_id: server.pageId });
    expect(children.results.some((b) => isFullBlock(b) && b.type === 'child_page')).toBe(true);
  });
});

describe('admin commands before the first start', () => {
  it('leave the quickstart token to be shown by the first serve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'octavo-e2e-first-'));
    try {
      await runCliJson(['integration', 'create', '--name', 'Early', '--data', dir]);
      const server = await startServe(['--port', '0', '--data', dir]);
      await server.stop();
      expect(server.token).toMatch(/^ntn_/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('octavo command-line mistakes', () => {
  // Made at collection time (the cases below need the path), removed even when filtered out.
  const dir = mkdtempSync(join(tmpdir(), 'octavo-e2e-args-'));
  const data = ['--data', dir];
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const PAGE = '0123456789abcdef0123456789abcdef';
  beforeAll(async () => {
    await runCliJson(['integration', 'create', '--name', 'Taken', ...data]);
    await runCliJson(['integration', 'create', '--name', 'Also taken', ...data]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string[], RegExp, number, Record<string, string>?][] = [
    ['an unknown command', ['frobnicate'], /unknown command: frobnicate/, 2],
    ['an unknown subcommand', ['integration', 'remove'], /unknown command: integration remove/, 2],
    ['a missing integration NAME', ['integration', 'revoke', ...data], /integration revoke needs NAME/, 2],
    [
      'an update that changes nothing',
      ['integration', 'update', 'Taken', ...data],
      /needs --name or --capabilities/,
      2,
    ],
    [
      'an empty new name',
      ['integration', 'update', 'Taken', '--name', ' ', ...data],
      /--name must not be empty/,
      2,
    ],
    [
      'renaming to the first-start name',
      ['integration', 'update', 'Taken', '--name', 'Octavo Quickstart', ...data],
      /Octavo Quickstart is the name of the integration made on first start/,
      2,
    ],
    [
      'revoking an unknown integration',
      ['integration', 'revoke', 'Nobody', ...data],
      /No integration named Nobody/,
      1,
    ],
    [
      'rotating an unknown integration',
      ['integration', 'rotate', 'Nobody', ...data],
      /No integration named Nobody/,
      1,
    ],
    [
      'deleting an unknown integration',
      ['integration', 'delete', 'Nobody', ...data],
      /No integration named Nobody/,
      1,
    ],
    [
      'renaming to a taken name',
      ['integration', 'update', 'Taken', '--name', 'Also taken', ...data],
      /integration named Also taken already exists/,
      1,
    ],
    [
      'a flag update does not take',
      ['integration', 'revoke', 'Taken', '--capabilities', 'all', ...data],
      /integration revoke does not take --capabilities/,
      2,
    ],
    ['an unknown flag', ['serve', '--bogus'], /unknown option --bogus/, 2],
    ['a flag of another command', ['serve', '--title', 'x'], /serve does not take --title/, 2],
    ['a missing --name', ['integration', 'create', ...data], /--name is required/, 2],
    ['a bad page id', ['share', 'abc', '--with', 'Taken', ...data], /PAGE_ID must be a page id/, 2],
    ['a missing page id', ['share', '--with', 'Taken', ...data], /share needs PAGE_ID/, 2],
    [
      'an unknown capability',
      ['integration', 'create', '--name', 'X', '--capabilities', 'read_content,fly', ...data],
      /unknown capability fly/,
      2,
    ],
    [
      'a duplicate integration name',
      ['integration', 'create', '--name', 'Taken', ...data],
      /integration named Taken already exists/,
      1,
    ],
    [
      'sharing with an unknown integration',
      ['share', PAGE, '--with', 'Nobody', ...data],
      /No integration named Nobody/,
      1,
    ],
    ['sharing an unknown page', ['share', PAGE, '--with', 'Taken', ...data], /no page with id 01234567-/, 1],
    [
      'a parent page that does not exist',
      ['page', 'create', '--title', 'T', '--parent', PAGE, ...data],
      /--parent: no page with id/,
      1,
    ],
    ['--port abc', ['serve', '--port', 'abc', ...data], /--port must be a port number/, 2],
    ['--port 70000', ['serve', '--port', '70000', ...data], /--port must be a port number/, 2],
    [
      '--rate-limit bogus',
      ['serve', '--rate-limit', 'bogus', ...data],
      /--rate-limit must be notion, off or/,
      2,
    ],
    [
      'an OCTAVO_HOST that is no address',
      ['serve', '--port', '0', ...data],
      /^octavo: OCTAVO_HOST must be an IP address or a host name, not not a host! /,
      2,
      { OCTAVO_HOST: 'not a host!' },
    ],
    ['a bracketed --host', ['serve', '--host', '[::1]', ...data], /--host must be .*without brackets/, 2],
    [
      'a host name that does not resolve',
      ['serve', '--port', '0', '--host', 'no-such-host.invalid', ...data],
      /^octavo: cannot listen on no-such-host\.invalid:0: no such host/,
      1,
    ],
    [
      'an OCTAVO_PUBLIC_URL without a scheme',
      ['serve', ...data],
      /OCTAVO_PUBLIC_URL must be an absolute http:\/\/ or https:\/\/ URL .*, not octavo\.example\.com /,
      2,
      { OCTAVO_PUBLIC_URL: 'octavo.example.com' },
    ],
    [
      'a DATABASE_URL that is not Postgres',
      ['migrate'],
      /DATABASE_URL must be a postgres:\/\//,
      2,
      { DATABASE_URL: 'mysql://x/y' },
    ],
    [
      'a malformed DATABASE_URL',
      ['migrate'],
      /DATABASE_URL is not a valid URL/,
      2,
      { DATABASE_URL: 'postgres://h:port/x' },
    ],
    [
      'an unreachable Postgres',
      ['migrate'],
      /cannot open Postgres at 127\.0\.0\.1:1\/x: .*ECONNREFUSED/,
      1,
      { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/x' },
    ],
  ];

  it.each(cases)('%s: one line on stderr, no stack trace', async (_what, args, message, code, env) => {
    const r = await runCli(args, cliEnv(env));
    expect(r.code).toBe(code);
    // Nothing but the server's log (JSON lines, as stdout is no terminal) of a start that failed.
    for (const line of r.stdout.split('\n').filter(Boolean)) expect(JSON.parse(line)).toHaveProperty('level');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^octavo: [^\n]+\n$/);
    expect(r.stderr).not.toContain('secret');
  });

  it('prints the usage for --help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: octavo <command>/);
    expect(r.stdout).toContain('integration create --name NAME');
  });

  it('prints its version for --version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(r.stdout).toBe(`octavo ${pkg.version} (Node ${process.versions.node})\n`);
  });

  it('prints one command’s own usage for `help COMMAND` and `COMMAND --help`, for every command', async () => {
    const list = (await runCli(['help'])).stdout;
    const names = Object.keys(HELP);
    for (const name of names) expect(list).toContain(`  ${HELP[name]!.usage}\n`);
    // One line per command, each from its entry: no command without its own help.
    const block = list.slice(
      list.indexOf('commands:\n') + 10,
      list.indexOf('\n\n', list.indexOf('commands:')),
    );
    expect(block.split('\n')).toHaveLength(names.length);
    const [viaHelp, viaFlag] = await Promise.all([
      runCli(['help', 'rows', 'import']),
      runCli(['rows', 'import', '--help']),
    ]);
    expect(viaHelp).toEqual(viaFlag);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^usage: octavo rows import --data-source ID --file ROWS\.ndjson/);
    expect(viaHelp.stdout).toContain('progress (rows, rows/s, time left)');
    expect(viaHelp.stdout).not.toContain('integration create');
    const group = await runCli(['integration', '--help']);
    expect(group.stdout.trim().split('\n')).toHaveLength(6);
    const unknown = await runCli(['help', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command: nope/);
  });
});
