/**
 * `/_octavo/requests`: the journal of recent API requests (ops/emulator.ts), newest last.
 * Query: `integration` (name or id), `status` (`404` or `4xx`), `after` (a sequence number, to
 * follow), `limit`. DELETE empties it.
 */
import { Hono } from 'hono';
import { statusTest } from '../ops/emulator.ts';
import { ApiError } from '../wire/errors.ts';
import type { EmulatorDeps } from './emulator.routes.ts';

export function requestRoutes(deps: EmulatorDeps) {
  const r = new Hono<{ Variables: { body: unknown } }>();
  r.get('/requests', (c) => {
    const status = c.req.query('status');
    try {
      statusTest(status);
    } catch (e) {
      throw new ApiError('validation_error', (e as Error).message);
    }
    const number = (name: string) => {
      const raw = c.req.query(name);
      if (raw === undefined) return undefined;
      if (!/^\d+$/.test(raw))
        throw new ApiError('validation_error', `${name} should be a whole number, not ${raw}.`);
      return Number(raw);
    };
    const results = deps.emulator.journal.list({
      integration: c.req.query('integration'),
      status,
      after: number('after'),
      limit: number('limit'),
    });
    // `latest`: pass it as `after` next time to see only newer requests (octavo requests --follow).
    return c.json({ object: 'list', results, latest: deps.emulator.journal.latest });
  });
  r.delete('/requests', (c) => {
    deps.emulator.journal.clear();
    return c.json({ object: 'list', cleared: true });
  });
  return r;
}
