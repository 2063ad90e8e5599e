/** `octavo integration create`: a new internal integration and its token (shown once). */
import { createIntegration } from '../../ops/integrations.ts';
import { QUICKSTART_INTEGRATION } from '../../ops/workspace.ts';
import { ApiError } from '../../wire/errors.ts';
import { CliError, parseCapabilities, printResult, required, UsageError, type Values } from '../args.ts';
import { nowIso, withStore } from '../context.ts';

export async function integrationCreateCommand(values: Values): Promise<void> {
  const name = required(values, 'name');
  if (name === QUICKSTART_INTEGRATION)
    throw new UsageError(`${QUICKSTART_INTEGRATION} is the name of the integration made on first start`);
  const capabilities = parseCapabilities(values.capabilities);
  await withStore(values, async (store) => {
    const { integration, token } = await store
      .transaction((tx) => createIntegration(tx, { name, capabilities, now: nowIso() }))
      .catch(rethrowAsCliError);
    const caps = JSON.parse(integration.capabilities) as string[];
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

/** A business rule refused the action (duplicate name, unknown integration): report its message. */
export function rethrowAsCliError(e: unknown): never {
  if (e instanceof ApiError && e.code === 'validation_error') throw new CliError(e.message);
  throw e;
}
