/**
 * The whole SQLite/Postgres difference of the query engine: a few SQL fragments and capability
 * flags. The compiler and the DDL helpers call these hooks and never test an engine's name.
 * Every fragment takes values as bound parameters; needles are matched literally (no LIKE
 * patterns, so `%` and `_` need no escaping).
 */
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * How title and rich_text columns are indexed for substring search (contains, starts_with,
 * ends_with with a needle of 3 characters or more). Either way the index only narrows the rows;
 * the exact condition still decides, so results never depend on it.
 * - `fts5`: a side FTS5 table with the trigram tokenizer per data source (`<table>__fts`), kept
 *   in step by triggers; queries consult it explicitly (text-index.ts).
 * - `gin`: a pg_trgm GIN index per column; the condition carries a `LIKE` the planner may serve
 *   from it. `opclass` is the schema-qualified operator class.
 */
export type TrigramIndex = { readonly kind: 'fts5' } | { readonly kind: 'gin'; readonly opclass: string };

export interface DialectHooks {
  /** Collation that makes TEXT order code-point order, when the column default may not. */
  readonly textCollation: string | null;
  /** True when multi-valued columns get an inverted (GIN) index on their JSON. */
  readonly jsonArrayIndex: boolean;
  /**
   * True when the planner needs telling to walk the sort index instead of the filter columns'
   * indexes (SQLite: a unary `+` on a column keeps its index out of the plan).
   */
  readonly needsIndexHint: boolean;
  /** The trigram index of title and rich_text columns; null when the database offers none. */
  readonly trigram: TrigramIndex | null;
  /**
   * True when a query can join a LATERAL subquery: rollups are then computed once per row for
   * filter and sort together (formula-sql.ts `planRelated`) instead of a subquery per mention.
   */
  readonly lateral: boolean;
  /** `haystack` contains `needle` (non-empty) as a substring. */
  textContains(haystack: Expression<unknown>, needle: string): RawBuilder<SqlBool>;
  /** `haystack` starts with `needle`, which is `chars` code points long (> 0). */
  textStartsWith(haystack: Expression<unknown>, needle: string, chars: number): RawBuilder<SqlBool>;
  /** `haystack` ends with `needle`, which is `chars` code points long (> 0). */
  textEndsWith(haystack: Expression<unknown>, needle: string, chars: number): RawBuilder<SqlBool>;
  /** The JSON array text in `column` has at least one element equal to one of `values` (non-empty). */
  jsonArrayHasAny(column: Expression<unknown>, values: readonly string[]): RawBuilder<SqlBool>;
  /** The expression a GIN index over a JSON-array column is built on (when `jsonArrayIndex`). */
  jsonIndexExpression(column: string): RawBuilder<unknown>;
  /**
   * `key` is an element of the JSON array text in `column` (false for NULL), written so that the
   * database looks `key` up by its index for each element: rollups read related rows this way.
   */
  jsonArrayHasKey(column: Expression<unknown>, key: Expression<unknown>): RawBuilder<SqlBool>;
  /**
   * A FROM item of the elements of the JSON array text in `column` (a column of a table before
   * it in the FROM list), aliased `alias`, one row per element, the element as `alias.value`.
   */
  jsonArrayEach(column: Expression<unknown>, alias: string): RawBuilder<unknown>;
  /**
   * The position of `key` in the JSON array text in `column` (its first occurrence; NULL when
   * absent), a number that orders the elements as the array does.
   */
  jsonArrayPosition(column: Expression<unknown>, key: Expression<unknown>): RawBuilder<unknown>;
  /**
   * A double as JavaScript's `String(n)` writes it (formula `format()`), exact for 0, integers
   * below 2^53 and other magnitudes in [0.0001, 10^15): shortest round-trip digits.
   */
  numberText(n: Expression<unknown>): RawBuilder<unknown>;
  /** A double truncated toward zero, still a double (NULL stays NULL). */
  truncate(n: Expression<unknown>): RawBuilder<unknown>;
  /** Whether an integral double (epoch milliseconds) is a whole number of days. */
  wholeDays(n: Expression<unknown>): RawBuilder<SqlBool>;
  /** Whether a text holds only ASCII characters (as many bytes as characters). */
  isAscii(text: Expression<unknown>): RawBuilder<SqlBool>;
  /**
   * JavaScript's `a % b` of two doubles (C's fmod: exact, the sign of `a`), a double; NULL when
   * `b` is 0. Neither side is NULL.
   */
  remainder(a: Expression<unknown>, b: Expression<unknown>): RawBuilder<unknown>;
  /**
   * A double that is NULL where it is ±Inf or NaN, for an engine whose arithmetic and sums yield
   * those where JavaScript's do (SQLite); null for an engine that raises an error instead
   * (Postgres: formula-sql.ts foresees the outcome, arithSql and finiteSum).
   */
  readonly finite: ((x: Expression<unknown>) => RawBuilder<unknown>) | null;
  /** The least (or greatest) of doubles, NULLs ignored; NULL when every one is (non-empty list). */
  extreme(fn: 'min' | 'max', xs: readonly Expression<unknown>[]): RawBuilder<unknown>;
  /** How many UTF-16 code units a text has (JavaScript's `length`): astral characters count 2. */
  utf16Length(text: Expression<unknown>): RawBuilder<unknown>;
}

