/**
 * `octavo workers deploy|list|run|logs|remove`: Notion Workers (@notionhq/workers modules) on
 * Octavo. Executions run here, in sandboxed child processes whose SDK client reaches the /v1 API
 * answered in this process, so no server needs to be running.
 */

import type { Config } from '../../config.ts';
import { inProcessApi } from '../../main.ts';
import type { KyselyStore } from '../../store/kysely-store.ts';
import type { WorkerRunRow } from '../../store/store.ts';
import { deployWorker, presentWorker, removeWorker, workerNamed } from '../../workers/deploy.ts';
import { presentWorkerRun, runCapability, type WorkerRuntime } from '../../workers/runtime.ts';
import { printResult, UsageError, type Values } from '../args.ts';
import { withStore } from '../context.ts';

function pairs(list: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf('=');
    if (at < 1) throw new UsageError(`--${flag} takes NAME=VALUE, instead was ${item}`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

function runtime(store: KyselyStore, config: Config): WorkerRuntime {
  return {
    store,
    api: inProcessApi(store, config),
    baseUrl: config.publicUrl ?? 'http://octavo.local',
    limits: config.scripts,
  };
}

function workerText(w: ReturnType<typeof presentWorker>): string {
  const caps = w.capabilities.map((c) => {
    const extra =
      'every_ms' in c
        ? ` → ${String(c.database)} (${String(c.mode)}, ${c.every_ms === null ? 'manual' : `every ${Number(c.every_ms) / 60000} min`}${c.next_run_time ? `, next ${String(c.next_run_time)}` : ''})`
        : 'hook_path' in c
          ? ` ${String(c.hook_path)}`
          : '';
    return `  ${c.type} ${c.key}${extra}`;
  });
  const dbs = Object.entries(w.databases).map(([k, d]) => `  database ${k}: data source ${d.data_source_id}`);
  return [`${w.name}\t${w.integration}\tsdk ${w.sdk_version}`, ...caps, ...dbs].join('\n');
}

function runLine(r: WorkerRunRow): string {
  const p = presentWorkerRun(r);
  const ms = p.duration_ms !== null ? ` ${p.duration_ms} ms` : '';
  const why = p.error ? `\t${p.error}` : '';
  return `${p.id}\t${p.started_time}\t${p.capability} (${p.kind})\t${p.status}${ms}\t${p.started_by}${why}`;
}

export async function workersDeployCommand(values: Values, args: string[]): Promise<void> {
  const attach = pairs(values.attach, 'attach');
  const env = pairs(values.env, 'env');
  await withStore(values, async (store, config) => {
    const row = await deployWorker(runtime(store, config), {
      dir: args[0]!,
      name: values.name,
      parent: values.parent,
      attach,
      env,
      now: new Date(),
    });
    const shown = presentWorker(row, await store.transaction((tx) => tx.workers.syncs(row.name)));
    printResult(values, shown, `deployed ${workerText(shown)}`);
  });
}

export async function workersListCommand(values: Values): Promise<void> {
  await withStore(values, async (store) => {
    const list = await store.transaction(async (tx) => {
      const syncs = await tx.workers.syncs(null);
      return (await tx.workers.list()).map((w) =>
        presentWorker(
          w,
          syncs.filter((s) => s.worker_name === w.name),
        ),
      );
    });
    printResult(
      values,
      { object: 'list', results: list },
      list.length ? list.map(workerText).join('\n') : 'no workers',
    );
  });
}

export async function workersRunCommand(values: Values, args: string[]): Promise<void> {
  let input: unknown;
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input);
    } catch {
      throw new UsageError('--input must be JSON, e.g. \'{"pageId": "…"}\'');
    }
  }
  await withStore(values, async (store, config) => {
    const done = await runCapability(runtime(store, config), args[0]!, args[1]!, input, 'cli');
    const runs = done.runs.map(presentWorkerRun);
    const lines = done.runs.flatMap((r, i) => [
      runLine(r),
      ...runs[i]!.logs.map((l) => `  ${(l as { level: string }).level}: ${(l as { text: string }).text}`),
    ]);
    if (done.sync)
      lines.push(
        `sync ${done.sync.status}: ${done.sync.executions} execution(s), ${done.sync.upserted} upserted, ${done.sync.deleted} deleted`,
      );
    else if (runs[0]?.status === 'succeeded') lines.push(JSON.stringify(runs[0].output, null, 2));
    printResult(
      values,
      { object: 'list', results: runs, ...(done.sync ? { sync: done.sync } : {}) },
      lines.join('\n'),
    );
    if (runs.some((r) => r.status === 'failed')) process.exitCode = 1;
  });
}

export async function workersLogsCommand(values: Values, args: string[]): Promise<void> {
  const limit = Number(values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
  await withStore(values, async (store) => {
    const rows = await store.transaction(async (tx) => {
      await workerNamed(tx, args[0]!);
      return tx.workers.listRuns(args[0]!, limit);
    });
    const text = rows.flatMap((r) => [
      runLine(r),
      ...presentWorkerRun(r).logs.map(
        (l) => `  ${(l as { level: string }).level}: ${(l as { text: string }).text}`,
      ),
    ]);
    printResult(
      values,
      { object: 'list', results: rows.map(presentWorkerRun) },
      rows.length ? text.join('\n') : 'no runs',
    );
  });
}

export async function workersRemoveCommand(values: Values, args: string[]): Promise<void> {
  await withStore(values, async (store) => {
    const row = await store.transaction((tx) => removeWorker(tx, args[0]!));
    printResult(values, presentWorker(row), `removed ${row.name} and its integration "worker: ${row.name}"`);
  });
}
