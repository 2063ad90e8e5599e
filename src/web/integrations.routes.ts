/**
 * `/app/api/…` (mounted by app-api.routes.ts, which authenticates the person): the internal
 * integrations (list with what each can reach, create, rename, change capabilities, rotate,
 * revoke, delete) and a page's Connections (the integrations it is shared with; share, unshare).
 * Not part of Notion's API, so not under /v1; not under /_octavo, whose credential is the admin
 * token. Creating, renaming, changing capabilities, rotating, revoking and deleting are for
 * workspace admins; any signed-in person may list the integrations and change a page's
 * Connections (app-api.routes.ts `adminOnly`). Errors have Notion's shape. The handlers call the
 * operations of `octavo integration …` and the admin API (ops/integrations.ts).
 */
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { CAPABILITIES } from '../domain/capabilities.ts';
import { integrationReach, pageConnections, unsharePage } from '../ops/connections.ts';
import {
  createIntegration,
  deleteIntegration,
  listIntegrations,
  revokeIntegration,
  rotateIntegrationToken,
  sharePage,
  updateIntegration,
} from '../ops/integrations.ts';
import type { IntegrationRow, StoreTx } from '../store/store.ts';
import { ApiError, errors } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';
import { readJson as json } from './app-api.ts';
import { nowOf, type WebDeps } from './session.ts';

const CreateBody = z.strictObject({
  name: z.string().min(1),
  capabilities: z.array(z.enum(CAPABILITIES)).optional(),
});
/** Rename, change the capabilities (the whole set, replacing the old), or both. */
const UpdateBody = z
  .strictObject({
    name: z.string().min(1).optional(),
    capabilities: z.array(z.enum(CAPABILITIES)).optional(),
  })
  .refine((b) => b.name !== undefined || b.capabilities !== undefined, {
    message: 'Give a new name, capabilities, or both.',
  });
const ShareBody = z.strictObject({ integration_id: z.string().min(1) });

/** An integration as the screen shows it: never its token hash; `token` only when just made. */
function present(row: IntegrationRow, reach: Awaited<ReturnType<typeof integrationReach>>) {
  return {
    object: 'integration',
    id: row.id,
    name: row.name,
    bot_user_id: row.bot_user_id,
    capabilities: JSON.parse(row.capabilities) as string[],
    created_time: row.created_time,
    revoked_time: row.revoked_time,
    shared: reach,
  };
}

export function integrationAdminRoutes(deps: WebDeps) {
  const r = new Hono();
  const now = () => nowOf(deps).toISOString();
  const tx = <T>(fn: (tx: StoreTx) => Promise<T>) => deps.store.transaction(fn);
  /** The integration a path names (by id). */
  const named = async (t: StoreTx, c: Context) => {
    const id = c.req.param('id') ?? '';
    const row = await t.integrations.get(id);
    if (!row) throw new ApiError('object_not_found', `Could not find integration with ID: ${id}.`);
    return row;
  };
  const withReach = async (t: StoreTx, row: IntegrationRow) =>
    present(row, await integrationReach(t, row.id));

  r.get('/integrations', async (c) => {
    const results = await tx(async (t) =>
      Promise.all((await listIntegrations(t)).map((row) => withReach(t, row))),
    );
    return c.json({ object: 'list', results });
  });

  r.post('/integrations', async (c) => {
    const body = parseWith(CreateBody, await json(c));
    const made = await tx(async (t) => {
      const m = await createIntegration(t, {
        name: body.name,
        capabilities: body.capabilities ?? [...CAPABILITIES],
        now: now(),
      });
      return { ...(await withReach(t, m.integration)), token: m.token };
    });
    return c.json(made);
  });

  r.post('/integrations/:id/rotate', async (c) => {
    const made = await tx(async (t) => {
      const m = await rotateIntegrationToken(t, { name: (await named(t, c)).name });
      return { ...(await withReach(t, m.integration)), token: m.token };
    });
    return c.json(made);
  });

  r.post('/integrations/:id/revoke', async (c) => {
    const row = await tx(async (t) => {
      const revoked = await revokeIntegration(t, { name: (await named(t, c)).name, now: now() });
      return withReach(t, revoked);
    });
    return c.json(row);
  });

  // Rename: its bot user takes the new name too (users.me / users.list read it); names stay unique.
  // Capabilities: the set replaces the old one, in force for the token from its next request.
  r.patch('/integrations/:id', async (c) => {
    const body = parseWith(UpdateBody, await json(c));
    const row = await tx(async (t) => {
      const updated = await updateIntegration(t, {
        name: (await named(t, c)).name,
        newName: body.name,
        capabilities: body.capabilities,
      });
      return withReach(t, updated);
    });
    return c.json(row);
  });

  // Delete: its token stops working at once; its shares go, and (foreign keys) its webhook
  // subscriptions, automations, workers and scripts; its bot user stays (authorship).
  r.delete('/integrations/:id', async (c) => {
    const row = await tx(async (t) => deleteIntegration(t, { name: (await named(t, c)).name }));
    return c.json({ ...present(row, []), deleted: true });
  });

  r.get('/pages/:page/connections', async (c) => {
    const results = await tx(async (t) =>
      Promise.all((await pageConnections(t, c.req.param('page'))).map((row) => withReach(t, row))),
    );
    return c.json({ object: 'list', results });
  });

  r.post('/pages/:page/connections', async (c) => {
    const body = parseWith(ShareBody, await json(c));
    const row = await tx(async (t) => {
      const integration = await t.integrations.get(body.integration_id);
      if (!integration) throw errors.validation(`No integration with ID ${body.integration_id}.`);
      await sharePage(t, { pageId: c.req.param('page'), integrationName: integration.name, now: now() });
      return withReach(t, integration);
    });
    return c.json(row);
  });

  r.delete('/pages/:page/connections/:id', async (c) => {
    const row = await tx(async (t) => {
      const integration = await named(t, c);
      await unsharePage(t, { pageId: c.req.param('page'), integrationName: integration.name });
      return withReach(t, integration);
    });
    return c.json(row);
  });

  return r;
}
