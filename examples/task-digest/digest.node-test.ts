/**
 * The same helper under Node's own test runner (`node --test examples/task-digest/digest.node-test.ts`);
 * run by node-runner.test.ts so `npm test` covers it.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { type OctavoTest, startOctavo } from 'octavo/testing';
import { postDigest } from './digest.ts';

const TEAM = '0a0a0a0a-0000-4000-8000-000000000001';
const TASKS = '0a0a0a0a-0000-4000-8000-000000000002';
let octavo: OctavoTest;

before(async () => {
  octavo = await startOctavo({
    fixture: new URL('fixture.yaml', import.meta.url).pathname,
    clock: '2026-01-01T09:00:00Z',
  });
});
after(() => octavo.close());
beforeEach(() => octavo.rewind());

test('posts the open tasks due next week', async () => {
  const digest = await postDigest(octavo.client(), { tasks: TASKS, parent: TEAM });
  assert.deepEqual(digest.tasks, ['Write the release notes']);
});

test('starts from the fixture again', async () => {
  const children = await octavo.client().blocks.children.list({ block_id: TEAM });
  assert.deepEqual(
    children.results.map((b) => ('type' in b ? b.type : '')),
    ['child_database'],
  );
});
