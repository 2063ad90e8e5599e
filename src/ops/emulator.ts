/**
 * The emulator's state for one server (Octavo as a test double): the controllable clock, the
 * fault rules with their fire counts, and the journal of recent requests. Process memory, not
 * the database: these describe one running server and its test, and a snapshot restore or reset
 * must not move them.
 */
import { z } from 'zod';
import { type FaultRule, FaultRuleInput } from '../domain/faults.ts';
import { ControlledClock } from '../lib/clock.ts';
import { ApiError } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';

/**
 * A change of the clock (`POST /_octavo/clock`, the browser app's emulator screen): set it
 * (`time`, frozen unless `frozen: false`), freeze or unfreeze it, move it (`advance_ms`, or
 * `advance` like `2h`, `3d`, `90s`), or give it back to the system (`release: true`).
 */
export const ClockBody = z.strictObject({
  time: z.iso.datetime({ offset: true }).optional(),
  frozen: z.boolean().optional(),
  advance_ms: z.number().int().optional(),
  advance: z
    .string()
    .regex(/^-?\d+(ms|s|m|h|d)$/)
    .optional(),
  release: z.literal(true).optional(),
});
export type ClockBody = z.output<typeof ClockBody>;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `2h` → 7,200,000. */
export function durationMs(text: string): number {
  const m = /^(-?\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new ApiError('validation_error', `A duration is a number and ms, s, m, h or d, not ${text}.`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** Applies a checked clock change. */
export function setClock(clock: ControlledClock, body: ClockBody): void {
  if (body.release) clock.release();
  if (body.time) clock.set(body.time, body.frozen ?? true);
  else if (body.frozen === true && !clock.frozen) clock.set(clock.now().toISOString(), true);
  else if (body.frozen === false && clock.frozen) clock.set(clock.now().toISOString(), false);
  if (body.advance_ms !== undefined) clock.advance(body.advance_ms);
  if (body.advance !== undefined) clock.advance(durationMs(body.advance));
}

/** Fault rules in force, first match wins; ids `f1`, `f2`, … in the order added. */
export class FaultList {
  readonly rules: FaultRule[] = [];
  private next = 1;

  /** Adds a rule after checking it (validation_error naming the field). */
  add(input: unknown): FaultRule {
    const parsed = parseWith(FaultRuleInput, input);
    const rule: FaultRule = { id: `f${this.next++}`, ...parsed, fired: 0 };
    this.rules.push(rule);
    return rule;
  }

  remove(id: string): boolean {
    const at = this.rules.findIndex((r) => r.id === id);
    if (at >= 0) this.rules.splice(at, 1);
    return at >= 0;
  }

  clear(): number {
    return this.rules.splice(0).length;
  }
}

/** One request as the journal keeps it: no token, bodies cut at the journal's limit. */
export interface JournalEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  latency_ms: number;
  integration: { id: string; name: string } | null;
  request_id: string | null;
  /** The Authorization header with all but the token's first characters hidden. */
  authorization: string | null;
  request_body: string | null;
  response_body: string | null;
  /** The fault rule that answered or delayed it. */
  fault: string | null;
}

export interface JournalFilter {
  integration?: string | undefined;
  /** `404`, or a class: `4xx`, `5xx`. */
  status?: string | undefined;
  /** Entries after this sequence number (for --follow). */
  after?: number | undefined;
  limit?: number | undefined;
}

/** The last `size` requests, newest last; listeners hear each new one (`octavo requests --follow`). */
export class RequestJournal {
  private readonly entries: JournalEntry[] = [];
  /** Once the ring is full: the slot of the oldest entry, the next to be replaced. */
  private next = 0;
  private seq = 0;
  private readonly listeners = new Set<(e: JournalEntry) => void>();

  readonly size: number;
  readonly bodyLimit: number;

  constructor(size = 1000, bodyLimit = 16 * 1024) {
    this.size = size;
    this.bodyLimit = bodyLimit;
  }

  add(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full = { seq: ++this.seq, ...entry };
    // A ring once full: the oldest entry's slot takes the newest (no shifting of the array).
    if (this.entries.length < this.size) this.entries.push(full);
    else if (this.size > 0) {
      this.entries[this.next] = full;
      this.next = (this.next + 1) % this.size;
    }
    for (const l of this.listeners) l(full);
    return full;
  }

  /** The entries kept, oldest first. */
  private inOrder(): JournalEntry[] {
    return this.next === 0
      ? this.entries
      : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }

  /**
   * A body as kept: cut at the limit with a note of the full size. The cut is a copy: V8 makes a
   * slice of a long string a view into it, so each entry would keep its whole body alive (1,000
   * entries of 200 KB query answers held ~190 MB; docs/benchmarks.md, "Server CPU per request").
   */
  cut(text: string | readonly string[] | null): string | null {
    if (text === null) return null;
    // A body given in pieces (api/respond.ts okParts) is not joined whole when it is to be cut.
    if (typeof text !== 'string') {
      let length = 0;
      for (const part of text) length += part.length;
      if (length <= this.bodyLimit) return text.join('');
      let head = '';
      for (const part of text) {
        head += part;
        if (head.length >= this.bodyLimit) break;
      }
      return structuredClone(`${head.slice(0, this.bodyLimit)}… (${length} characters)`);
    }
    if (text.length <= this.bodyLimit) return text;
    return structuredClone(`${text.slice(0, this.bodyLimit)}… (${text.length} characters)`);
  }

  list(filter: JournalFilter = {}): JournalEntry[] {
    const status = statusTest(filter.status);
    const out = this.inOrder().filter(
      (e) =>
        (filter.after === undefined || e.seq > filter.after) &&
        status(e.status) &&
        (!filter.integration ||
          e.integration?.name === filter.integration ||
          e.integration?.id === filter.integration),
    );
    if (filter.limit === undefined) return out;
    return filter.limit === 0 ? [] : out.slice(-filter.limit);
  }

  /** The sequence number of the newest entry (0 before any): `after` for the next look. */
  get latest(): number {
    return this.seq;
  }

  clear(): void {
    this.entries.length = 0;
    this.next = 0;
  }

  listen(fn: (e: JournalEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** `404` matches that status; `4xx` its class; nothing matches all. */
export function statusTest(spec: string | undefined): (status: number) => boolean {
  if (!spec) return () => true;
  const m = /^([1-5])(xx|\d\d)$/i.exec(spec);
  if (!m) throw new RangeError(`status must be like 404 or 4xx, not ${spec}`);
  if (m[2]!.toLowerCase() === 'xx') return (s) => Math.floor(s / 100) === Number(m[1]);
  return (s) => s === Number(spec);
}

/** The emulator controls of one server. */
export interface Emulator {
  clock: ControlledClock;
  faults: FaultList;
  journal: RequestJournal;
}

export interface EmulatorOptions {
  /** OCTAVO_CLOCK: start frozen at this ISO time. */
  clock?: string | undefined;
  /** OCTAVO_FAULTS: rules in force from the start. */
  faults?: unknown[] | undefined;
  /** How many requests the journal keeps (OCTAVO_REQUEST_LOG_SIZE). */
  journalSize?: number | undefined;
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const faults = new FaultList();
  for (const rule of options.faults ?? []) faults.add(rule);
  return {
    clock: new ControlledClock(options.clock),
    faults,
    journal: new RequestJournal(options.journalSize),
  };
}
