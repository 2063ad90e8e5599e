/**
 * Where the values of a two-level JSON document lie in its text, without building them: for
 * `{"k1":{"a":…,"b":…},"k2":{…}}` the outer keys, and for each of them the inner keys with the
 * start and end of their values. A caller can then splice a value's text into other JSON
 * instead of `JSON.parse` and `JSON.stringify` (present/page.present.ts `presentPageJson`).
 *
 * Splicing gives the bytes `JSON.stringify(JSON.parse(text))` would only when the text is in
 * `JSON.stringify`'s own form, so the scan accepts nothing else and answers `null` instead: no
 * whitespace between tokens; no escapes in strings but `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`
 * and `\u00xx` for the other control characters (other `\u…` and `\/` refused); no unpaired
 * surrogate; numbers as `String(Number(n))` writes them; no object key of digits only (V8 orders
 * integer-like keys first) and no key given twice in an object of the first two levels. Deeper
 * duplicate keys are not looked for: `JSON.stringify` never writes them, and every writer of the
 * documents scanned here is `JSON.stringify`.
 */

/** One inner value: its key and `text.slice(start, end)` is its JSON. */
export interface JsonSpan {
  key: string;
  start: number;
  end: number;
}

/** An outer entry: its key, its own text span and its inner values. */
export interface JsonEntry {
  key: string;
  start: number;
  end: number;
  values: JsonSpan[];
}

const QUOTE = 34;
const BACKSLASH = 92;

