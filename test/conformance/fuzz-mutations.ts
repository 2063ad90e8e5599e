/**
 * The damage the fuzz test does to a valid request: to its body (a value replaced by another JSON
 * type, a key dropped, added or given a lone surrogate, a string made huge, a structure nested
 * thousands deep, the whole body over 500 KB) and to its headers (Notion-Version, Content-Type,
 * Authorization missing or garbage). Pure functions of a seeded generator, so a seed replays.
 */
import { MAX_BODY_BYTES, MAX_BODY_DEPTH } from '../../src/api/body.ts';
import type { Rng } from '../query/gen.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A request as the harness sends it; `null` leaves the header out. */
export interface FuzzRequest {
  body: string;
  version: string | null;
  /** A bearer token (the harness adds `Bearer `), or null to send `headers.authorization` as is. */
  token?: null;
  headers: Record<string, string>;
}

const LONE = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00x'];

/**
 * Deep nesting cannot go through JSON.stringify (it recurses): a marker string stands in for it
 * and `render` swaps in the nested text.
 */
const DEEP = /"__deep_(\d+)_([ao])__"/g;
const deepMarker = (rng: Rng): string =>
  `__deep_${rng.pick([MAX_BODY_DEPTH - 2, MAX_BODY_DEPTH + 1, 1000, 10_000])}_${rng.pick(['a', 'o'])}__`;
const nested = (depth: number, kind: string) =>
  kind === 'a' ? '['.repeat(depth) + ']'.repeat(depth) : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;

function randomValue(rng: Rng, like: Json): Json {
  const choices: (() => Json)[] = [
    () => null,
    () => rng.chance(0.5),
    () => rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]),
    () => rng.pick(['', ' ', 'x', '%_', '2024-02-30', 'not-an-id', '😀'.repeat(3), '\u0000']),
    () => rng.pick(['a', 'ok ', '']) + rng.pick(LONE) + rng.pick(['', 'z', '\u0000']),
    () => 'a'.repeat(rng.pick([2001, 5000, 120_000, MAX_BODY_BYTES + 1])),
    () => [],
    () => ({}),
    () => [like, like],
    () => ({ nested: like }),
    () => deepMarker(rng),
    () => rng.uuid(),
  ];
  return rng.pick(choices)();
}

/** Every place in a JSON value, as paths. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** One random change somewhere in a copy of `body`. */
export function mutate(rng: Rng, body: Json): Json {
  const copy = structuredClone(body);
  const all = paths(copy).filter((p) => p.length > 0);
  if (all.length === 0) return { [`x_${rng.int(9)}`]: randomValue(rng, null) };
  const path = rng.pick(all);
  const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k]!, copy) as
    | Record<string, Json>
    | Json[];
  const key = path.at(-1)!;
  const current = (parent as Record<string | number, Json>)[key]!;
  const kind = rng.int(5);
  if (!Array.isArray(parent) && kind === 0) delete parent[key as string];
  else if (!Array.isArray(parent) && kind === 1) parent[`x_${rng.int(9)}`] = current;
  else if (!Array.isArray(parent) && kind === 2) {
    // The same key with a lone surrogate before or after it (an existing property name, say).
    delete parent[key as string];
    const lone = rng.pick(LONE);
    parent[rng.chance(0.5) ? `${key}${lone}` : `${lone}${key}`] = current;
  } else (parent as Record<string | number, Json>)[key] = randomValue(rng, current);
  return copy;
}

/** The body as sent: a few mutations, sometimes padded past the size cap, deep markers expanded. */
export function damageBody(rng: Rng, body: Json): string {
  let damaged = mutate(rng, body);
  for (let m = rng.int(3); m > 0; m--) damaged = mutate(rng, damaged);
  if (rng.chance(0.05) && damaged && typeof damaged === 'object' && !Array.isArray(damaged))
    damaged = { ...damaged, x_pad: 'p'.repeat(MAX_BODY_BYTES) };
  return JSON.stringify(damaged).replace(DEEP, (_, depth: string, kind: string) =>
    nested(Number(depth), kind),
  );
}

/** Printable Latin-1 (what a header value may hold) at random, tab included. */
function garbage(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const c = rng.int(0x100 - 0x20) + 0x20;
    s += c === 0x7f ? '\t' : String.fromCharCode(c);
  }
  return s;
}

/** Damages one of the three headers every /v1 request depends on. */
export function damageHeaders(rng: Rng, req: FuzzRequest, token: string): FuzzRequest {
  const which = rng.int(3);
  if (which === 0) {
    const version = rng.pick([
      null,
      '',
      '2021-05-13',
      '2025-09-03x',
      '2025/09/03',
      'latest',
      garbage(rng, 12),
    ]);
    return { ...req, version };
  }
  if (which === 1) {
    const type = rng.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/octet-stream',
      garbage(rng, 20),
    ]);
    return { ...req, headers: { ...req.headers, 'content-type': type } };
  }
  const authorization = rng.pick([
    '',
    'Bearer',
    'Bearer ',
    `Basic ${token}`,
    `Bearer ${token} ${token}`,
    `Bearer ${token}x`,
    `Bearer ${'x'.repeat(8000)}`,
    `Bearer ${garbage(rng, 40)}`,
    garbage(rng, 30),
  ]);
  return { ...req, token: null, headers: { ...req.headers, authorization } };
}
