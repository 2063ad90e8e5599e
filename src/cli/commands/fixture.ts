/** `octavo fixture export --from URL --token T [--out FILE]`: ops/fixture-export.ts. */
import { UsageError, type Values } from '../args.ts';

export async function fixtureExportCommand(values: Values): Promise<void> {
  if (!values.from || !values.token) throw new UsageError('fixture export needs --from URL and --token T');
  throw new UsageError('fixture export is not available in this build yet');
}
