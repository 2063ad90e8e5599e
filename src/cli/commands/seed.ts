/**
 * `octavo seed FILE`, `octavo reset`, `octavo snapshot save|restore|list|delete NAME`: Octavo as a
 * test double. On the --data folder or DATABASE_URL directly, or through a running server's
 * admin API with --url (needed for a `serve --memory` server, whose workspace is in its memory).
 */
import { readFileSync } from 'node:fs';
import { publicUrlOf } from '../../config.ts';
import { readFixture } from '../../ops/fixture.ts';
import { seedFixture } from '../../ops/seed.ts';
import {
  deleteSnapshot,
  listSnapshots,
  resetWorkspace,
  restoreSnapshot,
  saveSnapshot,
} from '../../ops/snapshots.ts';
import { adminTarget, callAdmin } from '../admin-client.ts';
import { CliError, printResult, type Values } from '../args.ts';
import { nowIso, withStore } from '../context.ts';

/** The text of a fixture file, and whether it is YAML (by its extension or its first character). */
export function readFixtureFile(path: string): { text: string; yaml: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const yaml = /\.ya?ml$/i.test(path) || (!/\.json$/i.test(path) && !/^\s*[{[]/.test(text));
  return { text, yaml };
}

export async function seedCommand(values: Values, [file]: string[]): Promise<void> {
  const { text, yaml } = readFixtureFile(file!);
  const fixture = readFixture(text, yaml ? 'yaml' : 'json');
  const target = adminTarget(values);
  const result = target
    ? await callAdmin(target, '/seed', { text, contentType: yaml ? 'application/yaml' : 'application/json' })
    : await withStore(values, (store, config) =>
        store.transaction((tx) =>
          seedFixture(tx, fixture, { now: nowIso(), publicUrl: publicUrlOf(config) }),
        ),
      );
  const r = result as {
    pages: number;
    databases: number;
    rows: number;
    blocks: number;
    integrations: unknown[];
  };
  printResult(
    values,
    result,
    `Seeded ${file}: ${r.integrations.length} integrations, ${r.pages} pages, ${r.databases} databases, ${r.rows} rows, ${r.blocks} blocks`,
  );
}

export async function resetCommand(values: Values): Promise<void> {
  const target = adminTarget(values);
  if (target) await callAdmin(target, '/reset', { method: 'POST' });
  else await withStore(values, (store) => resetWorkspace(store));
  printResult(values, { ok: true }, 'The workspace is empty (its id, signing key and admin token stay).');
}

export async function snapshotSaveCommand(values: Values, [name]: string[]): Promise<void> {
  const target = adminTarget(values);
  const info = target
    ? await callAdmin(target, '/snapshots', { body: { name } })
    : await withStore(values, (store) => saveSnapshot(store, name!, nowIso()));
  printResult(values, info, `Saved snapshot ${name}`);
}

export async function snapshotRestoreCommand(values: Values, [name]: string[]): Promise<void> {
  const target = adminTarget(values);
  const started = performance.now();
  if (target) await callAdmin(target, `/snapshots/${encodeURIComponent(name!)}/restore`, { method: 'POST' });
  else await withStore(values, (store) => restoreSnapshot(store, name!));
  const ms = Math.round(performance.now() - started);
  printResult(values, { name, restored: true }, `Restored snapshot ${name} (${ms} ms)`);
}

export async function snapshotListCommand(values: Values): Promise<void> {
  const target = adminTarget(values);
  const list = target
    ? ((await callAdmin(target, '/snapshots')) as { results: { name: string; created_time: string }[] })
        .results
    : await withStore(values, (store) => listSnapshots(store));
  const lines = list.map((s) => `${s.name}  ${s.created_time}`);
  printResult(values, { snapshots: list }, lines.join('\n') || 'No snapshots.');
}

export async function snapshotDeleteCommand(values: Values, [name]: string[]): Promise<void> {
  const target = adminTarget(values);
  if (target) await callAdmin(target, `/snapshots/${encodeURIComponent(name!)}`, { method: 'DELETE' });
  else await withStore(values, (store) => deleteSnapshot(store, name!));
  printResult(values, { name, deleted: true }, `Deleted snapshot ${name}`);
}
