/**
 * Date arithmetic for formulas (notion-formulas.md §6): wall-clock fields in an IANA zone,
 * Moment-style month arithmetic and diff, ISO week numbers, `formatDate` tokens and ISO parsing.
 * Pure; the zone is always passed in (UTC takes a fast path).
 */

export type Fields = { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number };

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(zone: string): Intl.DateTimeFormat {
  let f = fmtCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      // The year part is the era's year (1 BC, 2 BC, … for years 0, -1, …): the era tells.
      era: 'short',
    });
    fmtCache.set(zone, f);
  }
  return f;
}

/**
 * Epoch milliseconds of a proleptic Gregorian UTC date and time, fields overflowing as in
 * `Date.UTC`, but every year read as itself: `Date.UTC` reads years 0–99 as 1900–1999.
 */
export function utcMs(y: number, mo0: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo0, d);
  return t.setUTCHours(h, mi, s, ms);
}

/** Whether `zone` names a time zone this runtime knows. */
export function isZone(zone: string): boolean {
  try {
    zoneFormat(zone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `zone` from UTC at instant `ms`, in milliseconds. */
export function offsetMs(zone: string, ms: number): number {
  if (zone === 'UTC') return 0;
  const parts = zoneFormat(zone).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const bc = parts.find((p) => p.type === 'era')?.value.startsWith('B') ?? false;
  const asUtc = utcMs(
    bc ? 1 - get('year') : get('year'),
    get('month') - 1,
    get('day'),
    get('hour') % 24,
    get('minute'),
    get('second'),
  );
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

export function fieldsOf(ms: number, zone: string): Fields {
  const d = new Date(ms + offsetMs(zone, ms));
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  };
}

/** The instant at which the wall clock in `zone` shows `f` (earlier instant when ambiguous). */
export function instantOf(f: Fields, zone: string): number {
  const wall = utcMs(f.y, f.mo - 1, f.d, f.h, f.mi, f.s, f.ms);
  if (zone === 'UTC') return wall;
  let guess = wall - offsetMs(zone, wall);
  const again = wall - offsetMs(zone, guess);
  if (again !== guess) guess = Math.min(guess, again);
  return guess;
}

const daysIn = (y: number, mo: number) => new Date(utcMs(y, mo, 0)).getUTCDate();

/** Moment `add` for calendar units: clamps the day to the target month's length. */
export function addMonths(ms: number, n: number, zone: string): number {
  const f = fieldsOf(ms, zone);
  const total = f.y * 12 + (f.mo - 1) + n;
  const y = Math.floor(total / 12);
  const mo = total - y * 12 + 1;
  return instantOf({ ...f, y, mo, d: Math.min(f.d, daysIn(y, mo)) }, zone);
}

export function addDays(ms: number, n: number, zone: string): number {
  const f = fieldsOf(ms, zone);
  const base = new Date(utcMs(f.y, f.mo - 1, f.d + n));
  return instantOf(
    { ...f, y: base.getUTCFullYear(), mo: base.getUTCMonth() + 1, d: base.getUTCDate() },
    zone,
  );
}

export type Unit =
  | 'years'
  | 'quarters'
  | 'months'
  | 'weeks'
  | 'days'
  | 'hours'
  | 'minutes'
  | 'seconds'
  | 'milliseconds';
const UNITS: Record<string, Unit> = {};
for (const u of [
  'years',
  'quarters',
  'months',
  'weeks',
  'days',
  'hours',
  'minutes',
  'seconds',
  'milliseconds',
] as Unit[]) {
  UNITS[u] = u;
  UNITS[u.slice(0, -1)] = u;
}

/** The unit a unit string names (plural or singular), or undefined. */
export const unitOf = (s: string): Unit | undefined => UNITS[s];

/** Moment-style rounding of a fractional amount for calendar units. */
const roundAmount = (n: number) => (n < 0 ? -Math.round(-n) : Math.round(n));

export function dateAdd(ms: number, n: number, unit: Unit, zone: string): number {
  switch (unit) {
    case 'years':
      return addMonths(ms, roundAmount(n) * 12, zone);
    case 'quarters':
      return addMonths(ms, roundAmount(n) * 3, zone);
    case 'months':
      return addMonths(ms, roundAmount(n), zone);
    case 'weeks':
      return addDays(ms, roundAmount(n) * 7, zone);
    case 'days':
      return addDays(ms, roundAmount(n), zone);
    case 'hours':
      return ms + n * 36e5;
    case 'minutes':
      return ms + n * 6e4;
    case 'seconds':
      return ms + n * 1e3;
    case 'milliseconds':
      return ms + n;
  }
}

const trunc = (x: number) => (x < 0 ? Math.ceil(x) : Math.floor(x)) || 0;

/** Moment's month difference (fractional) from b to a. */
function monthDiff(a: number, b: number, zone: string): number {
  const fa = fieldsOf(a, zone);
  const fb = fieldsOf(b, zone);
  if (fa.d < fb.d) return -monthDiff(b, a, zone);
  const whole = (fb.y - fa.y) * 12 + (fb.mo - fa.mo);
  const anchor = addMonths(a, whole, zone);
  let adjust: number;
  if (b - anchor < 0) {
    const anchor2 = addMonths(a, whole - 1, zone);
    adjust = (b - anchor) / (anchor - anchor2);
  } else {
    const anchor2 = addMonths(a, whole + 1, zone);
    adjust = (b - anchor) / (anchor2 - anchor);
  }
  return -(whole + adjust) || 0;
}

export function dateBetween(a: number, b: number, unit: Unit, zone: string): number {
  switch (unit) {
    case 'milliseconds':
      return trunc(a - b);
    case 'seconds':
      return trunc((a - b) / 1e3);
    case 'minutes':
      return trunc((a - b) / 6e4);
    case 'hours':
      return trunc((a - b) / 36e5);
    case 'days':
      return trunc((a - b - (offsetMs(zone, b) - offsetMs(zone, a))) / 864e5);
    case 'weeks':
      return trunc((a - b - (offsetMs(zone, b) - offsetMs(zone, a))) / 6048e5);
    case 'months':
      return trunc(monthDiff(a, b, zone));
    case 'quarters':
      return trunc(monthDiff(a, b, zone) / 3);
    case 'years':
      return trunc(monthDiff(a, b, zone) / 12);
  }
}

/** ISO weekday, Monday = 1 … Sunday = 7. */
export function isoWeekday(f: Fields): number {
  const dow = new Date(utcMs(f.y, f.mo - 1, f.d)).getUTCDay();
  return dow === 0 ? 7 : dow;
}

/** ISO-8601 week number and week-year. */
export function isoWeek(f: Fields): { week: number; year: number } {
  const day = utcMs(f.y, f.mo - 1, f.d);
  const thursday = day + (4 - isoWeekday(f)) * 864e5;
  const ty = new Date(thursday).getUTCFullYear();
  return { week: Math.floor((thursday - utcMs(ty, 0, 1)) / 6048e5) + 1, year: ty };
}

/** en-US locale week (weeks start Sunday, week 1 contains Jan 1) and its week-year. */
function localeWeek(f: Fields): { week: number; year: number } {
  const day = utcMs(f.y, f.mo - 1, f.d);
  const dow = new Date(day).getUTCDay();
  const saturday = day + (6 - dow) * 864e5; // the week belongs to the year of its Saturday
  const wy = new Date(saturday).getUTCFullYear();
  const jan1 = utcMs(wy, 0, 1);
  const firstSunday = jan1 - new Date(jan1).getUTCDay() * 864e5;
  return { week: Math.floor((day - firstSunday) / 6048e5) + 1, year: wy };
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number, w: number) => String(Math.abs(n)).padStart(w, '0');
/** Moment's zero fill: a negative number keeps its sign before the zeros ("-0100"). */
const zeroFill = (n: number, w: number) => `${n < 0 ? '-' : ''}${pad(n, w)}`;
/** The year of the era (1 BC is year 0, 2 BC is year -1, …), as `y` and `N` read it. */
const eraYear = (y: number) => (y > 0 ? y : 1 - y);
/** A year as ISO 8601 writes it: four digits within 0–9999, else a sign and six digits. */
export const isoYear = (y: number) => (y >= 0 && y <= 9999 ? pad(y, 4) : `${y < 0 ? '-' : '+'}${pad(y, 6)}`);
const ordinal = (n: number) => {
  const b = n % 10;
  const suffix =
    Math.floor((n % 100) / 10) === 1 ? 'th' : b === 1 ? 'st' : b === 2 ? 'nd' : b === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
};

const TOKEN =
  /\[[^[]*\]|\\.|LTS|LT|LL?L?L?|l{1,4}|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|w[o|w]?|W[o|W]?|Qo?|N{1,5}|YYYYYY|YYYYY|YYYY|YY|y{2,4}|yo?|gg(ggg?)?|GG(GGG?)?|e|E|a|A|hh?|HH?|kk?|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|./gs;

/** Moment-compatible `format` in `zone` (English locale). */
export function formatMoment(ms: number, pattern: string, zone: string): string {
  const f = fieldsOf(ms, zone);
  const off = offsetMs(zone, ms);
  const dow = new Date(utcMs(f.y, f.mo - 1, f.d)).getUTCDay();
  const doy = Math.floor((utcMs(f.y, f.mo - 1, f.d) - utcMs(f.y, 0, 1)) / 864e5) + 1;
  const h12 = f.h % 12 === 0 ? 12 : f.h % 12;
  const offStr = (sep: string) => {
    // Whole minutes, as Moment truncates them (a zone's local mean time has seconds).
    const a = Math.trunc(Math.abs(off) / 6e4);
    return `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60), 2)}${sep}${pad(a % 60, 2)}`;
  };
  const tok = (t: string): string => {
    if (t.startsWith('[')) return t.slice(1, -1);
    if (t.startsWith('\\') && t.length === 2) return t[1]!;
    switch (t) {
      case 'LT':
        return formatMoment(ms, 'h:mm A', zone);
      case 'LTS':
        return formatMoment(ms, 'h:mm:ss A', zone);
      case 'L':
        return formatMoment(ms, 'MM/DD/YYYY', zone);
      case 'l':
        return formatMoment(ms, 'M/D/YYYY', zone);
      case 'LL':
        return formatMoment(ms, 'MMMM D, YYYY', zone);
      case 'll':
        return formatMoment(ms, 'MMM D, YYYY', zone);
      case 'LLL':
        return formatMoment(ms, 'MMMM D, YYYY h:mm A', zone);
      case 'lll':
        return formatMoment(ms, 'MMM D, YYYY h:mm A', zone);
      case 'LLLL':
        return formatMoment(ms, 'dddd, MMMM D, YYYY h:mm A', zone);
      case 'llll':
        return formatMoment(ms, 'ddd, MMM D, YYYY h:mm A', zone);
      case 'M':
        return String(f.mo);
      case 'Mo':
        return ordinal(f.mo);
      case 'MM':
        return pad(f.mo, 2);
      case 'MMM':
        return MONTHS[f.mo - 1]!.slice(0, 3);
      case 'MMMM':
        return MONTHS[f.mo - 1]!;
      case 'Q':
        return String(Math.ceil(f.mo / 3));
      case 'Qo':
        return ordinal(Math.ceil(f.mo / 3));
      case 'D':
        return String(f.d);
      case 'Do':
        return ordinal(f.d);
      case 'DD':
        return pad(f.d, 2);
      case 'DDD':
        return String(doy);
      case 'DDDo':
        return ordinal(doy);
      case 'DDDD':
        return pad(doy, 3);
      case 'd':
      case 'e':
        return String(dow);
      case 'do':
        return ordinal(dow);
      case 'dd':
        return WEEKDAYS[dow]!.slice(0, 2);
      case 'ddd':
        return WEEKDAYS[dow]!.slice(0, 3);
      case 'dddd':
        return WEEKDAYS[dow]!;
      case 'E':
        return String(isoWeekday(f));
      case 'w':
        return String(localeWeek(f).week);
      case 'wo':
        return ordinal(localeWeek(f).week);
      case 'ww':
        return pad(localeWeek(f).week, 2);
      case 'W':
        return String(isoWeek(f).week);
      case 'Wo':
        return ordinal(isoWeek(f).week);
      case 'WW':
        return pad(isoWeek(f).week, 2);
      // Moment's YYYY zero-fills to four digits and no more: 10000 stays "10000" (no sign; the
      // sign is Y's, and YYYYYY's).
      case 'YYYY':
        return zeroFill(f.y, 4);
      // The era's year, zero-filled to as many digits as there are y's and never cut: `yy` is
      // not a two-digit year (2005 → "2005", 5 → "05"), as Moment 2.30 (which `YY` is).
      case 'y':
        return String(eraYear(f.y));
      case 'yy':
        return pad(eraYear(f.y), 2);
      case 'yyy':
        return pad(eraYear(f.y), 3);
      case 'yyyy':
        return pad(eraYear(f.y), 4);
      // Zero-filled to four digits up to 9999 (5 → "0005", -100 → "-0100"), as Moment 2.30.
      case 'Y':
        return f.y <= 9999 ? zeroFill(f.y, 4) : `+${f.y}`;
      case 'YY':
        return zeroFill(f.y % 100, 2);
      case 'YYYYY':
        return zeroFill(f.y, 5);
      case 'YYYYYY':
        return `${f.y < 0 ? '-' : '+'}${pad(f.y, 6)}`;
      case 'yo':
        return ordinal(eraYear(f.y));
      case 'gggg':
        return zeroFill(localeWeek(f).year, 4);
      case 'gg':
        return zeroFill(localeWeek(f).year % 100, 2);
      case 'ggggg':
        return zeroFill(localeWeek(f).year, 5);
      case 'GGGG':
        return zeroFill(isoWeek(f).year, 4);
      case 'GG':
        return zeroFill(isoWeek(f).year % 100, 2);
      case 'GGGGG':
        return zeroFill(isoWeek(f).year, 5);
      case 'N':
      case 'NN':
      case 'NNN':
      case 'NNNNN':
        return f.y > 0 ? 'AD' : 'BC';
      case 'NNNN':
        return f.y > 0 ? 'Anno Domini' : 'Before Christ';
      case 'A':
        return f.h < 12 ? 'AM' : 'PM';
      case 'a':
        return f.h < 12 ? 'am' : 'pm';
      case 'H':
        return String(f.h);
      case 'HH':
        return pad(f.h, 2);
      case 'h':
        return String(h12);
      case 'hh':
        return pad(h12, 2);
      case 'k':
        return String(f.h === 0 ? 24 : f.h);
      case 'kk':
        return pad(f.h === 0 ? 24 : f.h, 2);
      case 'm':
        return String(f.mi);
      case 'mm':
        return pad(f.mi, 2);
      case 's':
        return String(f.s);
      case 'ss':
        return pad(f.s, 2);
      case 'X':
        return String(Math.floor(ms / 1000));
      case 'x':
        return String(ms);
      case 'Z':
        return offStr(':');
      case 'ZZ':
        return offStr('');
      case 'z':
      case 'zz':
        return zone === 'UTC' ? 'UTC' : zone;
      default:
        if (/^S{1,9}$/.test(t)) return pad(f.ms, 3).padEnd(9, '0').slice(0, t.length);
        return t;
    }
  };
  return pattern.replace(TOKEN, tok);
}

const ISO =
  /^([+-]\d{6}|\d{4})(?:-?(\d{2})(?:-?(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses ISO 8601 text; `hasTime` false for a date without a time part. Undefined when invalid. */
export function parseIso(text: string, zone: string): { ms: number; hasTime: boolean } | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) : 1;
  const d = m[3] ? Number(m[3]) : 1;
  const hasTime = m[4] !== undefined;
  const h = hasTime ? Number(m[4]) : 0;
  const mi = m[5] ? Number(m[5]) : 0;
  const s = m[6] ? Number(m[6]) : 0;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 24 || mi > 59 || s > 59) return undefined;
  if (m[8] && !hasTime) return undefined;
  const fields = { y, mo, d, h, mi, s, ms: Math.floor(frac) };
  if (!m[8]) return { ms: instantOf(fields, zone), hasTime };
  let off = 0;
  if (m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    off = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 6e4;
  }
  return { ms: utcMs(y, mo - 1, d, h, mi, s, Math.floor(frac)) - off, hasTime };
}
