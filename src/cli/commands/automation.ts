/**
 * `octavo automation …`: create (from a JSON or YAML file), list, enable, disable, delete, run
 * (by hand, with `--input JSON` and `--dry-run`) and runs (the history). Each is an operation of
 * automations/; a run started here is performed in this process and printed when it is done.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  type AutomationRuntime,
  automationNamed,
  createAutomation,
  deleteAutomation,
  presentAutomation,
  presentRun,
  retryRun,
  runManually,
  setEnabled,
} from '../../automations/runtime.ts';
import { automationSettings, inProcessApi } from '../../main.ts';
import type { AutomationRow, AutomationRunRow } from '../../store/store.ts';
import { CliError, printResult, UsageError, type Values } from '../args.ts';
import { withStore } from '../context.ts';

/** Reads a definition file: YAML (which JSON also is) by extension or content. */
function readDefinition(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new CliError(
      `${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`,
    );
  }
}

function line(a: AutomationRow): string {
  const p = presentAutomation(a);
  const when = p.next_run_time ? ` next ${p.next_run_time}` : '';
  return `${p.id}\t${p.name}\t${p.enabled ? 'enabled' : 'disabled'}\t${p.trigger.type}${when}`;
}

function runLine(r: AutomationRunRow): string {
  const p = presentRun(r);
  const ms = p.duration_ms !== null ? ` ${p.duration_ms} ms` : '';
  const steps = p.steps.map((s) => `${s.action}${s.error ? '✗' : '✓'}`).join(' ');
  return `${p.id}\t${p.created_time}\t${p.status}${p.dry_run ? ' (dry run)' : ''}${ms}\t${p.trigger.kind}\t${steps}${p.error ? `\t${p.error}` : ''}`;
}

export async function automationCreateCommand(values: Values): Promise<void> {
  if (!values.file) throw new UsageError('--file is required (a JSON or YAML definition)');
  const raw = readDefinition(values.file);
  await withStore(values, async (store) => {
    const row = await store.transaction((tx) => createAutomation(tx, raw, new Date()));
    printResult(
      values,
      presentAutomation(row),
      [
        `automation ${row.name} created (${row.id}), acting as integration "automation: ${row.name}"`,
        `Share pages with it: octavo share PAGE_ID --with "automation: ${row.name}"`,
      ].join('\n'),
    );
  });
}

export async function automationListCommand(values: Values): Promise<void> {
  await withStore(values, async (store) => {
    const rows = await store.transaction((tx) => tx.automations.list());
    printResult(
      values,
      { object: 'list', results: rows.map((r) => presentAutomation(r)) },
      rows.length ? rows.map(line).join('\n') : 'no automations',
    );
  });
}

export function automationToggleCommand(enabled: boolean) {
  return async (values: Values, args: string[]): Promise<void> => {
    await withStore(values, async (store) => {
      const row = await store.transaction((tx) => setEnabled(tx, args[0]!, enabled, new Date()));
      printResult(values, presentAutomation(row), line(row));
    });
  };
}

export async function automationDeleteCommand(values: Values, args: string[]): Promise<void> {
  await withStore(values, async (store) => {
    const row = await store.transaction((tx) => deleteAutomation(tx, args[0]!));
    printResult(
      values,
      presentAutomation(row),
      `automation ${row.name} deleted, with its runs and integration`,
    );
  });
}

export async function automationRunCommand(values: Values, args: string[]): Promise<void> {
  let input: unknown = {};
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input);
    } catch {
      throw new UsageError('--input must be JSON, e.g. \'{"page_id": "…"}\'');
    }
  }
  await withStore(values, async (store, config) => {
    const rt: AutomationRuntime = {
      store,
      settings: automationSettings(config),
      api: inProcessApi(store, config),
    };
    const run = await runManually(rt, args[0]!, input, { dryRun: values['dry-run'] ?? false, wait: true });
    printResult(
      values,
      presentRun(run),
      [
        runLine(run),
        ...presentRun(run).steps.map((s) => `  ${s.action}: ${JSON.stringify(s.error ?? s.output)}`),
      ].join('\n'),
    );
    if (run.status === 'failed') process.exitCode = 1;
  });
}

export async function automationRunsCommand(values: Values, args: string[]): Promise<void> {
  const limit = Number(values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
  await withStore(values, async (store) => {
    const rows = await store.transaction(async (tx) =>
      tx.automations.listRuns(args[0] ? (await automationNamed(tx, args[0])).id : null, limit),
    );
    printResult(
      values,
      { object: 'list', results: rows.map(presentRun) },
      rows.length ? rows.map(runLine).join('\n') : 'no runs',
    );
  });
}

export async function automationRetryCommand(values: Values, args: string[]): Promise<void> {
  await withStore(values, async (store, config) => {
    const rt: AutomationRuntime = {
      store,
      settings: automationSettings(config),
      api: inProcessApi(store, config),
    };
    const run = await retryRun(rt, args[0]!, { wait: true });
    printResult(values, presentRun(run), runLine(run));
    if (run.status === 'failed') process.exitCode = 1;
  });
}
