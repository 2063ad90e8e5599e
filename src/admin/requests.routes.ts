/**
 * `/_octavo/requests`: the journal of recent API requests (ops/emulator.ts), newest last.
 * Query: `integration` (name or id), `status` (`404` or `4xx`), `after` (a sequence number, to
 * follow), `limit`. DELETE empties it.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { parseWith } from '../wire/validation.ts';
import type { EmulatorDeps } from './emulator.routes.ts';

const WholeNumber = z.string().regex(/^\d+$/, 'should be a whole number');

/** The journal's filters (ops/emulator.ts `RequestJournal.list`). */
export const RequestsQuery = z.object({
  integration: z.string().optional().describe('An integration name or id'),
  status: z
    .string()
    .regex(/^[1-5](xx|\d\d)$/i, 'should be like 404 or 4xx')
    .optional()
    .describe('A status (404) or a class (4xx)'),
  after: WholeNumber.optional().describe('Only entries after this sequence number (`latest` of an answer)'),
  limit: WholeNumber.optional().describe('Only the newest N entries'),
});

export function requestRoutes(deps: EmulatorDeps) {
  const r = new Hono<{ Variables: { body: unknown } }>();
  r.get('/requests', (c) => {
    const query = parseWith(RequestsQuery, c.req.query(), 'query');
    const number = (raw: string | undefined) => (raw === undefined ? undefined : Number(raw));
    const results = deps.emulator.journal.list({
      integration: query.integration,
      status: query.status,
      after: number(query.after),
      limit: number(query.limit),
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
