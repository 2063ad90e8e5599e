/**
 * The set-up the automation benchmarks share (bench/automations.ts, bench/automation-run-path.ts):
 * a bootstrapped store on a fresh SQLite folder or Postgres schema with its app, the `Tasks` data
 * source, and N automations on it, one per `Bucket` value, each updating the row's `Note`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@notionhq/client';
import { createApp } from '../src/api/app.ts';
import { createAutomation } from '../src/automations/runtime.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../src/config.ts';
import { sharePage } from '../src/ops/integrations.ts';
import { type BootstrapResult, bootstrap } from '../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../src/store/connect.ts';
import type { KyselyStore } from '../src/store/kysely-store.ts';
import { PG_URL } from './common.ts';

export interface BenchWorkspace {
  store: KyselyStore;
  /** The Postgres schema (`bench_<name>_<pid>`), named on SQLite too. */
  schema: string;
  boot: BootstrapResult;
  /** The app as `octavo serve` composes it for the workspace (no rate limit). */
  app: ReturnType<typeof createApp>;
  /** Closes the store and removes its folder or schema. */
  close(): Promise<void>;
}

/** A bootstrapped store of `engine` (`name` tells its folder and schema apart) and its app. */
export async function openBenchWorkspace(
  engine: 'sqlite' | 'postgres',
  name: string,
  publicUrl: string,
): Promise<BenchWorkspace> {
  const dir = engine === 'sqlite' ? mkdtempSync(join(tmpdir(), `octavo-bench-${name}-`)) : '';
  const schema = `bench_${name}_${process.pid}`;
  const store =
    engine === 'sqlite'
      ? await openStore({ dataDir: dir })
      : await openStore({ databaseUrl: PG_URL, pgSchema: schema });
  const close = async () => {
    await store.close();
    if (engine === 'sqlite') rmSync(dir, { recursive: true, force: true });
    else await dropPostgresSchema(PG_URL, schema);
  };
  try {
    const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
    const app = createApp({
      store,
      publicUrl,
      workspace: boot.workspace,
      rateLimiter: null,
      files: {
        maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
        allowPrivateImports: false,
        urlSecret: boot.fileUrlSecret,
      },
    });
    return { store, schema, boot, app, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The `Tasks` database under `pageId` (Name, Bucket, Note): its data source's id. */
export async function createTasks(sdk: Client, pageId: string): Promise<string> {
  const db = (await sdk.databases.create({
    parent: { type: 'page_id', page_id: pageId },
    title: [{ text: { content: 'Tasks' } }],
    initial_data_source: {
      properties: { Name: { title: {} }, Bucket: { number: {} }, Note: { rich_text: {} } },
    },
  })) as unknown as { data_sources: { id: string }[] };
  return db.data_sources[0]!.id;
}

/**
 * `n` automations on data source `ds`, one per bucket j: a row created with `Bucket` j fires
 * exactly one, whose `update_page` writes its `Note`, while the dispatcher weighs all `n`. Each
 * is shared `pageId` (the workspace page). Written 100 a transaction.
 */
export async function createBucketAutomations(
  store: KyselyStore,
  ds: string,
  pageId: string,
  n: number,
): Promise<void> {
  const now = new Date();
  for (let i = 0; i < n; i += 100) {
    await store.transaction(async (tx) => {
      for (let j = i; j < Math.min(n, i + 100); j++) {
        await createAutomation(
          tx,
          {
            name: `bucket ${j}`,
            trigger: { type: 'page_created', data_source_id: ds },
            condition: { property: 'Bucket', number: { equals: j } },
            actions: [
              {
                type: 'update_page',
                properties: { Note: { rich_text: [{ text: { content: `bucket ${j}` } }] } },
              },
            ],
          },
          now,
        );
        await sharePage(tx, { pageId, integrationName: `automation: bucket ${j}`, now: now.toISOString() });
      }
    });
  }
}
