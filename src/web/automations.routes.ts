/**
 * `/app/api/automations…` (mounted by app-api.routes.ts, which authenticates the person):
 * automations in the browser — list, create from a definition, enable, disable, delete, run by
 * hand, the runs with their steps, and the retry of a failed run. The same operations as
 * `octavo automation …` and `/_octavo/automations` (automations/runtime.ts). A run started here
 * (by hand or a retry) is performed before answering, as the admin API does.
 *
 * One thing the browser may not do: save a `run_script` action, which names a file on the
 * server to execute. That stays with the command line and the admin token.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import {
  type AutomationRuntime,
  automationNamed,
  createAutomation,
  deleteAutomation,
  presentAutomation,
  presentRun,
  retryRun,
  runManually,
  setEnabled,
  settingsFromEnv,
} from '../automations/runtime.ts';
import type { AutomationRow, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';
import { type AppApiEnv, readJson } from './app-api.ts';
import { nowOf, type WebDeps } from './session.ts';

const RunBody = z.strictObject({ input: z.unknown().optional(), dry_run: z.boolean().optional() });
const RunsQuery = z.object({ limit: z.string().regex(/^\d+$/).optional() });

/** Refuses a definition with a `run_script` action: the browser does not name server files. */
function refuseScripts(raw: unknown): void {
  const actions = (raw as { actions?: unknown } | null)?.actions;
  if (!Array.isArray(actions)) return;
  for (const [i, a] of actions.entries())
    if ((a as { type?: unknown } | null)?.type === 'run_script')
      throw errors.validation(
        `Automation definition: actions[${i}]: run_script runs a file on the server; save such automations with \`octavo automation create\` or the admin API.`,
      );
}

export function automationAppRoutes(deps: WebDeps) {
  const r = new Hono<AppApiEnv>();
  const now = () => nowOf(deps);
  const tx = <T>(fn: (t: StoreTx) => Promise<T>) => deps.store.transaction(fn);
  const rt: AutomationRuntime = {
    store: deps.store,
    settings: settingsFromEnv(process.env, deps.publicUrl),
    api: deps.api,
  };
  const show = async (t: StoreTx, row: AutomationRow) => ({
    object: 'automation',
    ...presentAutomation(row, (await t.integrations.get(row.integration_id))?.name),
  });

  r.get('/automations', async (c) => {
    const results = await tx(async (t) => Promise.all((await t.automations.list()).map((a) => show(t, a))));
    return c.json({ object: 'list', results });
  });

  r.post('/automations', async (c) => {
    const raw = await readJson(c);
    refuseScripts(raw);
    return c.json(await tx(async (t) => show(t, await createAutomation(t, raw, now()))));
  });

  r.post('/automations/:id/enable', async (c) => {
    const id = c.req.param('id');
    return c.json(await tx(async (t) => show(t, await setEnabled(t, id, true, now()))));
  });

  r.post('/automations/:id/disable', async (c) => {
    const id = c.req.param('id');
    return c.json(await tx(async (t) => show(t, await setEnabled(t, id, false, now()))));
  });

  r.delete('/automations/:id', async (c) => {
    const id = c.req.param('id');
    return c.json(
      await tx(async (t) => {
        const shown = await show(t, await automationNamed(t, id));
        await deleteAutomation(t, id);
        return shown;
      }),
    );
  });

  r.post('/automations/:id/run', async (c) => {
    const body = parseWith(RunBody, await readJson(c));
    const run = await runManually(rt, c.req.param('id'), body.input, {
      dryRun: body.dry_run ?? false,
      wait: true,
    });
    return c.json({ object: 'automation_run', ...presentRun(run) });
  });

  r.get('/automations/:id/runs', async (c) => {
    const { limit } = parseWith(RunsQuery, c.req.query(), 'query');
    const id = c.req.param('id');
    const rows = await tx(async (t) =>
      t.automations.listRuns((await automationNamed(t, id)).id, Math.min(Number(limit ?? 20) || 20, 200)),
    );
    return c.json({
      object: 'list',
      results: rows.map((x) => ({ object: 'automation_run', ...presentRun(x) })),
    });
  });

  r.post('/automation_runs/:id/retry', async (c) => {
    const run = await retryRun(rt, c.req.param('id'), { wait: true });
    return c.json({ object: 'automation_run', ...presentRun(run) });
  });
  return r;
}
