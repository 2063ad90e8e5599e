/**
 * Dates as intervals. Every date a query touches becomes a half-open interval of epoch
 * milliseconds [from, to):
 *   - a date-only value ("2026-09-01") is its whole UTC day;
 *   - a date-time value is the single millisecond it names (a value without offset is UTC);
 *   - a page value with an `end` runs from its start to the end of its end (inclusive end);
 *   - relative keywords are UTC days (or spans of days) around an injected `now`.
 * Conditions then compare intervals (see `matchesDate`), so date-only versus date-time
 * comparisons follow Notion's rule (date-only = day precision, date-time = millisecond precision).
 */
import { isTimeZoneName } from '../lib/time-zones.ts';
import type { DateOp, DateOperand, RelativeDay, RelativeRange } from './ir.ts';

export const DAY_MS = 86_400_000;

/** Weeks start on Sunday (Notion's default workspace setting). */
const WEEK_START_DAY = 0;

export interface Interval {
  readonly from: number;
  readonly to: number;
}

// A year of four digits, or ISO 8601's expanded form (a sign and six digits: "-000100"), which
// formulas write for a year outside 0–9999 (JavaScript's toISOString does too).
const DATE_ONLY = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses an ISO 8601 date or date-time into an interval; null when it is not one. */
export function parseDateInterval(text: string, timeZone?: string | null): Interval | null {
  const d = DATE_ONLY.exec(text);
  if (d) {
    const from = utcMs(+d[1]!, +d[2]!, +d[3]!, 0, 0, 0, 0);
    return from === null ? null : { from, to: from + DAY_MS };
  }
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const local = utcMs(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0, ms);
  if (local === null) return null;
  const at = m[8] ? local - offsetMinutes(m[8]) * 60_000 : timeZone ? zonedToUtc(local, timeZone) : local;
  return at === null ? null : { from: at, to: at + 1 };
}

function utcMs(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo - 1) || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function offsetMinutes(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/**
 * Reads wall-clock `local` (as if UTC) in IANA `timeZone` and returns the real instant; null for
 * a zone this runtime does not know (requests are refused such zones; reading one as UTC would
 * silently shift the value).
 */
function zonedToUtc(local: number, timeZone: string): number | null {
  if (!isTimeZoneName(timeZone)) return null;
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    // The year part is the era's year (1 BC is year 0): the era tells.
    era: 'short',
  });
  const wallAt = (instant: number) => {
    const parts = fmt.formatToParts(new Date(instant));
    const p = Object.fromEntries(parts.map((x) => [x.type, Number(x.value)]));
    // The parts hold whole seconds; the milliseconds come back from the instant, floored: before
    // 1970 `instant % 1000` is negative, which made every such value a second late.
    const millis = ((instant % 1000) + 1000) % 1000;
    const bc = parts.find((x) => x.type === 'era')?.value.startsWith('B') ?? false;
    const year = bc ? 1 - p.year! : p.year!;
    return utcMs(year, p.month!, p.day!, p.hour!, p.minute!, p.second!, millis)!;
  };
  // Two fixed-point steps settle the offset, DST transitions included.
  let guess = local - (wallAt(local) - local);
  guess = local - (wallAt(guess) - guess);
  return guess;
}

function daysInMonth(year: number, month0: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month0 + 1, 0);
  return t.getUTCDate();
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** The same calendar day `months` months away, clamped to the month's last day. */
function addMonths(dayStart: number, months: number): number {
  const d = new Date(dayStart);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const target = new Date(Date.UTC(y, m, 1));
  const day = Math.min(d.getUTCDate(), daysInMonth(target.getUTCFullYear(), target.getUTCMonth()));
  return Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), day);
}

function dayInterval(start: number): Interval {
  return { from: start, to: start + DAY_MS };
}

/** Resolves a relative keyword to UTC days around `now`; spans include today. */
export function resolveRelative(keyword: RelativeDay | RelativeRange, now: Date): Interval {
  const today = startOfUtcDay(now.getTime());
  switch (keyword) {
    case 'today':
      return dayInterval(today);
    case 'tomorrow':
      return dayInterval(today + DAY_MS);
    case 'yesterday':
      return dayInterval(today - DAY_MS);
    case 'one_week_ago':
      return dayInterval(today - 7 * DAY_MS);
    case 'one_week_from_now':
      return dayInterval(today + 7 * DAY_MS);
    case 'one_month_ago':
      return dayInterval(addMonths(today, -1));
    case 'one_month_from_now':
      return dayInterval(addMonths(today, 1));
    case 'this_week': {
      const weekday = (new Date(today).getUTCDay() - WEEK_START_DAY + 7) % 7;
      const start = today - weekday * DAY_MS;
      return { from: start, to: start + 7 * DAY_MS };
    }
    case 'past_week':
      return { from: today - 7 * DAY_MS, to: today + DAY_MS };
    case 'past_month':
      return { from: addMonths(today, -1), to: today + DAY_MS };
    case 'past_year':
      return { from: addMonths(today, -12), to: today + DAY_MS };
    case 'next_week':
      return { from: today, to: today + 8 * DAY_MS };
    case 'next_month':
      return { from: today, to: addMonths(today, 1) + DAY_MS };
    case 'next_year':
      return { from: today, to: addMonths(today, 12) + DAY_MS };
  }
}

/** The interval an operand stands for at `now`. */
export function resolveOperand(operand: DateOperand, now: Date): Interval {
  return operand.type === 'absolute' ? operand : resolveRelative(operand.keyword, now);
}

/**
 * The whole date semantics, on intervals (row [lo, hi), filter [from, to)):
 *   equals       — they overlap:                    lo < to && hi > from
 *   before       — the row starts before the filter: lo < from
 *   after        — the row ends after the filter:    hi > to
 *   on_or_before — before or equals:                 lo < to
 *   on_or_after  — after or equals:                  hi > from
 * A range value is therefore "on" every day it spans. The compiler emits the same inequalities.
 */
export function matchesDate(op: DateOp, lo: number, hi: number, f: Interval): boolean {
  switch (op) {
    case 'equals':
      return lo < f.to && hi > f.from;
    case 'before':
      return lo < f.from;
    case 'after':
      return hi > f.to;
    case 'on_or_before':
      return lo < f.to;
    case 'on_or_after':
      return hi > f.from;
  }
}

/** A page date value `{start, end, time_zone}` as its interval; null when empty or unreadable. */
export function pageDateInterval(value: unknown): Interval | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { start?: unknown; end?: unknown; time_zone?: unknown };
  if (typeof v.start !== 'string') return null;
  const tz = typeof v.time_zone === 'string' ? v.time_zone : null;
  const start = parseDateInterval(v.start, tz);
  if (!start) return null;
  const end = typeof v.end === 'string' ? parseDateInterval(v.end, tz) : null;
  return { from: start.from, to: end ? Math.max(end.to, start.to) : start.to };
}

const MIN_ISO_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_ISO_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The ISO text to compare stored timestamps (`toISOString()` form, years 0000–9999) against:
 * out-of-range bounds become strings below or above every stored timestamp.
 */
export function isoBound(ms: number): string {
  if (ms < MIN_ISO_MS) return '';
  if (ms > MAX_ISO_MS) return '~';
  return new Date(ms).toISOString();
}
