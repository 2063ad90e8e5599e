/** Date intervals: parsing, time zones and relative keywords around an injected now. */
import { describe, expect, it } from 'vitest';
import { deriveColumns } from '../../src/query/columns.ts';
import { DAY_MS, pageDateInterval, parseDateInterval, resolveRelative } from '../../src/query/dates.ts';

const ms = (iso: string) => Date.parse(iso);

describe('date intervals', () => {
  it('makes a date-only value its whole UTC day and a date-time value one millisecond', () => {
    expect(parseDateInterval('2026-05-01')).toEqual({
      from: ms('2026-05-01T00:00:00Z'),
      to: ms('2026-05-02T00:00:00Z'),
    });
    const t = ms('2026-05-01T10:00:00-04:00');
    expect(parseDateInterval('2026-05-01T10:00:00-04:00')).toEqual({ from: t, to: t + 1 });
    expect(parseDateInterval('2026-05-01T14:00')?.from).toBe(t);
    expect(parseDateInterval('2026-02-30')).toBeNull();
    expect(parseDateInterval('May 1st')).toBeNull();
  });

  it('reads a value without offset in its named time zone, across DST', () => {
    expect(pageDateInterval({ start: '2026-07-01T09:00:00', time_zone: 'America/New_York' })?.from).toBe(
      ms('2026-07-01T13:00:00Z'),
    );
    expect(pageDateInterval({ start: '2026-01-01T09:00:00', time_zone: 'America/New_York' })?.from).toBe(
      ms('2026-01-01T14:00:00Z'),
    );
  });

  it('runs a range to the end of its end day', () => {
    expect(pageDateInterval({ start: '2026-05-01', end: '2026-05-03', time_zone: null })).toEqual({
      from: ms('2026-05-01T00:00:00Z'),
      to: ms('2026-05-04T00:00:00Z'),
    });
    expect(deriveColumns({ id: 'd', type: 'date' }, null)).toEqual({ p_64_lo: null, p_64_hi: null });
  });

  it('computes relative days and spans from now (weeks start on Sunday)', () => {
    const now = new Date('2026-05-13T22:00:00Z'); // a Wednesday
    expect(resolveRelative('today', now).from).toBe(ms('2026-05-13T00:00:00Z'));
    expect(resolveRelative('one_month_ago', new Date('2026-03-31T10:00:00Z')).from).toBe(
      ms('2026-02-28T00:00:00Z'),
    );
    expect(resolveRelative('this_week', now)).toEqual({
      from: ms('2026-05-10T00:00:00Z'),
      to: ms('2026-05-17T00:00:00Z'),
    });
    expect(resolveRelative('past_week', now)).toEqual({
      from: ms('2026-05-06T00:00:00Z'),
      to: ms('2026-05-14T00:00:00Z'),
    });
    expect(resolveRelative('next_month', now).to).toBe(ms('2026-06-13T00:00:00Z') + DAY_MS);
  });
});

describe('date intervals before 1970 and unknown zones', () => {
  it('keeps fractional seconds of a zoned value before 1970 on the right second', () => {
    expect(pageDateInterval({ start: '1960-06-01T12:00:00.250', time_zone: 'Europe/Paris' })?.from).toBe(
      ms('1960-06-01T11:00:00.250Z'),
    );
    expect(pageDateInterval({ start: '1969-12-31T23:59:59.999', time_zone: 'America/New_York' })?.from).toBe(
      ms('1970-01-01T04:59:59.999Z'),
    );
    expect(pageDateInterval({ start: '1900-01-01T00:00:00.5', time_zone: 'UTC' })?.from).toBe(
      ms('1900-01-01T00:00:00.500Z'),
    );
  });

  it('reads nothing, rather than UTC, for a zone that is not an IANA name', () => {
    expect(pageDateInterval({ start: '2026-05-01T10:00:00', time_zone: 'Mars/Olympus' })).toBeNull();
    expect(pageDateInterval({ start: '2026-05-01T10:00:00', time_zone: '+05:00' })).toBeNull();
  });
});

describe('date intervals in years 0–99 and before year 1', () => {
  const at = (y: number, mo: number, d: number, h = 0) => {
    const t = new Date(0);
    t.setUTCFullYear(y, mo - 1, d);
    return t.setUTCHours(h);
  };

  it('reads year 0 as a leap year and years 0–99 as themselves', () => {
    expect(parseDateInterval('0000-02-29')).toEqual({ from: at(0, 2, 29), to: at(0, 3, 1) });
    expect(parseDateInterval('0050-03-31T10:00:00Z')?.from).toBe(at(50, 3, 31, 10));
  });

  it('reads ISO 8601 expanded years (what formulas write outside 0–9999)', () => {
    expect(parseDateInterval('-000100-03-01')).toEqual({ from: at(-100, 3, 1), to: at(-100, 3, 2) });
    expect(parseDateInterval('+010000-01-01T00:00:00Z')?.from).toBe(at(10000, 1, 1));
    expect(parseDateInterval('-000100-02-29')).toBeNull();
  });

  it('reads a zoned value of year 50 in the zone’s local mean time', () => {
    // Paris before 1891: +0:09:21.
    expect(pageDateInterval({ start: '0050-06-01T12:00:00', time_zone: 'Europe/Paris' })?.from).toBe(
      at(50, 6, 1, 12) - 561_000,
    );
  });
});
