/**
 * `octavo integration create|list|update|revoke|rotate|delete`: internal integrations and their
 * tokens (a token is shown once, when made). Each command is one transaction of an operation in
 * ops/integrations.ts, so a running server sees the change on its next request.
 */
import type { Capability } from '../../domain/capabilities.ts';
import {
  createIntegration,
  deleteIntegration,
  listIntegrations,
  revokeIntegration,
  rotateIntegrationToken,
  updateIntegration,
} from '../../ops/integrations.ts';
import { QUICKSTART_INTEGRATION } from '../../ops/workspace.ts';
import type { IntegrationRow } from '../../store/store.ts';
import { ApiError } from '../../wire/errors.ts';
import { CliError, parseCapabilities, printResult, required, UsageError, type Values } from '../args.ts';
import { nowIso, withStore } from '../context.ts';

/** The name made on first start may not be taken by another integration. */
function refuseQuickstartName(name: string): void {
  if (name === QUICKSTART_INTEGRATION)
    throw new UsageError(`${QUICKSTART_INTEGRATION} is the name of the integration made on first start`);
}

const capabilitiesOf = (row: IntegrationRow) => JSON.parse(row.capabilities) as string[];

/** An integration as --json prints it (never its token hash). */
function describe(row: IntegrationRow) {
  return {
    id: row.id,
    name: row.name,
    bot_user_id: row.bot_user_id,
    capabilities: capabilitiesOf(row),
    created_time: row.created_time,
    revoked_time: row.revoked_time,
  };
}

/** `integration create --name NAME [--capabilities …]`: prints the new token, once. */
export async function integrationCreateCommand(values: Values): Promise<void> {
  if (values.public) return (await import('./oauth.ts')).publicIntegrationCreateCommand(values);
  const name = required(values, 'name');
  refuseQuickstartName(name);
  const capabilities = parseCapabilities(values.capabilities);
  await withStore(values, async (store) => {
    const { integration, token } = await store
      .transaction((tx) => createIntegration(tx, { name, capabilities, now: nowIso() }))
      .catch(rethrowAsCliError);
    const caps = capabilitiesOf(integration);
    printResult(
      values,
      { id: integration.id, name: integration.name, token, capabilities: caps },
      [
        `Created integration ${integration.name} (${integration.id})`,
        `  token:        ${token}`,
        `  capabilities: ${caps.join(', ')}`,
        'The token is shown only now.',
      ].join('\n'),
    );
  });
}

/** `integration list`: every integration, active or revoked, oldest first. */
export async function integrationListCommand(values: Values): Promise<void> {
  if (values.public) return (await import('./oauth.ts')).publicIntegrationListCommand(values);
  await withStore(values, async (store) => {
    const rows = await store.transaction(listIntegrations);
    const lines = rows.map((r) => {
      const state = r.revoked_time ? `revoked ${r.revoked_time}` : 'active';
      return `${r.name}  (${r.id})  ${state}  ${capabilitiesOf(r).join(', ')}`;
    });
    printResult(values, { integrations: rows.map(describe) }, lines.join('\n') || 'No integrations.');
  });
}

/** The NAME argument: an integration's name, trimmed as names are stored. */
function nameArg(raw: string | undefined): string {
  const name = raw?.trim();
  if (!name) throw new UsageError('NAME must be the name of an integration');
  return name;
}

/** `integration update NAME [--name NEW] [--capabilities …|all]`: at least one of the two. */
export async function integrationUpdateCommand(values: Values, [raw]: string[]): Promise<void> {
  const name = nameArg(raw);
  const newName = values.name?.trim();
  if (newName === '') throw new UsageError('--name must not be empty');
  if (newName !== undefined && newName !== name) refuseQuickstartName(newName);
  let capabilities: Capability[] | undefined;
  if (values.capabilities !== undefined) capabilities = parseCapabilities(values.capabilities);
  if (newName === undefined && capabilities === undefined)
    throw new UsageError('integration update needs --name or --capabilities');
  await withStore(values, async (store) => {
    const row = await store
      .transaction((tx) => updateIntegration(tx, { name, newName, capabilities }))
      .catch(rethrowAsCliError);
    printResult(
      values,
      describe(row),
      `Updated integration ${row.name} (${row.id})\n  capabilities: ${capabilitiesOf(row).join(', ')}`,
    );
  });
}

/** `integration revoke NAME`: the token stops working; shares stay (rotate restores a token). */
export async function integrationRevokeCommand(values: Values, [raw]: string[]): Promise<void> {
  const name = nameArg(raw);
  await withStore(values, async (store) => {
    const row = await store
      .transaction((tx) => revokeIntegration(tx, { name, now: nowIso() }))
      .catch(rethrowAsCliError);
    printResult(
      values,
      describe(row),
      `Revoked the token of ${row.name} (since ${row.revoked_time}); its shares stay. ` +
        '`octavo integration rotate` gives it a new one.',
    );
  });
}

/** `integration rotate NAME`: prints a new token, once; the old one stops working. */
export async function integrationRotateCommand(values: Values, [raw]: string[]): Promise<void> {
  const name = nameArg(raw);
  if (values.public) return (await import('./oauth.ts')).publicIntegrationRotateCommand(values, name);
  await withStore(values, async (store) => {
    const { integration, token } = await store
      .transaction((tx) => rotateIntegrationToken(tx, { name }))
      .catch(rethrowAsCliError);
    printResult(
      values,
      { ...describe(integration), token },
      [
        `New token for ${integration.name} (${integration.id})`,
        `  token: ${token}`,
        'The old token no longer works. The new one is shown only now.',
      ].join('\n'),
    );
  });
}

/** `integration delete NAME`: the integration, its token and shares go; its bot user stays. */
export async function integrationDeleteCommand(values: Values, [raw]: string[]): Promise<void> {
  const name = nameArg(raw);
  if (values.public) return (await import('./oauth.ts')).publicIntegrationDeleteCommand(values, name);
  await withStore(values, async (store) => {
    const row = await store.transaction((tx) => deleteIntegration(tx, { name })).catch(rethrowAsCliError);
    printResult(
      values,
      { ...describe(row), deleted: true },
      `Deleted integration ${row.name} (${row.id}), its token and its shares; its bot user ` +
        `${row.bot_user_id} stays as the author of what it wrote.`,
    );
  });
}

/** A business rule refused the action (duplicate name, unknown integration): report its message. */
export function rethrowAsCliError(e: unknown): never {
  if (e instanceof ApiError && e.code === 'validation_error') throw new CliError(e.message);
  throw e;
}