/** Postgres: a regular expression of every character but those beyond U+FFFF. */
const ASTRAL_CLASS = '[^\\U00010000-\\U0010FFFF]';

/** Bytes that begin a 4-byte UTF-8 sequence (a character beyond U+FFFF). */
const ASTRAL_LEADS = ['f0', 'f1', 'f2', 'f3', 'f4'];

/**
 * Postgres: the exact double of JavaScript's `%`. float8 has no remainder and numeric of a
 * float8 keeps only 15 digits, so each side is split into its 53-bit integer mantissa and binary
 * exponent (from its IEEE bits), both are scaled by the same power of two to exact integer
 * numerics, their integer remainder is taken, and scaled back (exact: it is a double below 2^53
 * times a power of two).
 */
function pgRemainder(a: Expression<unknown>, b: Expression<unknown>): RawBuilder<unknown> {
  const bits = (x: Expression<unknown>) =>
    sql`cast(cast(('x' || encode(float8send(cast(${x} as double precision)), 'hex')) as bit(64)) as bigint)`;
  const field = (x: Expression<unknown>) => sql`((${bits(x)} >> 52) & 2047)`;
  const mantissa = (x: Expression<unknown>) =>
    sql`(case when ${field(x)} = 0 then ${bits(x)} & 4503599627370495 else (${bits(x)} & 4503599627370495) + 4503599627370496 end)`;
  const exponent = (x: Expression<unknown>) =>
    sql`(case when ${field(x)} = 0 then -1074 else ${field(x)} - 1075 end)`;
  const low = sql`least(${exponent(a)}, ${exponent(b)})`;
  const scaled = (x: Expression<unknown>) =>
    sql`(cast(${mantissa(x)} as numeric) * power(cast(2 as numeric), ${exponent(x)} - ${low}))`;
  return sql`(case when ${b} = 0 then cast(null as double precision) else sign(${a}) * cast(mod(${scaled(a)}, ${scaled(b)}) as double precision) * power(cast(2 as double precision), ${low}) end)`;
}

/** 2^53: below it every integral double prints as its digits in JavaScript. */
const SAFE = 9_007_199_254_740_992;

/** Keeps SQLite from flattening a derived table into its user, which copies its expressions into each mention. */
const FENCE = sql.raw('limit -1 offset 0');

