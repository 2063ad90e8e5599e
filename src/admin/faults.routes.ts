/**
 * `/_octavo/faults`: fault rules (domain/faults.ts). GET lists them with how often each fired;
 * POST adds one (the rule's JSON); DELETE /faults clears all, DELETE /faults/:id one.
 */
import { Hono } from 'hono';
import { ApiError } from '../wire/errors.ts';
import type { EmulatorDeps } from './emulator.routes.ts';

export function faultRoutes(deps: EmulatorDeps) {
  const r = new Hono<{ Variables: { body: unknown } }>();
  const faults = deps.emulator.faults;
  r.get('/faults', (c) => c.json({ object: 'list', results: faults.rules }));
  r.post('/faults', (c) => c.json({ object: 'fault', ...faults.add(c.get('body')) }));
  r.delete('/faults', (c) => c.json({ object: 'list', cleared: faults.clear() }));
  r.delete('/faults/:id', (c) => {
    const id = c.req.param('id');
    if (!faults.remove(id)) throw new ApiError('object_not_found', `Could not find fault rule: ${id}.`);
    return c.json({ object: 'fault', id, deleted: true });
  });
  return r;
}
