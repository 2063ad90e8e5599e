/**
 * The admin API's worker routes (mounted under /_octavo by admin.routes.ts, behind the admin
 * token), the same operations as `octavo workers …`, and the inbound URLs of workers' webhook
 * capabilities (`workerHookRoutes`, mounted by api/app.ts outside /v1 and /_octavo: the worker's
 * hook token in the path is the credential). Executions started from the admin API are performed
 * at once (it has no job queue of its own); webhook deliveries are left to the job process.
 */
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Store } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';
import { deployWorker, presentWorker, removeWorker, workerNamed } from '../workers/deploy.ts';
import {
  handleInbound,
  type InboundRequest,
  presentWorkerRun,
  runCapability,
  type WorkerRuntime,
} from '../workers/runtime.ts';

export const DeployWorkerBody = z.strictObject({
  dir: z.string().min(1).describe("The worker's folder on the server's machine"),
  name: z.string().optional().describe("The worker's name (default: the folder's name)"),
  parent: z.string().optional().describe('The page managed databases are created under'),
  attach: z.record(z.string(), z.string()).optional().describe('Attached databases: key → data source id'),
  env: z.record(z.string(), z.string()).optional().describe('Variables every execution gets'),
});

export const RunWorkerBody = z.strictObject({
  capability: z.string().min(1),
  input: z.unknown().optional(),
});

export const WorkerRunsQuery = z.object({
  limit: z.string().optional().describe('How many of the newest runs: 1 to 1000, default 50'),
});

type Env = { Variables: { body: unknown } };

const MAX_HOOK_BYTES = 1024 * 1024;

/** The runtime of executions started from HTTP (no queue: performed at once). */
export function httpWorkerRuntime(deps: {
  store: Store;
  api?: ((req: Request) => Promise<Response>) | undefined;
  publicUrl?: string | undefined;
}): WorkerRuntime {
  return {
    store: deps.store,
    api: deps.api,
    baseUrl: deps.publicUrl || 'http://octavo.local',
    limits: {
      timeoutMs: Number(process.env.OCTAVO_SCRIPT_TIMEOUT_MS) || 30_000,
      memoryMb: Number(process.env.OCTAVO_SCRIPT_MEMORY_MB) || 128,
    },
    verifyTimeoutMs: Number(process.env.OCTAVO_WORKER_VERIFY_TIMEOUT_MS) || undefined,
  };
}

export function workerRoutes(deps: {
  store: Store;
  clock?: (() => Date) | undefined;
  api?: ((req: Request) => Promise<Response>) | undefined;
  publicUrl?: string | undefined;
}) {
  const r = new Hono<Env>();
  const rt = httpWorkerRuntime(deps);
  const tx = deps.store.transaction.bind(deps.store);
  const name = (c: Context<Env>) => decodeURIComponent(c.req.param('name') ?? '');
  const show = async (c: Context<Env>, workerName: string) =>
    c.json(
      await tx(async (t) =>
        presentWorker(await workerNamed(t, workerName), await t.workers.syncs(workerName)),
      ),
    );

  r.get('/workers', async (c) => {
    const list = await tx(async (t) => {
      const syncs = await t.workers.syncs(null);
      return (await t.workers.list()).map((w) =>
        presentWorker(
          w,
          syncs.filter((s) => s.worker_name === w.name),
        ),
      );
    });
    return c.json({ object: 'list', results: list });
  });
  r.post('/workers', async (c) => {
    const body = parseWith(DeployWorkerBody, c.get('body'));
    const row = await deployWorker(rt, { ...body, now: deps.clock?.() ?? new Date() });
    return show(c, row.name);
  });
  r.get('/workers/:name', async (c) => show(c, name(c)));
  r.delete('/workers/:name', async (c) => c.json(presentWorker(await tx((t) => removeWorker(t, name(c))))));
  r.post('/workers/:name/run', async (c) => {
    const body = parseWith(RunWorkerBody, c.get('body') ?? {});
    const done = await runCapability(rt, name(c), body.capability, body.input, 'admin');
    return c.json({
      object: 'list',
      results: done.runs.map(presentWorkerRun),
      ...(done.sync ? { sync: done.sync } : {}),
    });
  });
  r.get('/workers/:name/runs', async (c) => {
    const q = parseWith(WorkerRunsQuery, c.req.query());
    const limit = Math.min(Math.max(Number(q.limit ?? 50) || 50, 1), 1000);
    const rows = await tx(async (t) => {
      await workerNamed(t, name(c));
      return t.workers.listRuns(name(c), limit);
    });
    return c.json({ object: 'list', results: rows.map(presentWorkerRun) });
  });
  r.get('/worker_runs/:id', async (c) => {
    const id = c.req.param('id');
    const row = await tx((t) => t.workers.getRun(id));
    if (!row) throw errors.validation(`No worker run with id ${id}.`);
    return c.json(presentWorkerRun(row));
  });
  return r;
}

/**
 * `GET`, `HEAD`, `POST /hooks/workers/{name}/{token}/{capability}`: a webhook capability's URL.
 * The verify step answers here; an accepted delivery is recorded for the job process, which
 * executes it (`handleInbound`).
 */
export function workerHookRoutes(deps: {
  store: Store;
  api?: ((req: Request) => Promise<Response>) | undefined;
  publicUrl?: string | undefined;
}) {
  const r = new Hono();
  const rt = httpWorkerRuntime(deps);
  r.on(['GET', 'HEAD', 'POST'], '/hooks/workers/:name/:token/:capability', async (c) => {
    const rawBody = c.req.method === 'POST' ? await c.req.text() : '';
    if (Buffer.byteLength(rawBody) > MAX_HOOK_BYTES)
      throw errors.validation('The body is larger than 1 MiB.');
    const req: InboundRequest = {
      method: c.req.method as InboundRequest['method'],
      url: c.req.url,
      query: c.req.query(),
      headers: Object.fromEntries([...c.req.raw.headers.entries()].map(([k, v]) => [k.toLowerCase(), v])),
      rawBody,
    };
    const answer = await handleInbound(
      rt,
      decodeURIComponent(c.req.param('name')),
      c.req.param('token'),
      decodeURIComponent(c.req.param('capability')),
      req,
    );
    if (!answer)
      return c.json(
        { object: 'error', status: 404, code: 'object_not_found', message: 'No such hook.' },
        404,
      );
    return c.body(c.req.method === 'HEAD' ? '' : answer.body, answer.status as 200, {
      'content-type': answer.contentType,
    });
  });
  return r;
}
