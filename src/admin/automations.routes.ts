/**
 * The admin API's automation routes (mounted under /_octavo by admin.routes.ts, behind the admin
 * token): the same operations as `octavo automation …`. A run started here is performed at once
 * and answered finished (the admin API has no job queue of its own).
 */
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import {
  type AutomationRuntime,
  automationNamed,
  createAutomation,
  deleteAutomation,
  presentAutomation,
  presentRun,
  retryRun,
  runFromHook,
  runManually,
  setEnabled,
  settingsFromEnv,
} from '../automations/runtime.ts';
import type { Store } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';

export const RunAutomationBody = z.strictObject({
  input: z.unknown().optional(),
  dry_run: z.boolean().optional(),
});

type Env = { Variables: { body: unknown } };

export function automationRoutes(deps: {
  store: Store;
  clock?: (() => Date) | undefined;
  api?: ((req: Request) => Promise<Response>) | undefined;
}) {
  const r = new Hono<Env>();
  const now = () => deps.clock?.() ?? new Date();
  const tx = deps.store.transaction.bind(deps.store);
  const rt: AutomationRuntime = { store: deps.store, settings: settingsFromEnv(process.env), api: deps.api };
  const id = (c: Context<Env>) => decodeURIComponent(c.req.param('id') ?? '');
  const show = (c: Context<Env>, row: Parameters<typeof presentAutomation>[0]) =>
    c.json({ object: 'automation', ...presentAutomation(row) });

  r.get('/automations', async (c) => {
    const rows = await tx((t) => t.automations.list());
    return c.json({
      object: 'list',
      results: rows.map((a) => ({ object: 'automation', ...presentAutomation(a) })),
    });
  });
  r.post('/automations', async (c) => show(c, await tx((t) => createAutomation(t, c.get('body'), now()))));
  r.get('/automations/:id', async (c) => show(c, await tx((t) => automationNamed(t, id(c)))));
  r.post('/automations/:id/enable', async (c) => show(c, await tx((t) => setEnabled(t, id(c), true, now()))));
  r.post('/automations/:id/disable', async (c) =>
    show(c, await tx((t) => setEnabled(t, id(c), false, now()))),
  );
  r.delete('/automations/:id', async (c) => show(c, await tx((t) => deleteAutomation(t, id(c)))));
  r.post('/automations/:id/run', async (c) => {
    const body = parseWith(RunAutomationBody, c.get('body') ?? {});
    const run = await runManually(rt, id(c), body.input, { dryRun: body.dry_run ?? false, wait: true });
    return c.json({ object: 'automation_run', ...presentRun(run) });
  });
  r.get('/automations/:id/runs', async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 1000);
    const rows = await tx(async (t) => t.automations.listRuns((await automationNamed(t, id(c))).id, limit));
    return c.json({
      object: 'list',
      results: rows.map((x) => ({ object: 'automation_run', ...presentRun(x) })),
    });
  });
  r.get('/automation_runs/:id', async (c) => {
    const row = await tx((t) => t.automations.getRun(id(c)));
    if (!row) throw errors.validation(`No automation run with id ${id(c)}.`);
    return c.json({ object: 'automation_run', ...presentRun(row) });
  });
  r.post('/automation_runs/:id/retry', async (c) => {
    const run = await retryRun(rt, id(c), { wait: true });
    return c.json({ object: 'automation_run', ...presentRun(run) });
  });
  return r;
}

/** Largest body an inbound automation URL takes. */
const MAX_HOOK_BYTES = 1024 * 1024;

/**
 * The inbound URLs of webhook triggers, `POST /hooks/automations/{id}/{token}` (mounted by
 * api/app.ts, outside /v1 and /_octavo: the token in the URL is the credential). JSON bodies and
 * HTML forms (`application/x-www-form-urlencoded`) are the run's input; the run is performed
 * before answering `202` with its id and status. A wrong id or token is 404.
 */
export function automationHookRoutes(deps: {
  store: Store;
  api?: ((req: Request) => Promise<Response>) | undefined;
}) {
  const r = new Hono();
  const rt: AutomationRuntime = { store: deps.store, settings: settingsFromEnv(process.env), api: deps.api };
  r.post('/hooks/automations/:id/:token', async (c) => {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > MAX_HOOK_BYTES) throw errors.validation('The body is larger than 1 MiB.');
    let input: unknown = {};
    if ((c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      input = Object.fromEntries(new URLSearchParams(text));
    } else if (text.trim() !== '') {
      try {
        input = JSON.parse(text);
      } catch {
        throw errors.invalidJson();
      }
    }
    const run = await runFromHook(rt, c.req.param('id'), c.req.param('token'), input);
    if (!run)
      return c.json(
        { object: 'error', status: 404, code: 'object_not_found', message: 'No such hook.' },
        404,
      );
    return c.json({ object: 'automation_run', id: run.id, status: run.status }, 202);
  });
  return r;
}
