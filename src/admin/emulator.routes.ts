/**
 * The emulator controls under `/_octavo` (Octavo as a test double): seeding from a fixture,
 * reset, snapshots, the clock, fault rules and the request journal. Mounted by admin.routes.ts
 * behind the admin token; handlers are as thin as api/'s: parse, one operation, answer.
 *
 *   POST   /seed                      a fixture as JSON, or YAML with Content-Type application/yaml
 *   POST   /reset                     an empty workspace
 *   GET    /snapshots                 list
 *   POST   /snapshots                 {name}: save
 *   POST   /snapshots/:name/restore   restore
 *   DELETE /snapshots/:name           delete
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Emulator } from '../ops/emulator.ts';
import { checkFixture, readFixture } from '../ops/fixture.ts';
import { seedFixture } from '../ops/seed.ts';
import {
  deleteSnapshot,
  listSnapshots,
  resetWorkspace,
  restoreSnapshot,
  SNAPSHOT_NAME,
  saveSnapshot,
} from '../ops/snapshots.ts';
import type { Store } from '../store/store.ts';
import { parseWith } from '../wire/validation.ts';
import { clockRoutes } from './clock.routes.ts';
import { faultRoutes } from './faults.routes.ts';
import { requestRoutes } from './requests.routes.ts';

export interface EmulatorDeps {
  store: Store;
  /** Base of page URLs, as the API's (mentions written by a seed carry it). */
  publicUrl: string;
  emulator: Emulator;
}

type Env = { Variables: { body: unknown } };

export const SaveSnapshotBody = z.strictObject({
  name: z.string().regex(SNAPSHOT_NAME).describe('1 to 30 lower-case letters, digits or underscores'),
});

/**
 * The admin API's body reader, except that a YAML body (`Content-Type: application/yaml` or
 * `text/yaml`, a fixture) is handed on as text: `{ yaml: "…" }`.
 */
export function jsonOrYamlBody(readJson: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'POST' && /yaml/i.test(c.req.header('content-type') ?? '')) {
      c.set('body', { yaml: await c.req.text() });
      return next();
    }
    return readJson(c, next);
  };
}

export function emulatorRoutes(deps: EmulatorDeps) {
  const r = new Hono<Env>();
  const now = () => deps.emulator.clock.now().toISOString();

  r.post('/seed', async (c) => {
    const body = c.get('body') as { yaml?: unknown };
    const fixture =
      typeof body?.yaml === 'string' && Object.keys(body).length === 1
        ? readFixture(body.yaml, 'yaml')
        : checkFixture(body);
    const result = await deps.store.transaction((tx) =>
      seedFixture(tx, fixture, { now: now(), publicUrl: deps.publicUrl }),
    );
    return c.json({ object: 'seed', ...result });
  });

  r.post('/reset', async (c) => {
    await resetWorkspace(deps.store);
    return c.json({ object: 'reset', ok: true });
  });

  r.get('/snapshots', async (c) => {
    return c.json({ object: 'list', results: await listSnapshots(deps.store) });
  });

  r.post('/snapshots', async (c) => {
    const { name } = parseWith(SaveSnapshotBody, c.get('body'));
    const info = await saveSnapshot(deps.store, name, now());
    return c.json({ object: 'snapshot', ...info });
  });

  r.post('/snapshots/:name/restore', async (c) => {
    const name = nameOf(c);
    const started = performance.now();
    await restoreSnapshot(deps.store, name);
    return c.json({ object: 'snapshot', name, restored: true, ms: round(performance.now() - started) });
  });

  r.delete('/snapshots/:name', async (c) => {
    const name = nameOf(c);
    await deleteSnapshot(deps.store, name);
    return c.json({ object: 'snapshot', name, deleted: true });
  });

  r.route('/', clockRoutes(deps));
  r.route('/', faultRoutes(deps));
  r.route('/', requestRoutes(deps));
  return r;
}

const nameOf = (c: Context<Env>) => decodeURIComponent(c.req.param('name') ?? '');
const round = (ms: number) => Math.round(ms * 100) / 100;
