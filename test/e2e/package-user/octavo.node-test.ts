/**
 * A user's own test file, copied by package.test.ts into a project that installed Octavo's
 * tarball (not this repository): `octavo/testing` resolves to the package's compiled dist/ and
 * its declarations. Run there with `node --test`, and type-checked there with `tsc`.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { APIErrorCode, isFullBlock, isFullPage, isNotionClientError } from '@notionhq/client';
import { type OctavoTest, startOctavo } from 'octavo/testing';

const TEAM = '0a0a0a0a-0000-4000-8000-000000000001';
const TASKS = '0a0a0a0a-0000-4000-8000-000000000002';
const EXTRA = '0a0a0a0a-0000-4000-8000-0000000000ee';
let octavo: OctavoTest;

const title = (page: { properties: Record<string, unknown> }) =>
  (page.properties.Name as { title: { plain_text: string }[] }).title.map((t) => t.plain_text).join('');

before(async () => {
  octavo = await startOctavo({ fixture: 'test/fixture.yaml', clock: '2026-01-01T09:00:00Z' });
});
after(() => octavo.close());
beforeEach(() => octavo.rewind());

test('the official client reads the seeded workspace', async () => {
  const notion = octavo.client();
  assert.equal((await notion.users.me({})).name, 'Digest bot');
  const rows = await notion.dataSources.query({
    data_source_id: TASKS,
    sorts: [{ property: 'Due', direction: 'ascending' }],
  });
  assert.deepEqual(rows.results.filter(isFullPage).map(title), [
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
  assert.ok(isFullPage(page));
  assert.equal(page.created_time, '2026-01-01T09:00:00.000Z'); // the fixed clock
  const seeded = await octavo.seed({ pages: [{ id: EXTRA, title: 'Extra', shared_with: ['Digest bot'] }] });
  assert.equal(seeded.pages, 1);
  assert.equal((await notion.pages.retrieve({ page_id: EXTRA })).id, EXTRA);
  const children = await notion.blocks.children.list({ block_id: TEAM });
  assert.deepEqual(
    children.results.filter(isFullBlock).map((b) => b.type),
    ['child_database', 'child_page'],
  );
});

test('rewind went back to the fixture: the page and the extra content are gone', async () => {
  const notion = octavo.client();
  const children = await notion.blocks.children.list({ block_id: TEAM });
  assert.deepEqual(
    children.results.filter(isFullBlock).map((b) => b.type),
    ['child_database'],
  );
  await assert.rejects(
    notion.pages.retrieve({ page_id: EXTRA }),
    (e) => isNotionClientError(e) && e.code === APIErrorCode.ObjectNotFound,
  );
});

test('a fault rule: the client retries a 429 and the journal shows it', async () => {
  await octavo.admin('/faults', { body: { route: '/v1/users/me', status: 429, retry_after: 0, count: 1 } });
  assert.equal((await octavo.client().users.me({})).name, 'Digest bot');
  const log = (await (await octavo.admin('/requests?status=429')).json()) as { results: unknown[] };
  assert.equal(log.results.length, 1);
});

test('the helper is typed: tsc refuses a wrong option (the package ships declarations)', () => {
  // @ts-expect-error `retries` is a number
  const wrong = () => octavo.client({ retries: 'twice' });
  assert.equal(typeof wrong, 'function');
});
