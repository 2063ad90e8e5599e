/**
 * `/_octavo/clock`: the server's clock for tests. GET shows it; POST sets it (`time`, frozen
 * unless `frozen: false`), moves it (`advance_ms`, or `advance` like `2h`, `3d`, `90s`), or
 * gives it back to the system (`release: true`). Everything time-based follows it: timestamps,
 * relative date filters, file-URL expiry, ids' time part.
 */
import { Hono } from 'hono';
import { ClockBody, setClock } from '../ops/emulator.ts';
import { parseWith } from '../wire/validation.ts';
import type { EmulatorDeps } from './emulator.routes.ts';

export { ClockBody };

export function clockRoutes(deps: EmulatorDeps) {
  const r = new Hono<{ Variables: { body: unknown } }>();
  r.get('/clock', (c) => c.json(showClock(deps.emulator.clock)));
  r.post('/clock', (c) => {
    setClock(deps.emulator.clock, parseWith(ClockBody, c.get('body')));
    return c.json(showClock(deps.emulator.clock));
  });
  return r;
}

const showClock = (clock: EmulatorDeps['emulator']['clock']) => ({
  object: 'clock',
  time: clock.now().toISOString(),
  frozen: clock.frozen,
});
