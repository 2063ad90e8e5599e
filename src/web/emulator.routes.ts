/**
 * `/app/api/requests` and `/app/api/emulator…` (mounted by app-api.routes.ts, which authenticates
 * the person, on a server with the emulator: `octavo serve` and the test helper): the request
 * journal — the recent /v1 requests, newest first, filtered by integration and status, as
 * `/requests` and `GET /_octavo/requests` show it — and the test-double controls: snapshots
 * (save, restore, delete), the clock (set, freeze, advance, release) and fault rules (add,
 * remove, clear), plus emptying the journal (`DELETE /app/api/emulator/requests`).
 *
 * All of it is for workspace admins (app-api.routes.ts `adminOnly`; `/requests` too). The controls
 * change the whole server (a restore replaces the workspace), so the browser may use them only
 * where the server was started with `OCTAVO_APP_EMULATOR_CONTROLS=1` (a test or demo server);
 * elsewhere they answer `restricted_resource` and stay with the admin token (`octavo snapshot`,
 * `octavo clock`, `octavo fault`). Seeding and reset are not offered here at all.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ClockBody, type Emulator, setClock } from '../ops/emulator.ts';
import {
  deleteSnapshot,
  listSnapshots,
  restoreSnapshot,
  SNAPSHOT_NAME,
  saveSnapshot,
} from '../ops/snapshots.ts';
import { ApiError } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';
import { type AppApiEnv, readJson } from './app-api.ts';
import type { WebDeps } from './session.ts';

/** At most this many journal entries per answer (the newest). */
const SHOWN = 200;

const RequestsQuery = z.object({
  integration: z.string().optional(),
  status: z
    .string()
    .regex(/^[1-5](xx|\d\d)$/i, 'should be like 404 or 4xx')
    .optional(),
  limit: z.string().regex(/^\d+$/).optional(),
});
const SnapshotBody = z.strictObject({
  name: z.string().regex(SNAPSHOT_NAME, 'should be 1 to 30 lower-case letters, digits or underscores'),
});

export function emulatorAppRoutes(deps: WebDeps, emulator: Emulator) {
  const r = new Hono<AppApiEnv>();
  const controls = deps.appEmulatorControls === true;
  const now = () => emulator.clock.now().toISOString();
  const clock = () => ({ time: emulator.clock.now().toISOString(), frozen: emulator.clock.frozen });

  r.get('/requests', (c) => {
    const q = parseWith(RequestsQuery, c.req.query(), 'query');
    const found = emulator.journal.list({
      integration: q.integration?.trim() || undefined,
      status: q.status,
    });
    const limit = Math.min(Number(q.limit ?? SHOWN) || SHOWN, SHOWN);
    return c.json({
      object: 'list',
      results: found.slice(-limit).reverse(),
      total: found.length,
      kept: emulator.journal.size,
      latest: emulator.journal.latest,
    });
  });

  r.get('/emulator', async (c) =>
    c.json({
      object: 'emulator',
      controls,
      clock: clock(),
      faults: emulator.faults.rules,
      snapshots: controls ? await listSnapshots(deps.store) : [],
    }),
  );

  // Everything below changes the server: only where the controls are on.
  r.use('/emulator/*', async (_c, next) => {
    if (!controls)
      throw new ApiError(
        'restricted_resource',
        'The emulator controls are off in the browser app; start the server with OCTAVO_APP_EMULATOR_CONTROLS=1, or use the admin API.',
      );
    await next();
  });
  r.delete('/emulator/requests', (c) => {
    emulator.journal.clear();
    return c.json({ object: 'list', cleared: true });
  });

  r.post('/emulator/snapshots', async (c) => {
    const { name } = parseWith(SnapshotBody, await readJson(c));
    return c.json({ object: 'snapshot', ...(await saveSnapshot(deps.store, name, now())) });
  });
  r.post('/emulator/snapshots/:name/restore', async (c) => {
    const name = c.req.param('name');
    await restoreSnapshot(deps.store, name);
    return c.json({ object: 'snapshot', name, restored: true });
  });
  r.delete('/emulator/snapshots/:name', async (c) => {
    const name = c.req.param('name');
    await deleteSnapshot(deps.store, name);
    return c.json({ object: 'snapshot', name, deleted: true });
  });

  r.post('/emulator/clock', async (c) => {
    setClock(emulator.clock, parseWith(ClockBody, await readJson(c)));
    return c.json({ object: 'clock', ...clock() });
  });

  r.post('/emulator/faults', async (c) =>
    c.json({ object: 'fault', ...emulator.faults.add(await readJson(c)) }),
  );
  r.delete('/emulator/faults', (c) => c.json({ object: 'list', cleared: emulator.faults.clear() }));
  r.delete('/emulator/faults/:id', (c) => {
    const id = c.req.param('id');
    if (!emulator.faults.remove(id))
      throw new ApiError('object_not_found', `Could not find fault rule: ${id}.`);
    return c.json({ object: 'fault', id, deleted: true });
  });
  return r;
}