/**
 * SQLite: a double `n` with 0.0001 <= |n| < 10^15 that no text of 15 digits reads back as, as
 * JavaScript writes it: its 16 correctly rounded digits when they read back as `n`, else its 17
 * (halves to even, as V8). SQLite's printf cannot give them: `%.17g` stops at 16 digits
 * (0.39999999999999997 comes out as 0.4), `%!.17g` rounds twice, to 18 digits and then to 17
 * (21.769107781360407 comes out ending in 8: 1 in 37 of the doubles that need 17 digits, measured
 * over 300,000), and a tie is rounded up (9723549822791.3125 in 16 digits is …312 in JavaScript,
 * …313 in printf). Instead: scale |n| by the power of ten s (exact as a double) that puts 17
 * digits before the point; the product is p + err exactly (Dekker's two-product, with Veltkamp's
 * split of both factors into halves of 26 bits), where p is an integral double (it is above
 * 2^53) and |err| <= 8; so |n| * s is the integer i = p + floor(err) plus a fraction in [0, 1),
 * compared with 0.5 exactly as `err` against floor(err) + 0.5. Named in nested derived tables
 * (fenced), so that `n` is computed once.
 */
function sqliteShortestDigits(n: Expression<unknown>): RawBuilder<unknown> {
  const split = (x: string) => sql.raw(`(134217729.0 * ${x} - (134217729.0 * ${x} - ${x}))`);
  const e0 = sql`(select v, a, cast(floor(log10(a)) as integer) as e0 from (select v, abs(v) as a from (select ${n} as v ${FENCE}) ${FENCE}))`;
  const e = sql`(select v, a, e0 + (case when a * pow(10.0, 16 - e0) >= 1e17 then 1 when a * pow(10.0, 16 - e0) < 1e16 then -1 else 0 end) as e from ${e0} ${FENCE})`;
  const scaled = sql`(select v, e, a, pow(10.0, 16 - e) as s, a * pow(10.0, 16 - e) as p from ${e} ${FENCE})`;
  const halves = sql`(select v, e, p, ${split('a')} as ah, a - ${split('a')} as al, ${split('s')} as sh, s - ${split('s')} as sl from ${scaled} ${FENCE})`;
  const exact = sql`(select v, e, cast(p as integer) as pi, al * sl - (((p - ah * sh) - al * sh) - ah * sl) as err from ${halves} ${FENCE})`;
  const whole = sql`(select v, e, pi + cast(floor(err) as integer) as i, floor(err) as fl, err from ${exact} ${FENCE})`;
  // 17 digits: i rounded by its fraction; 16: i / 10 rounded by the digit dropped, then by
  // whether the fraction is 0 (a tie only when the digit is 5 and the fraction 0).
  const d17 = sql.raw('i + (case when err > fl + 0.5 then 1 when err < fl + 0.5 then 0 else i % 2 end)');
  const d16 = sql.raw(
    'i / 10 + (case when i % 10 > 5 then 1 when i % 10 < 5 then 0 when err > fl then 1 else (i / 10) % 2 end)',
  );
  const digits = sql`(select v, e, cast(${d17} as text) as d17, cast(${d16} as text) as d16 from ${whole} ${FENCE})`;
  // The digits placed around the point; a count that rounded up to 10^k has one more digit.
  const place = (d: string, k: number) => {
    const x = `(e + length(${d}) - ${k})`;
    const frac = `rtrim(substr(${d}, ${x} + 2), '0')`;
    return sql.raw(
      `(case when v < 0 then '-' else '' end) || (case when ${x} >= 0 then substr(${d}, 1, ${x} + 1) || (case when ${frac} = '' then '' else '.' || ${frac} end) else '0.' || substr('000', 1, -${x} - 1) || rtrim(${d}, '0') end)`,
    );
  };
  const texts = sql`(select v, ${place('d16', 16)} as t16, ${place('d17', 17)} as t17 from ${digits} ${FENCE})`;
  return sql`(select case when cast(t16 as real) = v then t16 else t17 end from ${texts})`;
}

