/**
 * Public (OAuth) integrations on the command line: `octavo integration create|list|rotate|delete
 * --public`. The client secret is shown once, when made or rotated. Each command is one
 * transaction of an operation in oauth/clients.ts.
 */
import {
  clientCapabilities,
  createPublicIntegration,
  deletePublicIntegration,
  listPublicIntegrations,
  redirectUrisOf,
  rotateClientSecret,
} from '../../oauth/clients.ts';
import type { OauthClientRow } from '../../store/store.ts';
import { parseCapabilities, printResult, required, UsageError, type Values } from '../args.ts';
import { nowIso, withStore } from '../context.ts';
import { rethrowAsCliError } from './integration.ts';

function describe(row: OauthClientRow) {
  return {
    client_id: row.id,
    name: row.name,
    redirect_uris: redirectUrisOf(row),
    capabilities: clientCapabilities(row),
    created_time: row.created_time,
  };
}

const notFoundAsCliError = (e: unknown): never => {
  if (e instanceof Error && 'code' in e && e.code === 'object_not_found')
    return rethrowAsCliError(Object.assign(e, { code: 'validation_error' }));
  return rethrowAsCliError(e);
};

/** `integration create --public --name NAME --redirect-uri URL... [--capabilities …]`. */
export async function publicIntegrationCreateCommand(values: Values): Promise<void> {
  const name = required(values, 'name');
  const redirectUris = values['redirect-uri'] ?? [];
  if (redirectUris.length === 0) throw new UsageError('--public needs at least one --redirect-uri URL');
  const capabilities = parseCapabilities(values.capabilities);
  await withStore(values, async (store) => {
    const { client, secret } = await store
      .transaction((tx) => createPublicIntegration(tx, { name, redirectUris, capabilities, now: nowIso() }))
      .catch(rethrowAsCliError);
    printResult(
      values,
      { ...describe(client), client_secret: secret },
      [
        `Created public integration ${client.name}`,
        `  client id:     ${client.id}`,
        `  client secret: ${secret}`,
        `  redirect URIs: ${redirectUrisOf(client).join(', ')}`,
        `  capabilities:  ${clientCapabilities(client).join(', ')}`,
        'The client secret is shown only now. Users install it at /v1/oauth/authorize.',
      ].join('\n'),
    );
  });
}

/** `integration list --public`. */
export async function publicIntegrationListCommand(values: Values): Promise<void> {
  await withStore(values, async (store) => {
    const rows = await store.transaction(listPublicIntegrations);
    const lines = rows.map((r) => `${r.name}  (client id ${r.id})  ${redirectUrisOf(r).join(' ')}`);
    printResult(
      values,
      { public_integrations: rows.map(describe) },
      lines.join('\n') || 'No public integrations.',
    );
  });
}

/** `integration rotate NAME --public`: a new client secret, shown once. */
export async function publicIntegrationRotateCommand(values: Values, name: string): Promise<void> {
  await withStore(values, async (store) => {
    const { client, secret } = await store
      .transaction((tx) => rotateClientSecret(tx, name))
      .catch(notFoundAsCliError);
    printResult(
      values,
      { ...describe(client), client_secret: secret },
      `New client secret for ${client.name}: ${secret}\nThe old secret no longer works; tokens issued stay valid.`,
    );
  });
}

/** `integration delete NAME --public`: the client and every installation's tokens and shares. */
export async function publicIntegrationDeleteCommand(values: Values, name: string): Promise<void> {
  await withStore(values, async (store) => {
    const client = await store
      .transaction((tx) => deletePublicIntegration(tx, name))
      .catch(notFoundAsCliError);
    printResult(
      values,
      { ...describe(client), deleted: true },
      `Deleted public integration ${client.name}, with its installations' tokens and shares.`,
    );
  });
}
