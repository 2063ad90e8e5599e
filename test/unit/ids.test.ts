import { describe, expect, it } from 'vitest';
import { compactId, newId, normalizeId } from '../../src/lib/ids.ts';

describe('ids', () => {
  it('makes version-7 ids that sort in the order they were made, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = Number.parseInt(compactId(ids[0]!).slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
  });

  it('reads ids with or without dashes, in any case', () => {
    expect(normalizeId('ABCDEF0123456789ABCDEF0123456789')).toBe('abcdef01-2345-6789-abcd-ef0123456789');
    expect(normalizeId('abcdef01-2345-6789-abcd-ef0123456789')).toBe('abcdef01-2345-6789-abcd-ef0123456789');
    expect(normalizeId('not-an-id')).toBeNull();
    expect(normalizeId(42)).toBeNull();
  });
});
