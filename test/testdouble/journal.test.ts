/**
 * The request journal keeps the last `size` requests, oldest first, across wrapping of its ring:
 * listing, filters, `after` and `limit` see the same order as before it filled.
 */
import { expect, it } from 'vitest';
import { RequestJournal } from '../../src/ops/emulator.ts';

const entry = (status: number, name: string) => ({
  time: '2026-01-01T00:00:00.000Z',
  method: 'GET',
  path: '/v1/users/me',
  query: '',
  status,
  latency_ms: 1,
  integration: { id: name, name },
  request_id: null,
  authorization: null,
  request_body: null,
  response_body: null,
  fault: null,
});

it('keeps the newest entries in order as the ring wraps, and starts over when cleared', () => {
  const journal = new RequestJournal(3);
  const seen: number[] = [];
  journal.listen((e) => seen.push(e.seq));
  for (let i = 1; i <= 7; i++) journal.add(entry(i % 2 ? 200 : 404, i % 3 ? 'a' : 'b'));
  expect(journal.list().map((e) => e.seq)).toEqual([5, 6, 7]);
  expect(journal.list({ after: 5 }).map((e) => e.seq)).toEqual([6, 7]);
  expect(journal.list({ status: '4xx' }).map((e) => e.seq)).toEqual([6]);
  expect(journal.list({ integration: 'b' }).map((e) => e.seq)).toEqual([6]);
  expect(journal.list({ limit: 2 }).map((e) => e.seq)).toEqual([6, 7]);
  expect(journal.list()[0]).toMatchObject({ seq: 5, status: 200 });
  expect(Object.keys(journal.list()[0]!)[0]).toBe('seq');
  expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(journal.latest).toBe(7);
  journal.clear();
  expect(journal.list()).toEqual([]);
  for (let i = 0; i < 4; i++) journal.add(entry(200, 'a'));
  expect(journal.list().map((e) => e.seq)).toEqual([9, 10, 11]);
});

it('keeps nothing with a size of 0', () => {
  const journal = new RequestJournal(0);
  journal.add(entry(200, 'a'));
  expect(journal.list()).toEqual([]);
});
