import { describe, expect, it } from 'vitest';
import { keyAfter, keyBetween, keysBetween } from '../../src/lib/order-key.ts';

const N = 100_000;
const MAX_LENGTH = 20;

/** Runs `n` insertions, checking each key against its bounds; returns the longest key. */
function run(n: number, next: (i: number) => { key: string; lo: string | null; hi: string | null }): number {
  let longest = 0;
  for (let i = 0; i < n; i++) {
    const { key, lo, hi } = next(i);
    if ((lo !== null && !(lo < key)) || (hi !== null && !(key < hi)))
      throw new Error(`step ${i}: ${key} not between ${lo} and ${hi}`);
    if (key.endsWith('0')) throw new Error(`step ${i}: ${key} ends with the smallest digit`);
    longest = Math.max(longest, key.length);
  }
  return longest;
}

describe('order keys', () => {
  it(`stay short over ${N} appends at the end`, () => {
    let last = keyBetween(null, null);
    const longest = run(N, () => {
      const lo = last;
      last = keyAfter(last);
      return { key: last, lo, hi: null };
    });
    expect(longest).toBeLessThanOrEqual(MAX_LENGTH);
  });

  it(`stay short over ${N} insertions at the start`, () => {
    let first = keyBetween(null, null);
    const longest = run(N, () => {
      const hi = first;
      first = keyBetween(null, first);
      return { key: first, lo: null, hi };
    });
    expect(longest).toBeLessThanOrEqual(MAX_LENGTH);
  });

  it(`stay short over ${N} insertions right after one anchor`, () => {
    const anchor = keyBetween(null, null);
    let next: string | null = keyAfter(anchor);
    const longest = run(N, () => {
      const hi = next;
      next = keyBetween(anchor, next);
      return { key: next, lo: anchor, hi };
    });
    expect(longest).toBeLessThanOrEqual(MAX_LENGTH);
  });

  it(`stay short over ${N} insertions each after the previous one, before a fixed sibling`, () => {
    const end = keyAfter(keyBetween(null, null));
    let prev = keyBetween(null, null);
    const longest = run(N, () => {
      const lo = prev;
      prev = keyBetween(prev, end);
      return { key: prev, lo, hi: end };
    });
    expect(longest).toBeLessThanOrEqual(MAX_LENGTH);
  });

  it('stay short over batches inserted at the start, at the end and after one anchor', () => {
    let first = keyBetween(null, null);
    let last = first;
    const anchor = first;
    let afterAnchor: string | null = null;
    let longest = 0;
    for (let i = 0; i < 1000; i++) {
      const head = keysBetween(null, first, 100);
      const tail = keysBetween(last, null, 100);
      const mid = keysBetween(anchor, afterAnchor ?? tail[0]!, 100);
      for (const batch of [head, tail, mid]) {
        for (let j = 1; j < batch.length; j++)
          if (!(batch[j - 1]! < batch[j]!)) throw new Error(`batch ${i} out of order at ${j}`);
        longest = Math.max(longest, ...batch.map((k) => k.length));
      }
      expect(head.at(-1)! < first && anchor < mid[0]! && last < tail[0]!).toBe(true);
      first = head[0]!;
      last = tail.at(-1)!;
      afterAnchor = mid[0]!;
    }
    expect(longest).toBeLessThanOrEqual(MAX_LENGTH);
  });

  it('keep keys written by the earlier scheme valid: new keys fall between any two of them', () => {
    // What 100,000 appends used to leave behind: runs of 'z' grown one character per ~31 appends.
    const legacy = [
      'V',
      'W',
      'z',
      'zV',
      'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzV',
      'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzW',
    ];
    for (let i = 0; i < legacy.length; i++) {
      const lo = legacy[i]!;
      const hi = legacy[i + 1] ?? null;
      const key = hi === null ? keyAfter(lo) : keyBetween(lo, hi);
      expect(lo < key && (hi === null || key < hi)).toBe(true);
      expect(key.length).toBeLessThanOrEqual(Math.max(lo.length, hi?.length ?? 0) + 8);
    }
    expect(keyBetween(null, 'V') < 'V').toBe(true);
    expect(() => keyBetween('W', 'V')).toThrow();
  });
});
