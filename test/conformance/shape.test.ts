/** The replay's own machinery: structural diff and id rewriting must catch what they claim to. */
import { describe, expect, it } from 'vitest';
import { IdMap } from './replay.ts';
import { shapeDiff } from './shape.ts';

const block = (extra: Record<string, unknown> = {}) => ({
  object: 'block',
  id: 'a',
  type: 'paragraph',
  paragraph: { rich_text: [{ type: 'text', plain_text: 'x' }], icon: null, color: 'default' },
  ...extra,
});

describe('shapeDiff', () => {
  it('ignores values other than object/type/code/status and booleans', () => {
    expect(shapeDiff(block({ id: 'x' }), block({ id: 'y' }))).toEqual([]);
  });

  it('reports missing and extra keys, recursively', () => {
    const { icon: _i, ...paragraph } = block().paragraph;
    expect(shapeDiff(block(), block({ paragraph, extra: 1 }))).toEqual([
      '$: Octavo adds "extra"',
      '$.paragraph: Octavo lacks "icon"',
    ]);
  });

  it("compares booleans, except the recorded workspace's email_verified", () => {
    expect(shapeDiff({ in_trash: true }, { in_trash: false })).toEqual([
      '$.in_trash: Notion has true, Octavo has false',
    ]);
    expect(shapeDiff({ person: { email_verified: true } }, { person: { email_verified: false } })).toEqual(
      [],
    );
  });

  it('reports JSON type and discriminator differences', () => {
    expect(shapeDiff({ a: 1, type: 'x' }, { a: '1', type: 'y' })).toEqual([
      '$.a: Notion has number 1, Octavo has string "1"',
      '$.type: Notion has "x", Octavo has "y"',
    ]);
  });

  it('compares arrays by their first element of the same kind', () => {
    const people = [{ object: 'user', type: 'person', person: {} }];
    const mixed = [
      { object: 'user', type: 'bot', bot: {} },
      { object: 'user', type: 'person', person: {} },
    ];
    expect(shapeDiff({ results: people }, { results: mixed })).toEqual([]);
    expect(shapeDiff({ results: people }, { results: [] })).toEqual([
      '$.results: Notion has 1 items, Octavo has 0',
    ]);
  });

  it('checks key order on objects named by `object` (pages, databases, lists, errors…) only', () => {
    const { type, ...rest } = block();
    expect(shapeDiff(block(), { ...rest, type })).toHaveLength(1);
    for (const object of ['database', 'data_source', 'list', 'property_item', 'user', 'error']) {
      expect(shapeDiff({ object, a: 1, b: 2 }, { object, b: 2, a: 1 })).toHaveLength(1);
    }
    expect(shapeDiff({ a: 1, b: 2 }, { b: 2, a: 1 })).toEqual([]);
  });

  it('compares how timestamps are written, not when', () => {
    const at = (t: string) => ({ created_time: t });
    expect(shapeDiff(at('2026-07-04T09:09:00.000Z'), at('2025-01-01T10:11:00.000Z'))).toEqual([]);
    expect(shapeDiff(at('2026-07-04T09:08:53.017+00:00'), at('2025-01-01T10:11:12.345+00:00'))).toEqual([]);
    // A real instant may fall on a minute: an offset timestamp of Octavo's with :00 seconds is fine.
    expect(shapeDiff(at('2026-07-04T09:08:53.017+00:00'), at('2025-01-01T10:11:00.000+00:00'))).toEqual([]);
    expect(shapeDiff(at('2026-07-04T09:08:53.017+00:00'), at('2025-01-01T10:11:00.000Z'))).toEqual([
      '$.created_time: timestamp written as 3 fraction digits, zone offset by Notion (2026-07-04T09:08:53.017+00:00), 3 fraction digits, zone Z by Octavo (2025-01-01T10:11:00.000Z)',
    ]);
    expect(shapeDiff(at('2026-07-04T09:09:00.000Z'), at('2025-01-01T10:11:12.345Z'))).toEqual([
      '$.created_time: Notion rounds this timestamp to the minute (2026-07-04T09:09:00.000Z), Octavo does not (2025-01-01T10:11:12.345Z)',
    ]);
    expect(shapeDiff(at('2026-07-04T09:09:00.000Z'), at('yesterday'))).toHaveLength(1);
  });
});

describe('IdMap', () => {
  it('maps ids learned from responses and sends unknown ones to the fallback page', () => {
    const ids = new IdMap('root-page');
    expect(ids.rewrite('/v1/pages/393abc1eedcd80f3813be205934558c6')).toBe('/v1/pages/root-page');
    ids.learn(
      {
        id: '393abc1e-edcd-81ce-b962-fc10c1cbd323',
        results: [{ type: 'x', id: '393abc1e-edcd-8165-8d21-cc32a3d05895' }],
      },
      {
        id: '11111111-1111-4111-8111-111111111111',
        results: [{ type: 'x', id: '22222222-2222-4222-8222-222222222222' }],
      },
    );
    expect(
      ids.rewrite(
        'blocks/393abc1eedcd81ceb962fc10c1cbd323/children?start_cursor=393abc1e-edcd-8165-8d21-cc32a3d05895',
      ),
    ).toBe(
      'blocks/11111111-1111-4111-8111-111111111111/children?start_cursor=22222222-2222-4222-8222-222222222222',
    );
    expect(ids.rewrite('00000000-0000-0000-0000-000000000000')).toBe('00000000-0000-0000-0000-000000000000');
  });

  it('reports a known id answered as a different object', () => {
    const ids = new IdMap('root-page');
    ids.learn({ id: '393abc1e-edcd-81ce-b962-fc10c1cbd323' }, { id: '11111111-1111-4111-8111-111111111111' });
    const recorded = { parent: { type: 'page_id', page_id: '393abc1eedcd81ceb962fc10c1cbd323' } };
    expect(
      ids.mismatches(recorded, {
        parent: { type: 'page_id', page_id: '11111111-1111-4111-8111-111111111111' },
      }),
    ).toEqual([]);
    expect(ids.mismatches(recorded, { parent: { type: 'page_id', page_id: 'root-page' } })).toEqual([
      '$.parent.page_id: Notion refers to 393abc1eedcd81ceb962fc10c1cbd323 (here 11111111-1111-4111-8111-111111111111), Octavo to root-page',
    ]);
    // An id seen for the first time is learned, not judged.
    expect(ids.mismatches({ id: '393abc1e-edcd-8165-8d21-cc32a3d05895' }, { id: 'anything' })).toEqual([]);
  });
});
