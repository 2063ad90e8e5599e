/**
 * A user's Jest test file, copied by package.test.ts into a project that installed Octavo's
 * tarball and Jest (not this repository). `octavo/testing` is an ES module, so the file is one
 * too (the project has "type": "module") and Jest runs it with Node's VM modules:
 * `NODE_OPTIONS=--experimental-vm-modules npx jest`. Plain JavaScript: Jest does not strip
 * TypeScript by itself. describe/test/expect/beforeAll… are Jest's globals.
 */
import { isFullBlock, isFullPage } from '@notionhq/client';
import { startOctavo } from 'octavo/testing';

const TEAM = '0a0a0a0a-0000-4000-8000-000000000001';
const TASKS = '0a0a0a0a-0000-4000-8000-000000000002';
const EXTRA = '0a0a0a0a-0000-4000-8000-0000000000ee';
let octavo;

const title = (page) => page.properties.Name.title.map((t) => t.plain_text).join('');

beforeAll(async () => {
  octavo = await startOctavo({ fixture: 'test/fixture.yaml', clock: '2026-01-01T09:00:00Z' });
});
afterAll(() => octavo.close());
beforeEach(() => octavo.rewind());

test('the official client reads the seeded workspace', async () => {
  const notion = octavo.client();
  expect((await notion.users.me({})).name).toBe('Digest bot');
  const rows = await notion.dataSources.query({
    data_source_id: TASKS,
    sorts: [{ property: 'Due', direction: 'ascending' }],
  });
  expect(rows.results.filter(isFullPage).map(title)).toEqual([
    'Write the release notes',
    'Book the venue',
    'Plan the offsite',
  ]);
});

test('writes, and seeds more content in the middle of a test', async () => {
  const notion = octavo.client();
  const page = await notion.pages.create({
    parent: { page_id: TEAM },
    properties: { title: { title: [{ text: { content: 'Scratch' } }] } },
  });
  expect(page.created_time).toBe('2026-01-01T09:00:00.000Z'); // the fixed clock
  expect(
    await octavo.seed({ pages: [{ id: EXTRA, title: 'Extra', shared_with: ['Digest bot'] }] }),
  ).toMatchObject({
    pages: 1,
  });
  expect((await notion.pages.retrieve({ page_id: EXTRA })).id).toBe(EXTRA);
  const children = await notion.blocks.children.list({ block_id: TEAM });
  expect(children.results.filter(isFullBlock).map((b) => b.type)).toEqual(['child_database', 'child_page']);
});

test('rewind went back to the fixture: the page and the extra content are gone', async () => {
  const notion = octavo.client();
  const children = await notion.blocks.children.list({ block_id: TEAM });
  expect(children.results.filter(isFullBlock).map((b) => b.type)).toEqual(['child_database']);
  await expect(notion.pages.retrieve({ page_id: EXTRA })).rejects.toMatchObject({ code: 'object_not_found' });
});
