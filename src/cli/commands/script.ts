/**
 * `octavo script run FILE` (a script by hand, in a sandboxed child process, as its own
 * integration `script: NAME`) and `octavo script runs [NAME]` (the history). The script's SDK
 * client reaches the /v1 API answered in this process, so no server needs to be running.
 */
import { presentScriptRun, runScript, scriptNameOf } from '../../automations/scripts.ts';
import { inProcessApi } from '../../main.ts';
import type { ScriptRunRow } from '../../store/store.ts';
import { printResult, UsageError, type Values } from '../args.ts';
import { withStore } from '../context.ts';

function positive(values: Values, name: 'timeout-ms' | 'memory-mb'): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`--${name} must be a positive whole number`);
  return Number(text);
}

function runLine(r: ScriptRunRow): string {
  const p = presentScriptRun(r);
  const ms = p.duration_ms !== null ? ` ${p.duration_ms} ms` : '';
  const why = p.error ? `\t${p.reason}: ${p.error}` : '';
  return `${p.id}\t${p.started_time}\t${p.script}\t${p.status}${ms}\t${p.started_by}${why}`;
}

export async function scriptRunCommand(values: Values, args: string[]): Promise<void> {
  let input: unknown = {};
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input);
    } catch {
      throw new UsageError('--input must be JSON, e.g. \'{"title": "…"}\'');
    }
  }
  const timeoutMs = positive(values, 'timeout-ms');
  const memoryMb = positive(values, 'memory-mb');
  await withStore(values, async (store, config) => {
    const run = await runScript(
      {
        store,
        api: inProcessApi(store, config),
        baseUrl: config.publicUrl ?? 'http://octavo.local',
        limits: config.scripts,
      },
      { file: args[0]!, name: values.name, input, startedBy: 'cli', limits: { timeoutMs, memoryMb } },
    );
    const p = presentScriptRun(run);
    const logs = p.logs.map((l) => `  ${l.level}: ${l.text}`);
    printResult(
      values,
      p,
      [
        runLine(run),
        ...logs,
        p.status === 'succeeded'
          ? JSON.stringify(p.output, null, 2)
          : `script ${p.script} failed: ${p.error}`,
      ].join('\n'),
    );
    if (run.status === 'failed') process.exitCode = 1;
  });
}

export async function scriptRunsCommand(values: Values, args: string[]): Promise<void> {
  const limit = Number(values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
  await withStore(values, async (store) => {
    const name = args[0]
      ? args[0].includes('/') || args[0].includes('.')
        ? scriptNameOf(args[0])
        : args[0]
      : null;
    const rows = await store.transaction((tx) => tx.scripts.listRuns(name, limit));
    printResult(
      values,
      { object: 'list', results: rows.map(presentScriptRun) },
      rows.length ? rows.map(runLine).join('\n') : 'no script runs',
    );
  });
}