/** End (after the closing quote) of the string starting at `i`, or -1 when not in canonical form. */
function skipString(t: string, i: number): number {
  const n = t.length;
  for (let j = i + 1; j < n; j++) {
    const ch = t.charCodeAt(j);
    if (ch === QUOTE) return j + 1;
    if (ch === BACKSLASH) {
      const e = t.charCodeAt(++j);
      if (e === 117 /* u */) {
        // `\u00xx` (lowercase) for a control character without a short form, as JSON.stringify writes.
        if (t.charCodeAt(j + 1) !== 48 || t.charCodeAt(j + 2) !== 48) return -1;
        const hi = t.charCodeAt(j + 3);
        const lo = t.charCodeAt(j + 4);
        const low = lo >= 48 && lo <= 57 ? lo - 48 : lo >= 97 && lo <= 102 ? lo - 87 : -1;
        if ((hi !== 48 && hi !== 49) || low < 0) return -1;
        const code = (hi - 48) * 16 + low;
        if (code === 8 || code === 9 || code === 10 || code === 12 || code === 13) return -1;
        j += 4;
      } else if (e !== 34 && e !== 92 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) {
        // Anything but " \ b f n r t
        return -1;
      }
    } else if (ch < 0x20) {
      return -1;
    } else if (ch >= 0xd800 && ch <= 0xdfff) {
      if (ch >= 0xdc00) return -1;
      const low = t.charCodeAt(j + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return -1;
      j++;
    }
  }
  return -1;
}

/** A key string at `i` (no escapes, not all digits): its end, or -1. */
function skipKey(t: string, i: number): number {
  if (t.charCodeAt(i) !== QUOTE) return -1;
  const n = t.length;
  let digits = true;
  for (let j = i + 1; j < n; j++) {
    const ch = t.charCodeAt(j);
    if (ch === QUOTE) return digits ? -1 : j + 1;
    if (ch === BACKSLASH || ch < 0x20 || (ch >= 0xd800 && ch <= 0xdfff)) return -1;
    if (ch < 48 || ch > 57) digits = false;
  }
  return -1;
}

function skipNumber(t: string, i: number): number {
  let j = i;
  let plain = true;
  for (; j < t.length; j++) {
    const ch = t.charCodeAt(j);
    if (ch >= 48 && ch <= 57) continue;
    if (ch === 45 || ch === 43 || ch === 46 || ch === 69 || ch === 101) {
      plain = false;
      continue;
    }
    break;
  }
  if (j === i) return -1;
  // Digits only: canonical unless a leading zero or more digits than a double keeps exactly.
  if (plain && j - i <= 15 && (t.charCodeAt(i) !== 48 || j - i === 1)) return j;
  const s = t.slice(i, j);
  return String(Number(s)) === s ? j : -1;
}

/** End of the JSON value starting at `i`, or -1 when it is not in canonical form. */
function skipValue(t: string, i: number): number {
  const ch = t.charCodeAt(i);
  if (ch === QUOTE) return skipString(t, i);
  if (ch === 123 /* { */) {
    let j = i + 1;
    if (t.charCodeAt(j) === 125) return j + 1;
    for (;;) {
      j = skipKey(t, j);
      if (j < 0 || t.charCodeAt(j) !== 58 /* : */) return -1;
      j = skipValue(t, j + 1);
      if (j < 0) return -1;
      const next = t.charCodeAt(j);
      if (next === 125) return j + 1;
      if (next !== 44) return -1;
      j++;
    }
  }
  if (ch === 91 /* [ */) {
    let j = i + 1;
    if (t.charCodeAt(j) === 93) return j + 1;
    for (;;) {
      j = skipValue(t, j);
      if (j < 0) return -1;
      const next = t.charCodeAt(j);
      if (next === 93) return j + 1;
      if (next !== 44) return -1;
      j++;
    }
  }
  if (ch === 116) return t.startsWith('true', i) ? i + 4 : -1;
  if (ch === 102) return t.startsWith('false', i) ? i + 5 : -1;
  if (ch === 110) return t.startsWith('null', i) ? i + 4 : -1;
  if (ch === 45 || (ch >= 48 && ch <= 57)) return skipNumber(t, i);
  return -1;
}

/**
 * The entries of `text`, an object of objects in `JSON.stringify`'s form; `null` when it is
 * anything else (another shape, or a form whose spliced bytes could differ).
 */
export function jsonEntries(text: string): JsonEntry[] | null {
  if (text.charCodeAt(0) !== 123) return null;
  const entries: JsonEntry[] = [];
  let j = 1;
  if (text.charCodeAt(j) === 125) return j + 1 === text.length ? entries : null;
  for (;;) {
    const keyEnd = skipKey(text, j);
    if (keyEnd < 0 || text.charCodeAt(keyEnd) !== 58) return null;
    const key = text.slice(j + 1, keyEnd - 1);
    const start = keyEnd + 1;
    if (text.charCodeAt(start) !== 123) return null;
    const values: JsonSpan[] = [];
    let k = start + 1;
    if (text.charCodeAt(k) === 125) {
      k++;
    } else {
      for (;;) {
        const innerKeyEnd = skipKey(text, k);
        if (innerKeyEnd < 0 || text.charCodeAt(innerKeyEnd) !== 58) return null;
        const innerKey = text.slice(k + 1, innerKeyEnd - 1);
        for (const v of values) if (v.key === innerKey) return null;
        const end = skipValue(text, innerKeyEnd + 1);
        if (end < 0) return null;
        values.push({ key: innerKey, start: innerKeyEnd + 1, end });
        const next = text.charCodeAt(end);
        k = end + 1;
        if (next === 125) break;
        if (next !== 44) return null;
      }
    }
    for (const e of entries) if (e.key === key) return null;
    entries.push({ key, start, end: k, values });
    const next = text.charCodeAt(k);
    if (next === 125) return k + 1 === text.length ? entries : null;
    if (next !== 44) return null;
    j = k + 1;
  }
}

/**
 * The string values under `key` in the objects of the array whose JSON is `text.slice(start, end)`
 * (text already accepted by `jsonEntries`), in order: `''` for an object without it (as `join`
 * writes a missing value), the last one where an object gives it twice (as `JSON.parse` keeps).
 * `null` when it is not an array of objects or a value under `key` is not a string. Rich text's
 * `plain_text`, read without parsing the rich text.
 */
export function arrayObjectStrings(text: string, start: number, end: number, key: string): string[] | null {
  if (text.charCodeAt(start) !== 91 /* [ */) return null;
  const out: string[] = [];
  let j = start + 1;
  if (text.charCodeAt(j) === 93) return j + 1 === end ? out : null;
  for (;;) {
    if (text.charCodeAt(j) !== 123 /* { */) return null;
    let found = '';
    j++;
    if (text.charCodeAt(j) === 125) {
      j++;
    } else {
      for (;;) {
        const keyEnd = skipKey(text, j);
        if (keyEnd < 0 || text.charCodeAt(keyEnd) !== 58) return null;
        const valueEnd = skipValue(text, keyEnd + 1);
        if (valueEnd < 0) return null;
        if (keyEnd - j === key.length + 2 && text.startsWith(key, j + 1)) {
          if (text.charCodeAt(keyEnd + 1) !== QUOTE) return null;
          const raw = text.slice(keyEnd + 1, valueEnd);
          found = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        }
        const next = text.charCodeAt(valueEnd);
        j = valueEnd + 1;
        if (next === 125) break;
        if (next !== 44) return null;
      }
    }
    out.push(found);
    const next = text.charCodeAt(j);
    if (next === 93) return j + 1 === end ? out : null;
    if (next !== 44) return null;
    j++;
  }
}
