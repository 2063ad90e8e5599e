import { describe, expect, it } from 'vitest';
import { newId, normalizeId } from '../../src/lib/ids.ts';

describe('newId', () => {
  it('makes dashed lowercase version-7 ids that sort in the order they were made', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    for (const id of ids) {
      expect(normalizeId(id)).toBe(id);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the order past 4,096 ids in one millisecond and after the clock steps back', () => {
    const at = Date.now() + 60_000;
    const ids = [...Array.from({ length: 5000 }, () => newId(at)), newId(at - 10), newId(at + 1)];
    expect([...ids].sort()).toEqual(ids);
  });
});
