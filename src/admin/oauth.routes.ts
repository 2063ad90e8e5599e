/**
 * The admin API's public integrations (OAuth clients), under `/_octavo/public-integrations`:
 * list, create (the client secret is in the answer, once), rotate the secret, delete (with every
 * installation's token and shares). The same operations as `octavo integration create --public`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { CAPABILITIES } from '../domain/capabilities.ts';
import {
  clientCapabilities,
  createPublicIntegration,
  deletePublicIntegration,
  listPublicIntegrations,
  redirectUrisOf,
  rotateClientSecret,
} from '../oauth/clients.ts';
import type { OauthClientRow, Store } from '../store/store.ts';
import { parseWith } from '../wire/validation.ts';

export const CreatePublicIntegrationBody = z.strictObject({
  name: z.string().min(1),
  redirect_uris: z.array(z.string()).min(1),
  capabilities: z.array(z.enum(CAPABILITIES)).optional(),
});

/** A public integration as the admin API shows it (never its secret or the secret's hash). */
export function presentPublicIntegration(row: OauthClientRow) {
  return {
    object: 'public_integration',
    id: row.id,
    client_id: row.id,
    name: row.name,
    redirect_uris: redirectUrisOf(row),
    capabilities: clientCapabilities(row),
    created_time: row.created_time,
  };
}

export function publicIntegrationRoutes(deps: { store: Store; now: () => string }) {
  const r = new Hono<{ Variables: { body: unknown } }>();
  const key = (raw: string | undefined) => decodeURIComponent(raw ?? '');

  r.get('/public-integrations', async (c) => {
    const rows = await deps.store.transaction((tx) => listPublicIntegrations(tx));
    return c.json({ object: 'list', results: rows.map(presentPublicIntegration) });
  });

  r.post('/public-integrations', async (c) => {
    const body = parseWith(CreatePublicIntegrationBody, c.get('body'));
    const made = await deps.store.transaction((tx) =>
      createPublicIntegration(tx, {
        name: body.name,
        redirectUris: body.redirect_uris,
        capabilities: body.capabilities ?? [...CAPABILITIES],
        now: deps.now(),
      }),
    );
    return c.json({ ...presentPublicIntegration(made.client), client_secret: made.secret });
  });

  r.post('/public-integrations/:id/rotate-secret', async (c) => {
    const made = await deps.store.transaction((tx) => rotateClientSecret(tx, key(c.req.param('id'))));
    return c.json({ ...presentPublicIntegration(made.client), client_secret: made.secret });
  });

  r.delete('/public-integrations/:id', async (c) => {
    const row = await deps.store.transaction((tx) => deletePublicIntegration(tx, key(c.req.param('id'))));
    return c.json(presentPublicIntegration(row));
  });

  return r;
}
