/**
 * The test-double commands as a user runs them: `octavo serve --memory|--data … --fixture`, then
 * `seed`, `snapshot`, `reset`, `fault`, `clock` and `requests` against it with --url, and `seed`
 * and `snapshot` straight on the storage with no server. Real processes, real HTTP, both engines.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, runCli, runCliJson, type ServeProcess, startServe, storageFor } from '../e2e/cli-process.ts';
import { describeEngines } from '../helpers/engines.ts';
import { FIXTURE_YAML, IDS, TOKEN_A } from './fixture.ts';

const fixtureFile = join(tmpdir(), `octavo-td-cli-${process.pid}.yaml`);
writeFileSync(fixtureFile, FIXTURE_YAML);
const extraFile = join(tmpdir(), `octavo-td-cli-extra-${process.pid}.json`);
writeFileSync(
  extraFile,
  JSON.stringify({
    pages: [{ title: 'Extra', id: '66666666-6666-4666-8666-666666666666', shared_with: ['Tests A'] }],
  }),
);

const wrongFile = join(tmpdir(), `octavo-td-cli-wrong-${process.pid}.yaml`);
writeFileSync(wrongFile, 'pages:\n  - title: Wrong\n    children:\n      - paragraph: { rich_text: 5 }\n');

describeEngines('test-double CLI', (engine) => {
  let storage: ReturnType<typeof storageFor>;
  let serve: ServeProcess;
  let remote: string[];
  let notion: Client;
  beforeAll(async () => {
    storage = storageFor(engine);
    // SQLite runs in memory (nothing on disk); Postgres in the suite's schema.
    const where = engine === 'sqlite' ? ['--memory'] : storage.args;
    serve = await startServe([...where, '--port', '0', '--rate-limit', 'off', '--fixture', fixtureFile], {
      ...storage.env,
      OCTAVO_CLOCK: '2026-01-01T00:00:00Z',
    });
    const admin = /admin:\s+(oat_\w+)/.exec(serve.banner)?.[1];
    expect(admin).toBeDefined();
    remote = ['--url', serve.url, '--admin-token', admin!];
    notion = new Client({ auth: TOKEN_A, baseUrl: serve.url, retry: false, logLevel: 'error' as never });
  });
  afterAll(async () => {
    await serve?.stop();
    await storage.cleanup();
  });

  it('serve --fixture seeds at start; seed FILE adds to it through the admin API', async () => {
    if (engine === 'sqlite') expect(serve.banner).toContain('SQLite in :memory:');
    expect((await notion.pages.retrieve({ page_id: IDS.home })).id).toBe(IDS.home);
    const seeded = await runCliJson<{ pages: number }>(['seed', extraFile, ...remote], storage.env);
    expect(seeded.pages).toBe(1);
    expect(
      (await notion.pages.retrieve({ page_id: '66666666-6666-4666-8666-666666666666' })).id,
    ).toBeTruthy();
    const bad = await runCli(['seed', '/nonexistent/fixture.yaml', ...remote], storage.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('cannot read /nonexistent/fixture.yaml');
    const wrong = await runCli(['seed', wrongFile, ...remote], storage.env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('pages[0].children[0].paragraph.rich_text should be an array');
  });

  it('snapshot save, list, restore, delete and reset through --url', async () => {
    await runCliJson(['snapshot', 'save', 'base', ...remote], storage.env);
    const list = await runCliJson<{ snapshots: { name: string }[] }>(['snapshot', 'list', ...remote]);
    expect(list.snapshots.map((s) => s.name)).toContain('base');
    await notion.pages.update({ page_id: IDS.home, in_trash: true });
    const restored = await runCli(['snapshot', 'restore', 'base', ...remote], storage.env);
    expect(restored.stdout).toMatch(/Restored snapshot base \(\d+ ms\)/);
    const home = await notion.pages.retrieve({ page_id: IDS.home });
    expect('in_trash' in home && home.in_trash).toBe(false);

    const missing = await runCli(['snapshot', 'restore', 'nope', ...remote], storage.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Could not find snapshot: nope');

    await runCliJson(['reset', ...remote], storage.env);
    // The fixture's integration went with the reset: its token no longer works.
    await expect(notion.users.me({})).rejects.toMatchObject({ code: 'unauthorized' });
    await runCliJson(['snapshot', 'restore', 'base', ...remote], storage.env);
    expect((await notion.users.me({})).object).toBe('user');
    await runCliJson(['snapshot', 'delete', 'base', ...remote], storage.env);
    const after = await runCliJson<{ snapshots: unknown[] }>(['snapshot', 'list', ...remote], storage.env);
    expect(after.snapshots).toEqual([]);
  });

  it('fault add, list with fire counts, clear', async () => {
    const added = await runCliJson<{ id: string }>(
      [
        'fault',
        'add',
        '--route',
        '/v1/pages/*',
        '--method',
        'GET',
        '--status',
        '503',
        '--count',
        '2',
        ...remote,
      ],
      storage.env,
    );
    for (let i = 0; i < 2; i++)
      await expect(notion.pages.retrieve({ page_id: IDS.home })).rejects.toMatchObject({
        status: 503,
        code: 'service_unavailable',
      });
    expect((await notion.pages.retrieve({ page_id: IDS.home })).id).toBe(IDS.home);
    const text = await runCli(['fault', 'list', ...remote], storage.env);
    expect(text.stdout).toContain(`${added.id}  fired 2  answer 503 on GET /v1/pages/* (2 times)`);
    const bad = await runCli(['fault', 'add', '--status', '418', ...remote], storage.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('status');
    const cleared = await runCliJson<{ cleared: number }>(['fault', 'clear', ...remote], storage.env);
    expect(cleared.cleared).toBe(1);
  });

  it('clock shows, advances and sets the server clock; new pages carry its time', async () => {
    const shown = await runCliJson<{ time: string; frozen: boolean }>(['clock', ...remote], storage.env);
    expect(shown).toEqual({ object: 'clock', time: '2026-01-01T00:00:00.000Z', frozen: true });
    const moved = await runCliJson<{ time: string }>(['clock', '--advance', '2h', ...remote], storage.env);
    expect(moved.time).toBe('2026-01-01T02:00:00.000Z');
    const page = await notion.pages.create({
      parent: { page_id: IDS.home },
      properties: { title: { title: [{ text: { content: 'clocked' } }] } },
    });
    expect('created_time' in page && page.created_time).toBe('2026-01-01T02:00:00.000Z');
    const set = await runCliJson<{ time: string }>(['clock', '--set', '2027-05-01T10:30:00Z', ...remote]);
    expect(set.time).toBe('2027-05-01T10:30:00.000Z');
  });

  it('requests lists the journal filtered by status and integration, token redacted', async () => {
    await notion.pages.retrieve({ page_id: '77777777-7777-4777-8777-777777777777' }).catch(() => {});
    const text = await runCli(['requests', '--status', '4xx', '--integration', 'Tests A', ...remote]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/GET \/v1\/pages\/77777777-7777-4777-8777-777777777777 404 [\d.]+ms Tests A/);
    expect(text.stdout).not.toMatch(/ 200 /);
    const json = await runCli(['requests', '--limit', '1', '--json', ...remote], storage.env);
    const entry = JSON.parse(json.stdout.trim().split('\n').at(-1)!);
    expect(entry.authorization).toMatch(/^Bearer ntn_test…$/);
    expect(json.stdout).not.toContain(TOKEN_A);
    const bad = await runCli(['requests', '--status', 'bad', ...remote], storage.env);
    expect(bad.code).toBe(1);
  });

  it('requests --follow prints new requests as they come', async () => {
    const child = spawn(process.execPath, [BIN, 'requests', '--follow', '--limit', '0', ...remote], {
      env: storage.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      // The first poll has happened once the process is up; keep asking until a line shows.
      const deadline = Date.now() + 20_000;
      while (!out.includes('/v1/users/me') && Date.now() < deadline) {
        await notion.users.me({});
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(out).toMatch(/GET \/v1\/users\/me 200 [\d.]+ms Tests A/);
    } finally {
      child.kill('SIGINT');
    }
  });

  // Seven commands, each a process that opens and migrates the storage: a minute on a loaded machine.
  it('seed and snapshot work on the storage directly, with no server', { timeout: 90_000 }, async () => {
    const local = storageFor(engine);
    try {
      const seeded = await runCliJson<{ pages: number }>(['seed', fixtureFile, ...local.args], local.env);
      expect(seeded.pages).toBeGreaterThan(0);
      await runCliJson(['snapshot', 'save', 'one', ...local.args], local.env);
      const list = await runCliJson<{ snapshots: { name: string }[] }>(
        ['snapshot', 'list', ...local.args],
        local.env,
      );
      expect(list.snapshots.map((s) => s.name)).toEqual(['one']);
      await runCliJson(['reset', ...local.args], local.env);
      await runCliJson(['snapshot', 'restore', 'one', ...local.args], local.env);
      // A second seed of the same ids is refused: the restored workspace has them.
      const again = await runCli(['seed', fixtureFile, ...local.args], local.env);
      expect(again.code).toBe(1);
      await runCliJson(['snapshot', 'delete', 'one', ...local.args], local.env);
    } finally {
      await local.cleanup();
    }
  });
});
