/**
 * The sample integration's tests against Octavo in process: a fixture, a fixed clock, a rewind
 * before each test, a fault rule and the request journal. `npm test` runs them.
 */
import { isFullBlock } from '@notionhq/client';
import { type OctavoTest, startOctavo } from 'octavo/testing';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { postDigest } from './digest.ts';

const TEAM = '0a0a0a0a-0000-4000-8000-000000000001';
const TASKS = '0a0a0a0a-0000-4000-8000-000000000002';
let octavo: OctavoTest;

beforeAll(async () => {
  octavo = await startOctavo({
    fixture: new URL('fixture.yaml', import.meta.url).pathname,
    clock: '2026-01-01T09:00:00Z', // a Thursday: "next week" is January 4 to 10
  });
});
afterAll(() => octavo.close());
beforeEach(() => octavo.rewind());

it('lists the open tasks due next week on a new page', async () => {
  const notion = octavo.client();
  const digest = await postDigest(notion, { tasks: TASKS, parent: TEAM });
  expect(digest.tasks).toEqual(['Write the release notes']);
  const blocks = await notion.blocks.children.list({ block_id: digest.pageId });
  const items = blocks.results.filter(isFullBlock).map((b) => b.type);
  expect(items).toEqual(['bulleted_list_item']);
});

it('follows the clock: two weeks later, the offsite is due', async () => {
  await octavo.admin('/clock', { body: { advance: '14d' } });
  const digest = await postDigest(octavo.client(), { tasks: TASKS, parent: TEAM });
  expect(digest.tasks).toEqual(['Plan the offsite']);
  await octavo.admin('/clock', { body: { advance: '-14d' } });
});

it('starts each test from the fixture: the digests of earlier tests are gone', async () => {
  const children = await octavo.client().blocks.children.list({ block_id: TEAM });
  expect(children.results.filter((b) => isFullBlock(b) && b.type === 'child_page')).toHaveLength(0);
});

it('recovers from rate limiting through the SDK retries', async () => {
  await octavo.admin('/faults', {
    body: { route: '/v1/pages', method: 'POST', status: 429, retry_after: 0, count: 2 },
  });
  const digest = await postDigest(octavo.client(), { tasks: TASKS, parent: TEAM });
  expect(digest.tasks).toHaveLength(1);
  const log = (await (await octavo.admin('/requests?status=429')).json()) as { results: unknown[] };
  expect(log.results).toHaveLength(2);
});
