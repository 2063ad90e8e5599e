/**
 * `octavo emoji add NAME FILE`: a custom emoji for the whole workspace (GET /v1/custom_emojis
 * lists it; pages take it as a `custom_emoji` icon). `octavo template add`: a template of a data
 * source made from a page (GET /v1/data_sources/{id}/templates lists it; `template` on page
 * create applies it).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { publicUrlOf } from '../../config.ts';
import { addCustomEmoji } from '../../ops/custom-emojis.ts';
import { addTemplate, administrationEnv } from '../../ops/templates.ts';
import { CliError, pageIdArg, printResult, required, type Values } from '../args.ts';
import { nowIso, withStore } from '../context.ts';
import { rethrowAsCliError } from './integration.ts';

export async function emojiAddCommand(values: Values, [name, file]: string[]): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file!));
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  await withStore(values, async (store) => {
    const row = await store
      .transaction((tx) =>
        addCustomEmoji(tx, { name: name!, filename: basename(file!), bytes, now: nowIso() }),
      )
      .catch(rethrowAsCliError);
    printResult(values, { id: row.id, name: row.name }, `Added custom emoji :${row.name}: (${row.id})`);
  });
}

export async function templateAddCommand(values: Values, [rawId]: string[]): Promise<void> {
  const dataSourceId = pageIdArg(rawId!, 'DATA_SOURCE_ID');
  const name = required(values, 'name');
  const fromPageId = values.from ? pageIdArg(values.from, '--from') : null;
  await withStore(values, async (store, config) => {
    const row = await store
      .transaction(async (tx) => {
        const env = await administrationEnv(tx, nowIso(), publicUrlOf(config));
        return addTemplate(tx, env, { dataSourceId, name, fromPageId, isDefault: values.default === true });
      })
      .catch(rethrowAsCliError);
    printResult(
      values,
      { id: row.id, name: row.name, is_default: row.is_default === 1 },
      `Added template ${row.name} (${row.id}) to data source ${dataSourceId}${row.is_default ? ', the default' : ''}`,
    );
  });
}
