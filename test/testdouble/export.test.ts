/**
 * `octavo fixture export`: Octavo → fixture → Octavo gives the same workspace, read through the
 * official SDK (the export of the second equals the export of the first, ids included), on both
 * engines; and the command over real HTTP writes a YAML fixture `seed` accepts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exportFixture } from '../../src/cli/fixture-export.ts';
import { type Fixture, readFixture } from '../../src/ops/fixture.ts';
import type { OctavoTest } from '../../src/testing/index.ts';
import { runCli, startServe } from '../e2e/cli-process.ts';
import { describeEngines } from '../helpers/engines.ts';
import { FIXTURE_YAML, IDS, startFor, TOKEN_A } from './fixture.ts';

const EXTRA = {
  pages: [
    {
      id: '88888888-8888-4888-8888-888888888881',
      title: 'Formats',
      shared_with: ['Tests A'],
      cover: { type: 'external', external: { url: 'https://example.com/cover.png' } },
      children: [
        { heading_2: { rich_text: [{ text: { content: 'Heading' }, annotations: { bold: true } }] } },
        {
          to_do: {
            rich_text: [{ text: { content: 'Task', link: { url: 'https://example.com/' } } }],
            checked: true,
          },
        },
        { code: { rich_text: [{ text: { content: 'let x = 1;' } }], language: 'javascript' } },
        { divider: {} },
        { image: { type: 'external', external: { url: 'https://example.com/a.png' } } },
        {
          toggle: {
            rich_text: [
              { text: { content: 'See ' } },
              { mention: { page: { id: IDS.home } } },
              { equation: { expression: 'e=mc^2' } },
            ],
            children: [{ quote: { rich_text: [{ text: { content: 'Quoted' } }] } }],
          },
        },
      ],
      databases: [
        {
          id: '88888888-8888-4888-8888-888888888882',
          data_source_id: '88888888-8888-4888-8888-888888888883',
          title: 'Catalog',
          properties: {
            Item: { title: {} },
            Price: { number: { format: 'euro' } },
            Kind: { select: { options: [{ name: 'Book', color: 'blue' }, { name: 'Tool' }] } },
            Tags: { multi_select: { options: [{ name: 'new' }, { name: 'sale' }] } },
            Link: { url: {} },
            Notes: { rich_text: {} },
          },
          rows: [
            {
              id: '88888888-8888-4888-8888-888888888884',
              properties: {
                Item: { title: [{ text: { content: 'Atlas' } }] },
                Price: { number: 12.5 },
                Kind: { select: { name: 'Book' } },
                Tags: { multi_select: [{ name: 'new' }, { name: 'sale' }] },
                Link: { url: 'https://example.com/atlas' },
                Notes: { rich_text: [{ text: { content: 'Heavy' }, annotations: { italic: true } }] },
              },
            },
          ],
        },
      ],
    },
  ],
};

/** A fixture with its one integration's made-up token set aside. */
function withoutToken(f: Fixture) {
  return { ...f, integrations: f.integrations?.map(({ token: _t, ...rest }) => rest) };
}

describeEngines('fixture export', (engine) => {
  let first: OctavoTest;
  let second: OctavoTest | undefined;
  beforeAll(async () => {
    first = await startFor(engine, { fixture: FIXTURE_YAML });
    await first.seed(EXTRA as Fixture);
  });
  afterAll(async () => {
    await first.close();
    await second?.close();
  });

  it('Octavo → fixture → Octavo: the second workspace exports equal to the first', async () => {
    const progress: number[] = [];
    const exported = await exportFixture(first.client({ token: TOKEN_A }), (done) => progress.push(done));
    expect(progress.length).toBeGreaterThan(5);
    const f = exported.fixture;
    expect(f.integrations).toEqual([{ name: 'Tests A', token: expect.stringMatching(/^ntn_fixture/) }]);
    expect(f.users).toEqual([{ id: IDS.user, name: 'Ada Lovelace', email: 'ada@example.com' }]);
    // Tests A sees Home and Formats (not Secret), with their sub-pages, databases, rows and blocks.
    expect(f.pages!.map((p) => p.id).sort()).toEqual([IDS.home, '88888888-8888-4888-8888-888888888881']);
    const home = f.pages!.find((p) => p.id === IDS.home)!;
    expect(home.pages!.map((p) => [p.id, p.title, p.icon])).toEqual([
      [IDS.child, 'Child page', { type: 'emoji', emoji: '🧪' }],
    ]);
    expect(home.children![1]).toMatchObject({
      id: IDS.item,
      bulleted_list_item: {
        children: [{ id: IDS.nested, paragraph: { rich_text: [{ text: { content: 'Inside' } }] } }],
      },
    });
    expect(home.databases![0]!.rows!.map((r) => r.id).sort()).toEqual([IDS.row1, IDS.row2]);
    expect(exported.skipped).toEqual({});

    second = await startFor(engine, { fixture: f });
    const again = await exportFixture(second.client({ token: f.integrations![0]!.token }));
    expect(withoutToken(again.fixture)).toEqual(withoutToken(f));
  });
});

it('octavo fixture export over HTTP writes a YAML fixture that seeds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-export-'));
  const fixtureFile = join(dir, 'in.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(fixtureFile, FIXTURE_YAML);
  const serve = await startServe([
    '--memory',
    '--port',
    '0',
    '--rate-limit',
    'off',
    '--fixture',
    fixtureFile,
  ]);
  try {
    const out = join(dir, 'out.yaml');
    const r = await runCli(['fixture', 'export', '--from', serve.url, '--token', TOKEN_A, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Exported 5 pages, databases and rows to .*out\.yaml/);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain(TOKEN_A);
    const fixture = readFixture(text, 'yaml');
    expect(fixture.pages!.map((p) => p.id)).toEqual([IDS.home]);
    const seeded = await runCli(['seed', out, '--data', join(dir, 'data')]);
    expect(seeded.stdout).toContain('Seeded');
    const bad = await runCli([
      'fixture',
      'export',
      '--from',
      serve.url,
      '--token',
      'ntn_wrongwrongwrongwrong',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('API token is invalid');
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
