/**
 * Fractional ordering keys: strings that sort lexicographically (byte order) and allow a new key
 * between any two existing keys, so inserting a sibling never renumbers the others.
 *
 * A key is read as a base-62 fraction (digits in ASCII order, `0.d1d2d3…`). Keys never end with
 * the smallest digit, so string order and numeric order agree and a key strictly between two
 * neighbours always exists. Any such string is a valid key: keys written by earlier versions
 * (which grew by one character every ~31 appends) keep their order and need no migration.
 *
 * Growth. Halving the gap at each insertion costs a bit per insertion, so keys would grow
 * linearly under a run of insertions at one place. Instead a new key is put next to one
 * neighbour, at a distance of about the square of the gap (`62^-(2e-1)` for a gap above
 * `62^-e`): a gap of magnitude `62^-e` then holds about `62^e` insertions before it shrinks a
 * digit, so keys grow with the logarithm of the number of insertions (7 characters after 100,000
 * appends at the end, at the start, or after one anchor).
 *
 * Which neighbour: at the end, after the last key; at the start, before the first; between two
 * keys, next to the longer one (the one made by the latest insertions there), so repeated
 * insertions after one anchor walk down towards it and a sequence typed in order walks up
 * towards the next sibling; equal lengths split the gap in half, and the next insertion sees a
 * longer key. The distance is capped at 8 digits finer than the gap, so a long key from the
 * earlier scheme grows by at most 8 characters.
 */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = BigInt(DIGITS.length);
const TOP = DIGITS.at(-1)!;
const BOTTOM = DIGITS[0]!;

type Side = 'up' | 'down' | 'mid';

/** The digits of `key` as an integer, padded on the right with zeros to `width` digits. */
function toInt(key: string, width: number): bigint {
  let n = 0n;
  for (let i = 0; i < width; i++) {
    const ch = key[i];
    n = n * BASE + (ch === undefined ? 0n : BigInt(DIGITS.indexOf(ch)));
  }
  return n;
}

/** `n` written with `width` digits (leading zeros kept), trailing zeros dropped. */
function toKey(n: bigint, width: number): string {
  const out: string[] = new Array(width);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = DIGITS[Number(n % BASE)]!;
    n /= BASE;
  }
  let end = width;
  while (end > 0 && out[end - 1] === BOTTOM) end--;
  return out.slice(0, end).join('');
}

/** Length of the leading run of `ch` in `s`. */
function runOf(s: string, ch: string): number {
  let i = 0;
  while (s[i] === ch) i++;
  return i;
}

/** Splits off what every key between `a` and `b` shares, so the arithmetic works on short tails. */
function splitPrefix(a: string | null, b: string | null): [string, string, string | null] {
  if (b === null) {
    const lo = a ?? '';
    const n = runOf(lo, TOP);
    return [lo.slice(0, n), lo.slice(n), null];
  }
  if (a === null) {
    const n = runOf(b, BOTTOM);
    return [b.slice(0, n), '', b.slice(n)];
  }
  let n = 0;
  while (n < a.length && a[n] === b[n]) n++;
  return [a.slice(0, n), a.slice(n), b.slice(n)];
}

function sideOf(a: string | null, b: string | null): Side {
  if (a === null) return b === null ? 'mid' : 'down';
  if (b === null) return 'up';
  if (a.length === b.length) return 'mid';
  return a.length > b.length ? 'up' : 'down';
}

/** A key strictly between `a` and `b` (null: no bound), next to the bound `side` names. */
function place(a: string | null, b: string | null, side: Side): string {
  if (a !== null && b !== null && a >= b) throw new Error(`keyBetween: ${a} >= ${b}`);
  const [prefix, lo, hi] = splitPrefix(a, b);
  const width = Math.max(lo.length, hi?.length ?? 0);
  const low = toInt(lo, width);
  const high = hi === null ? BASE ** BigInt(width) : toInt(hi, width);
  if (side === 'mid') return prefix + toKey((low + high) * (BASE / 2n), width + 1);
  // e: the first digit position at which one unit is smaller than the gap.
  const gap = high - low;
  let e = 1;
  let unit = width >= 1 ? BASE ** BigInt(width - 1) : 0n;
  while (e <= width && unit >= gap) {
    e++;
    unit /= BASE;
  }
  // The shared prefix is part of the gap's magnitude: it is what keeps the gap small.
  const magnitude = prefix.length + e;
  const q = Math.min(2 * magnitude - 1, magnitude + 8) - prefix.length;
  const scaled = Math.max(width, q);
  const scale = BASE ** BigInt(scaled - width);
  const step = BASE ** BigInt(scaled - q);
  const key = side === 'up' ? low * scale + step : high * scale - step;
  return prefix + toKey(key, scaled);
}

/**
 * A key strictly between `a` and `b` (either may be null for "no bound").
 * Throws when a >= b, which would be a caller bug.
 */
export function keyBetween(a: string | null, b: string | null): string {
  return place(a, b, sideOf(a, b));
}

/** A key after `a` with no upper bound (appending at the end). */
export function keyAfter(a: string): string {
  return place(a, null, 'up');
}

/**
 * `count` increasing keys, all after `a` and before `b`: a batch placed the way one insertion
 * would be (next to the longer neighbour, at the start or at the end), then continued in order.
 */
export function keysBetween(a: string | null, b: string | null, count: number): string[] {
  const keys: string[] = [];
  if (count <= 0) return keys;
  const side = sideOf(a, b);
  if (side === 'down') {
    let hi = b;
    for (let i = 0; i < count; i++) {
      hi = place(a, hi, 'down');
      keys.push(hi);
    }
    return keys.reverse();
  }
  let prev = place(a, b, side);
  keys.push(prev);
  for (let i = 1; i < count; i++) {
    prev = place(prev, b, 'up');
    keys.push(prev);
  }
  return keys;
}