/** SQLite: BINARY collation already compares UTF-8 bytes (= code points); JSON via json_each. */
export const sqliteHooks: DialectHooks = {
  textCollation: null,
  jsonArrayIndex: false,
  needsIndexHint: true,
  trigram: { kind: 'fts5' },
  lateral: false,
  // instr/substr count characters, not bytes, on TEXT values.
  textContains: (h, n) => sql<SqlBool>`instr(${h}, ${n}) > 0`,
  textStartsWith: (h, n, c) => sql<SqlBool>`substr(${h}, 1, ${c}) = ${n}`,
  // A negative start counts from the end; a needle longer than the text yields the whole text.
  textEndsWith: (h, n, c) => sql<SqlBool>`substr(${h}, ${-c}) = ${n}`,
  jsonArrayHasAny: (col, values) =>
    sql<SqlBool>`exists (select 1 from json_each(${col}) where value in (${sql.join(values)}))`,
  jsonIndexExpression: (col) => sql`${sql.ref(col)}`,
  // SQLite runs the IN list (json_each) and seeks the key's index for each element.
  jsonArrayHasKey: (col, key) => sql<SqlBool>`${key} in (select value from json_each(${col}))`,
  jsonArrayEach: (col, alias) => sql`json_each(${col}) as ${sql.ref(alias)}`,
  jsonArrayPosition: (col, key) =>
    sql`(select min(cast(${sql.ref('key')} as integer)) from json_each(${col}) where ${sql.ref('value')} = ${key})`,
  // printf's %.15g when it reads back as the same double (%g drops trailing zeros): then no
  // other text of 15 digits or fewer does, so it is JavaScript's. Else, within the documented
  // range, JavaScript's 16 or 17 digits (see sqliteShortestDigits); outside it printf's %.16g or
  // %!.17g, which write exponents where JavaScript writes digits (documented).
  numberText: (n) =>
    sql`(case when ${n} is null then null when ${n} = cast(${n} as integer) and abs(${n}) < ${SAFE} then cast(cast(${n} as integer) as text) when cast(printf('%.15g', ${n}) as real) = ${n} then printf('%.15g', ${n}) when abs(${n}) >= 0.0001 and abs(${n}) < 1e15 then ${sqliteShortestDigits(n)} when cast(printf('%.16g', ${n}) as real) = ${n} then printf('%.16g', ${n}) else printf('%!.17g', ${n}) end)`,
  // trunc() of a real stays a real (not `cast(… as integer)`: `/` on an integer result would be
  // SQLite's integer division, 3 / 2 = 1). Math functions are compiled into better-sqlite3.
  truncate: (n) => sql`trunc(cast(${n} as real))`,
  wholeDays: (n) => sql<SqlBool>`(cast(${n} as integer) % 86400000 = 0)`,
  isAscii: (t) => sql<SqlBool>`(length(cast(${t} as blob)) = length(${t}))`,
  // SQLite's mod() is C's fmod (NULL for NaN, that is for a zero divisor), as JavaScript's `%`.
  remainder: (a, b) => sql`mod(${a}, ${b})`,
  // ±Inf is 9e999 (SQLite reads the literal so), NaN is NULL already (and so is x / 0).
  finite: (x) => sql`nullif(nullif(${x}, 9e999), -9e999)`,
  // The scalar min()/max() are NULL when one argument is; the aggregates skip NULLs.
  extreme: (fn, xs) =>
    sql`(select ${sql.raw(fn)}(v) from (${sql.join(
      xs.map((x) => sql`select ${x} as v`),
      sql` union all `,
    )}))`,
  // Characters plus one per 4-byte UTF-8 sequence (its lead byte, removed byte-wise from the blob).
  utf16Length: (t) => {
    let rest = sql`cast(${t} as blob)`;
    for (const lead of ASTRAL_LEADS) rest = sql`replace(${rest}, ${sql.raw(`x'${lead}'`)}, x'')`;
    return sql`(length(${t}) + length(cast(${t} as blob)) - length(cast(${rest} as blob)))`;
  },
};

