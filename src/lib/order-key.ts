/**
 * Fractional ordering keys: strings that sort lexicographically (byte order) and allow a new key
 * between any two existing keys, so inserting a sibling never renumbers the others.
 * Digits are base-62 in ASCII order; keys never end with the smallest digit, so a key strictly
 * between two neighbours always exists.
 */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = DIGITS.length;
const MID = DIGITS[BASE >> 1]!;

function digit(key: string, i: number, fallback: number): number {
  const ch = key[i];
  return ch === undefined ? fallback : DIGITS.indexOf(ch);
}

/**
 * A key strictly between `a` and `b` (either may be null for "no bound").
 * Throws when a >= b, which would be a caller bug.
 */
export function keyBetween(a: string | null, b: string | null): string {
  if (a !== null && b !== null && a >= b) throw new Error(`keyBetween: ${a} >= ${b}`);
  const lo = a ?? '';
  let out = '';
  for (let i = 0; ; i++) {
    const da = digit(lo, i, 0);
    const db = b === null ? BASE : digit(b, i, BASE);
    if (da === db) {
      out += DIGITS[da];
      continue;
    }
    if (db - da > 1) {
      return out + DIGITS[(da + db) >> 1];
    }
    // Adjacent digits: keep a's digit and find room further right, below no upper bound.
    out += DIGITS[da];
    const rest = lo.slice(i + 1);
    return out + keyAfterSuffix(rest);
  }
}

/** A suffix that sorts after `rest` with no upper bound. */
function keyAfterSuffix(rest: string): string {
  for (let i = 0; i < rest.length; i++) {
    const d = DIGITS.indexOf(rest[i]!);
    if (d < BASE - 1) return rest.slice(0, i) + DIGITS[d + 1 + ((BASE - 1 - d) >> 1)];
  }
  return rest + MID;
}

/** `count` increasing keys, all after `a` and before `b`. */
export function keysBetween(a: string | null, b: string | null, count: number): string[] {
  const keys: string[] = [];
  let prev = a;
  for (let i = 0; i < count; i++) {
    const next = b === null && prev !== null ? keyAfter(prev) : keyBetween(prev, b);
    keys.push(next);
    prev = next;
  }
  return keys;
}

/**
 * A short key after `a` with no upper bound: bump the first digit that can grow, so that long
 * runs of appends keep keys short instead of growing by one digit each time.
 */
export function keyAfter(a: string): string {
  for (let i = 0; i < a.length; i++) {
    const d = DIGITS.indexOf(a[i]!);
    if (d < BASE - 1) return a.slice(0, i) + DIGITS[d + 1];
  }
  return a + MID;
}
