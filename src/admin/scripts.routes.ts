/**
 * The admin API's script routes (mounted under /_octavo by admin.routes.ts, behind the admin
 * token): the history of script runs, by hand or from automations, as `octavo script runs`
 * shows it. Scripts are run by `octavo script run` or by an automation's `run_script` step.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { presentScriptRun } from '../automations/scripts.ts';
import type { Store } from '../store/store.ts';
import { errors } from '../wire/errors.ts';

export const ScriptRunsQuery = z.object({
  script: z.string().optional().describe("Only this script's runs (its name)"),
  limit: z.string().optional().describe('How many of the newest runs: 1 to 1000, default 50'),
});

export function scriptRoutes(deps: { store: Store }) {
  const r = new Hono();
  r.get('/script_runs', async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 1000);
    const rows = await deps.store.transaction((tx) =>
      tx.scripts.listRuns(c.req.query('script') ?? null, limit),
    );
    return c.json({ object: 'list', results: rows.map(presentScriptRun) });
  });
  r.get('/script_runs/:id', async (c) => {
    const id = c.req.param('id');
    const row = await deps.store.transaction((tx) => tx.scripts.getRun(id));
    if (!row) throw errors.validation(`No script run with id ${id}.`);
    return c.json(presentScriptRun(row));
  });
  return r;
}