/** Postgres: text columns use the "C" collation; JSON containment is jsonb `?|`. */
export const postgresHooks: DialectHooks = {
  textCollation: 'C',
  jsonArrayIndex: true,
  needsIndexHint: false,
  // Set per store when pg_trgm is installed (see dialectHooks).
  trigram: null,
  lateral: true,
  textContains: (h, n) => sql<SqlBool>`strpos(${h}, cast(${n} as text)) > 0`,
  textStartsWith: (h, n, c) => sql<SqlBool>`left(${h}, cast(${c} as integer)) = cast(${n} as text)`,
  textEndsWith: (h, n, c) => sql<SqlBool>`right(${h}, cast(${c} as integer)) = cast(${n} as text)`,
  // `?|` is the jsonb "any of these strings is a top-level element" operator (GIN-indexable).
  jsonArrayHasAny: (col, values) =>
    sql<SqlBool>`(cast(${col} as jsonb) ?| array[${sql.join(values.map((v) => sql`cast(${v} as text)`))}])`,
  jsonIndexExpression: (col) => sql`(cast(${sql.ref(col)} as jsonb))`,
  // `= any(array(…))`, not a join with jsonb_array_elements_text: for a join the planner guesses
  // 100 elements per array and hash-joins them against a scan of the whole related table; an
  // array (guessed at 10 elements) is an index condition, a lookup per element.
  jsonArrayHasKey: (col, key) =>
    sql<SqlBool>`${key} = any(array(select jsonb_array_elements_text(cast(${col} as jsonb))))`,
  jsonArrayEach: (col, alias) =>
    sql`jsonb_array_elements_text(cast(${col} as jsonb)) as ${sql.ref(alias)}(${sql.ref('value')})`,
  // `with ordinality` numbers the elements as the array holds them (an order Postgres states).
  jsonArrayPosition: (col, key) =>
    sql`(select min(${sql.ref('e.n')}) from jsonb_array_elements_text(cast(${col} as jsonb)) with ordinality as ${sql.ref('e')}(${sql.ref('value')}, ${sql.ref('n')}) where ${sql.ref('e.value')} = cast(${key} as text))`,
  // float8's text output is the shortest round-trip form (extra_float_digits > 0, the default).
  numberText: (n) =>
    sql`(case when ${n} = trunc(${n}) and abs(${n}) < ${SAFE} then cast(cast(${n} as bigint) as text) else cast(cast(${n} as double precision) as text) end)`,
  truncate: (n) => sql`trunc(cast(${n} as double precision))`,
  wholeDays: (n) => sql<SqlBool>`(mod(cast(${n} as bigint), 86400000) = 0)`,
  isAscii: (t) => sql<SqlBool>`(octet_length(${t}) = length(${t}))`,
  remainder: pgRemainder,
  finite: null,
  // least()/greatest() skip NULLs.
  extreme: (fn, xs) => sql`${sql.raw(fn === 'min' ? 'least' : 'greatest')}(${sql.join(xs)})`,
  utf16Length: (t) =>
    sql`(length(${t}) + length(regexp_replace(${t}, cast(${ASTRAL_CLASS} as text), '', 'g')))`,
};

/**
 * The hooks for an engine, resolved once where a store is opened. `trigramSchema` is the schema
 * pg_trgm is installed in (Postgres), or null when it is not available to this database.
 */
export function dialectHooks(
  engine: 'sqlite' | 'postgres',
  options: { trigramSchema?: string | null } = {},
): DialectHooks {
  if (engine !== 'postgres') return sqliteHooks;
  const schema = options.trigramSchema;
  if (!schema) return postgresHooks;
  const quoted = `"${schema.replaceAll('"', '""')}"`;
  return { ...postgresHooks, trigram: { kind: 'gin', opclass: `${quoted}.gin_trgm_ops` } };
}
