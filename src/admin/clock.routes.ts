/**
 * `/_octavo/clock`: the server's clock for tests. GET shows it; POST sets it (`time`, frozen
 * unless `frozen: false`), moves it (`advance_ms`, or `advance` like `2h`, `3d`, `90s`), or
 * gives it back to the system (`release: true`). Everything time-based follows it: timestamps,
 * relative date filters, file-URL expiry, ids' time part.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';
import type { EmulatorDeps } from './emulator.routes.ts';

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

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `2h` → 7,200,000. */
export function durationMs(text: string): number {
  const m = /^(-?\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new ApiError('validation_error', `A duration is a number and ms, s, m, h or d, not ${text}.`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function clockRoutes(deps: EmulatorDeps) {
  const r = new Hono<{ Variables: { body: unknown } }>();
  const show = () => ({
    object: 'clock',
    time: deps.emulator.clock.now().toISOString(),
    frozen: deps.emulator.clock.frozen,
  });
  r.get('/clock', (c) => c.json(show()));
  r.post('/clock', (c) => {
    const body = parseWith(ClockBody, c.get('body'));
    const clock = deps.emulator.clock;
    if (body.release) clock.release();
    if (body.time) clock.set(body.time, body.frozen ?? true);
    else if (body.frozen === true && !clock.frozen) clock.set(clock.now().toISOString(), true);
    else if (body.frozen === false && clock.frozen) clock.set(clock.now().toISOString(), false);
    if (body.advance_ms !== undefined) clock.advance(body.advance_ms);
    if (body.advance !== undefined) clock.advance(durationMs(body.advance));
    return c.json(show());
  });
  return r;
}
