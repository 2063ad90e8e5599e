/**
 * Automations at work: saving definitions (each with an integration of its own), the dispatcher
 * that reads the change-event outbox with each automation's durable cursor and turns matching
 * events into runs, the schedule tick, and the run job that performs the actions through ops.
 *
 * Triggers are judged at dispatch: the event must be one the automation's integration may see
 * (so an unshared page never fires it), of its data source and kind, not written by the
 * automation itself (its own writes never trigger it again), and the page as it is then must
 * satisfy the condition (the query parser and evaluator, Notion's filter language). A run made by
 * an event another automation wrote is one deeper in a chain than that automation's run; past
 * MAX_CHAIN_DEPTH the run is recorded as failed and nothing is done.
 *
 * A run is a row (queued → running → succeeded | failed) and a job on the job port. Each action
 * is one ops call in a transaction of its own, as the automation's integration, with its
 * capabilities; the run history keeps each step's input (secrets left as references), output or
 * error, and time. A dry run performs the same calls in transactions that are rolled back, and
 * HTTP requests and emails are shown, not sent; scripts are named, not run (scripts.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type Actor, type Capability, can } from '../domain/capabilities.ts';
import type { Schema } from '../domain/properties/types.ts';
import type { KnownAuthor } from '../events/types.ts';
import { nextOccurrence } from '../jobs/cron.ts';
import type { JobQueue } from '../jobs/index.ts';
import { newId } from '../lib/ids.ts';
import type { Logger } from '../lib/log.ts';
import { type SmtpSettings, smtpFromEnv } from '../lib/smtp.ts';
import { appendChildren } from '../ops/blocks.ts';
import { createComment } from '../ops/comments.ts';
import type { OpEnv } from '../ops/env.ts';
import { checkConditionFormula, computedKinds } from '../ops/formulas.ts';
import { actorOf, createIntegration, integrationAuthor } from '../ops/integrations.ts';
import { createPage, writePageUpdate } from '../ops/pages.ts';
import { storedOf } from '../ops/rows.ts';
import { pageTitle, pageUrl } from '../present/page.present.ts';
import { propertyValue } from '../present/property-values.present.ts';
import { parseFilterAt } from '../query/parse.ts';
import type { AutomationRow, AutomationRunRow, Store, StoreTx, VisibleRow } from '../store/store.ts';
import { postJson, type SendPolicy } from '../webhooks/send.ts';
import { appendChildrenBody } from '../wire/blocks.schema.ts';
import { CreateCommentBody } from '../wire/comments.schema.ts';
import { ApiError, errors } from '../wire/errors.ts';
import { CreatePageBody, type UpdatePageBody, updatePageBody } from '../wire/pages.schema.ts';
import { parseWith } from '../wire/validation.ts';
import { API_VERSIONS } from '../wire/versions.ts';
import { capabilityOf, presentWorkerRun, runWorkerAutomation } from '../workers/runtime.ts';
import {
  type Action,
  conditionFormula,
  type Definition,
  pageTrigger,
  parseDefinition,
} from './definition.ts';
import { definitionOf, dispatchOnce as dispatchLook, type Firing } from './dispatch.ts';
import { addressList, SmtpFailure, sendEmail } from './email.ts';
import {
  type ApiFetch,
  DEFAULT_SCRIPT_LIMITS,
  presentScriptRun,
  runScript,
  type ScriptLimits,
  scriptFile,
} from './scripts.ts';
import { plainValue, propertyRefs, renderTemplate, type TemplateScope } from './template.ts';

export { definitionOf, plainValue };

/** The job that performs one run. */
export const RUN_JOB = 'automations.run';
/** The job the port's schedule enqueues every minute: due schedule triggers become runs. */
export const TICK_JOB = 'automations.tick';
/** How many automations may trigger each other in a row. */
export const MAX_CHAIN_DEPTH = 5;

const VERSION = API_VERSIONS[API_VERSIONS.length - 1]!;

export interface AutomationSettings extends SendPolicy {
  /** How often the dispatcher looks at the outbox. */
  pollMs: number;
  /** OCTAVO_EVENT_AGGREGATION_MS (0: every event on its own). */
  aggregationMs: number;
  publicUrl: string;
  /** The first retry of a failed run waits this long, each further one twice as long (default 1 s). */
  retryBackoffMs?: number;
  /** Where `send_email` sends (OCTAVO_SMTP_*); absent: email actions fail with a clear error. */
  smtp?: SmtpSettings | undefined;
  /** Default limits of `run_script` steps (OCTAVO_SCRIPT_TIMEOUT_MS, OCTAVO_SCRIPT_MEMORY_MB). */
  scripts?: ScriptLimits | undefined;
}

export interface AutomationRuntime {
  store: Store;
  /** Absent where no queue is open (the admin API): runs are then performed at once. */
  queue?: JobQueue | undefined;
  settings: AutomationSettings;
  /** The /v1 API in process, for scripts' SDK calls (absent: over HTTP to `publicUrl`). */
  api?: ApiFetch | undefined;
  log?: Logger | undefined;
}

/** What a run was triggered by, as the run row keeps it. */
export interface RunTrigger {
  kind: Definition['trigger']['type'];
  time: string;
  event?: { id: string; type: string; timestamp: string };
  page_id?: string;
  /** comment_created: the comment (its text is read when the run starts). */
  comment_id?: string;
  input?: unknown;
  /** The failed run this one retries. */
  retry_of?: string;
}

/** One step of a run, as the history keeps it. */
export interface RunStep {
  action: Action['type'];
  input: unknown;
  output?: unknown;
  error?: { code: string; message: string };
  ms: number;
}

/** An automation as the CLI and admin API show it. */
export function presentAutomation(row: AutomationRow, integrationName?: string) {
  const def = definitionOf(row);
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled === 1,
    integration: integrationName ?? row.integration_id,
    trigger: def.trigger,
    next_run_time: row.next_run_time,
    ...(row.hook_token ? { hook_path: `/hooks/automations/${row.id}/${row.hook_token}` } : {}),
    definition: def,
    created_time: row.created_time,
    updated_time: row.updated_time,
  };
}

export function presentRun(row: AutomationRunRow) {
  return {
    id: row.id,
    automation_id: row.automation_id,
    status: row.status,
    dry_run: row.dry_run === 1,
    depth: row.depth,
    trigger: JSON.parse(row.trigger) as RunTrigger,
    steps: JSON.parse(row.steps) as RunStep[],
    error: row.error,
    created_time: row.created_time,
    started_time: row.started_time,
    finished_time: row.finished_time,
    duration_ms: row.duration_ms,
  };
}

function nextRun(def: Definition, after: Date): string | null {
  return def.trigger.type === 'schedule'
    ? nextOccurrence(def.trigger.cron, after, def.trigger.timezone).toISOString()
    : null;
}

/** Checks the condition against the data source's schema (the query parser's own messages). */
/** Checking a definition reads schemas as the workspace does (no integration's sight applies). */
const SYSTEM_ENV = (): OpEnv => ({
  actor: {
    integrationId: '',
    integrationName: 'automations',
    botUserId: '',
    capabilities: new Set(),
    seesEverything: true,
  },
  now: new Date().toISOString(),
  publicUrl: '',
});

async function checkAgainstSchema(tx: StoreTx, def: Definition): Promise<void> {
  if (!pageTrigger(def.trigger)) return;
  const ds = await tx.blocks.get(def.trigger.data_source_id);
  if (ds?.type !== 'data_source')
    throw errors.validation(
      `Automation definition: trigger.data_source_id ${def.trigger.data_source_id} names no data source.`,
    );
  const schema = (ds.properties ? JSON.parse(ds.properties) : []) as Schema;
  const byName = Object.fromEntries(schema.map((p) => [p.name, p]));
  const source = { schema, dataSourceId: ds.id, databaseId: ds.parent_id ?? '' };
  // Filters may read formulas and rollups: parsed with their result kinds, as queries are.
  const kinds = await computedKinds(tx, SYSTEM_ENV(), source);
  const options = {
    version: VERSION,
    meUserId: '',
    computed: kinds.kinds,
    rolled: kinds.rolled,
    rolledKinds: kinds.rolledKinds,
    quantified: new Map(),
  };
  const formula = conditionFormula(def);
  if (formula !== null)
    await checkConditionFormula(tx, source, formula, 'Automation definition: condition.formula');
  else if (def.condition) parseFilterAt(def.condition, ['condition'], byName, options);
  for (const [i, action] of def.actions.entries())
    for (const ref of propertyRefs(action))
      if (!schema.some((p) => p.name === ref.name))
        throw errors.validation(
          `Automation definition: actions[${i}].${ref.at}: the data source has no property named ${ref.name}.`,
        );
  if (def.trigger.type === 'page_matches')
    parseFilterAt(def.trigger.filter, ['trigger', 'filter'], byName, options);
  if (def.trigger.type === 'page_updated' && def.trigger.change) {
    const name = def.trigger.change.property;
    if (!schema.some((p) => p.name === name || p.id === name))
      throw errors.validation(
        `Automation definition: trigger.change.property names no property of the data source: ${name}.`,
      );
  }
  if (def.trigger.type === 'page_updated')
    for (const [i, name] of (def.trigger.properties ?? []).entries())
      if (!schema.some((p) => p.name === name || p.id === name))
        throw errors.validation(
          `Automation definition: trigger.properties[${i}] names no property of the data source: ${name}.`,
        );
}

/**
 * Saves a new automation from its definition, with an integration of its own named
 * `automation: NAME` holding the definition's capabilities. Share pages with that integration
 * (`octavo share PAGE_ID "automation: NAME"`) for the automation to see and touch them.
 */
export async function createAutomation(tx: StoreTx, raw: unknown, now: Date): Promise<AutomationRow> {
  const def = parseDefinition(raw);
  // A script is named by an absolute path, checked now (relative: to this process's folder).
  for (const [i, action] of def.actions.entries())
    if (action.type === 'run_script') {
      try {
        action.file = scriptFile(action.file);
      } catch (e) {
        throw errors.validation(`Automation definition: actions[${i}].file: ${(e as Error).message}`);
      }
    }
  for (const [i, action] of def.actions.entries())
    if (action.type === 'run_worker') {
      const worker = await tx.workers.get(action.worker);
      if (!worker)
        throw errors.validation(
          `Automation definition: actions[${i}].worker: no worker named ${action.worker}.`,
        );
      let kind: string;
      try {
        kind = capabilityOf(worker, action.capability)._tag;
      } catch (e) {
        throw errors.validation(`Automation definition: actions[${i}].capability: ${(e as Error).message}`);
      }
      if (kind !== 'automation')
        throw errors.validation(
          `Automation definition: actions[${i}].capability: ${action.capability} is a ${kind} capability, not an automation.`,
        );
    }
  if (await tx.automations.getByName(def.name))
    throw errors.validation(`An automation named ${def.name} already exists.`);
  await checkAgainstSchema(tx, def);
  const { integration } = await createIntegration(tx, {
    name: `automation: ${def.name}`,
    capabilities: def.capabilities as Capability[],
    now: now.toISOString(),
  });
  const row: AutomationRow = {
    id: newId(),
    name: def.name,
    integration_id: integration.id,
    definition: JSON.stringify(def),
    enabled: def.enabled ? 1 : 0,
    // It reacts to what happens from now on.
    cursor: await tx.events.endCursor({ committed: true }),
    next_run_time: def.enabled ? nextRun(def, now) : null,
    hook_token: def.trigger.type === 'webhook' ? randomBytes(24).toString('base64url') : null,
    dispatch_until: null,
    dispatch_token: null,
    created_time: now.toISOString(),
    updated_time: now.toISOString(),
  };
  await tx.automations.insert(row);
  return row;
}

/** The automation named `nameOrId` (or with that id); a validation error names it otherwise. */
export async function automationNamed(tx: StoreTx, nameOrId: string): Promise<AutomationRow> {
  const row = (await tx.automations.getByName(nameOrId)) ?? (await tx.automations.get(nameOrId));
  if (!row) throw errors.validation(`No automation named ${nameOrId}.`);
  return row;
}

/** Enables or disables; enabling starts from the outbox's end (what happened meanwhile is passed over). */
export async function setEnabled(tx: StoreTx, nameOrId: string, enabled: boolean, now: Date) {
  const row = await automationNamed(tx, nameOrId);
  if ((row.enabled === 1) === enabled) return row;
  const patch = {
    enabled: enabled ? 1 : 0,
    next_run_time: enabled ? nextRun(definitionOf(row), now) : null,
    updated_time: now.toISOString(),
    ...(enabled ? { cursor: await tx.events.endCursor({ committed: true }) } : {}),
  };
  await tx.automations.update(row.id, patch);
  return { ...row, ...patch };
}

/** Deletes the automation, its runs and its integration (with its shares). */
export async function deleteAutomation(tx: StoreTx, nameOrId: string): Promise<AutomationRow> {
  const row = await automationNamed(tx, nameOrId);
  await tx.automations.delete(row.id);
  await tx.integrations.delete(row.integration_id);
  return row;
}

/** Records a run and hands it to the queue (or performs it now, for a dry run or `wait`). */
function runRow(
  automation: AutomationRow,
  trigger: RunTrigger,
  depth: number,
  dryRun: boolean,
): AutomationRunRow {
  const row: AutomationRunRow = {
    id: newId(),
    automation_id: automation.id,
    status: 'queued',
    trigger: JSON.stringify(trigger),
    depth,
    dry_run: dryRun ? 1 : 0,
    steps: '[]',
    error: null,
    created_time: new Date().toISOString(),
    started_time: null,
    finished_time: null,
    duration_ms: null,
  };
  if (depth > MAX_CHAIN_DEPTH) {
    row.status = 'failed';
    row.error = `chain depth limit: ${depth} automations in a row triggered each other (at most ${MAX_CHAIN_DEPTH}); nothing was done`;
    row.finished_time = row.created_time;
  }
  return row;
}

/** How a run's job is retried: RUN_RETRIES times, with back-off. */
function runJobOptions(rt: AutomationRuntime) {
  return { retryLimit: RUN_RETRIES, backoffMs: rt.settings.retryBackoffMs ?? 1000 };
}

/** Hands a recorded run to the queue. */
function enqueueRun(rt: AutomationRuntime & { queue: JobQueue }, row: AutomationRunRow) {
  return rt.queue.enqueue(RUN_JOB, { runId: row.id }, runJobOptions(rt));
}

async function startRun(
  rt: AutomationRuntime,
  automation: AutomationRow,
  trigger: RunTrigger,
  depth: number,
  options: { dryRun?: boolean; inline?: boolean } = {},
): Promise<AutomationRunRow> {
  const row = runRow(automation, trigger, depth, options.dryRun ?? false);
  await rt.store.transaction((tx) => tx.automations.insertRun(row));
  if (row.status === 'failed') return row;
  if (options.dryRun || options.inline || !rt.queue) return performRun(rt, row.id);
  await enqueueRun({ ...rt, queue: rt.queue }, row);
  return row;
}

/** Records the runs a dispatcher look starts, in one transaction, then queues them. */
async function startRuns(rt: AutomationRuntime, firings: readonly Firing[]): Promise<void> {
  const rows = firings.map((f) =>
    runRow(
      f.automation,
      {
        kind: definitionOf(f.automation).trigger.type,
        time: new Date().toISOString(),
        event: { id: f.event.id, type: f.event.type, timestamp: f.event.timestamp },
        page_id: f.pageId,
        ...(f.event.entity.type === 'comment' ? { comment_id: f.event.entity.id } : {}),
      },
      f.depth,
      false,
    ),
  );
  if (rows.length === 0) return;
  await rt.store.transaction((tx) => tx.automations.insertRuns(rows));
  const queued = rows.filter((row) => row.status !== 'failed');
  if (rt.queue)
    await rt.queue.enqueueMany(
      RUN_JOB,
      queued.map((row) => ({ runId: row.id })),
      runJobOptions(rt),
    );
  else for (const row of queued) await performRun(rt, row.id);
}

/**
 * Starts a failed run again: a new run with the same trigger and depth (the failed one stays in
 * the history). Only failed runs may be retried.
 */
export async function retryRun(
  rt: AutomationRuntime,
  runId: string,
  options: { wait?: boolean } = {},
): Promise<AutomationRunRow> {
  const { run, automation } = await rt.store.transaction(async (tx) => {
    const run = await tx.automations.getRun(runId);
    if (!run) throw errors.validation(`No automation run with id ${runId}.`);
    if (run.status !== 'failed')
      throw errors.validation(`Run ${runId} is ${run.status}: only a failed run can be retried.`);
    const automation = await tx.automations.get(run.automation_id);
    if (!automation) throw errors.validation(`The automation of run ${runId} no longer exists.`);
    return { run, automation };
  });
  const trigger = { ...(JSON.parse(run.trigger) as RunTrigger), retry_of: run.id };
  return startRun(rt, automation, trigger, run.depth, {
    inline: options.wait ?? false,
    dryRun: run.dry_run === 1,
  });
}

/** Runs an automation by hand (CLI, admin API), with optional JSON input. */
export async function runManually(
  rt: AutomationRuntime,
  nameOrId: string,
  input: unknown,
  options: { dryRun?: boolean; wait?: boolean } = {},
): Promise<AutomationRunRow> {
  const row = await rt.store.transaction((tx) => automationNamed(tx, nameOrId));
  const def = definitionOf(row);
  const trigger: RunTrigger = { kind: 'manual', time: new Date().toISOString(), input: input ?? {} };
  if (def.trigger.type === 'webhook') trigger.kind = 'webhook';
  if (pageTrigger(def.trigger)) {
    const pageId = (input as { page_id?: unknown } | null)?.page_id;
    if (typeof pageId !== 'string')
      throw errors.validation(
        `Automation ${row.name} has a ${def.trigger.type} trigger: a manual run needs input {"page_id": "…"}.`,
      );
    trigger.kind = def.trigger.type;
    trigger.page_id = pageId;
  }
  return startRun(rt, row, trigger, 0, { dryRun: options.dryRun ?? false, inline: options.wait ?? false });
}

/**
 * A request to a webhook trigger's inbound URL: the automation with that id and token (compared
 * in constant time), enabled; its run is performed with the body as input. Null when the URL
 * names no such automation (the caller answers 404 and learns nothing more).
 */
export async function runFromHook(
  rt: AutomationRuntime,
  id: string,
  token: string,
  input: unknown,
): Promise<AutomationRunRow | null> {
  const row = await rt.store.transaction((tx) => tx.automations.get(id));
  if (!row?.hook_token || row.enabled !== 1) return null;
  const a = Buffer.from(row.hook_token);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  return runManually(rt, row.id, input, {});
}

/**
 * The triggering page as the automation's integration sees it (`getVisibleRow`: the page, its
 * visibility and its data source's schema in one statement on Postgres); undefined when it is
 * not shared with it or is no page.
 */
async function visiblePage(
  tx: StoreTx,
  integrationId: string,
  pageId: string,
): Promise<VisibleRow | undefined> {
  const found = await tx.blocks.getVisibleRow(pageId, integrationId);
  return found?.row.type === 'page' ? found : undefined;
}

/** The page as mapping expressions read it: id, url and plain property values. */
function pageScope(publicUrl: string, { row: page, dataSource: ds }: VisibleRow) {
  const props: Record<string, unknown> = {};
  let schema: Schema = [];
  if (page.parent_type === 'data_source_id' && page.parent_id)
    schema = (ds?.properties ? JSON.parse(ds.properties) : []) as Schema;
  const stored = storedOf(page);
  for (const prop of schema)
    props[prop.name] = plainValue(propertyValue(prop, stored[prop.id], page as never));
  if (schema.length === 0) props.title = plainValue({ type: 'title', title: pageTitle(page) });
  const title = pageTitle(page)
    .map((r) => r.plain_text)
    .join('');
  return { id: page.id, url: pageUrl(publicUrl, page.id, title), properties: props };
}

function need(actor: Actor, cap: Capability, what: string): void {
  if (!can(actor, cap))
    throw errors.restricted(`This automation's integration lacks the ${cap} capability needed to ${what}.`);
}

/** Thrown to roll back a dry run's transaction once its step is recorded. */
class DryRun extends Error {
  readonly output: unknown;
  constructor(output: unknown) {
    super('dry run');
    this.output = output;
  }
}

/** The database actions: one ops call as the automation's integration, in `tx`. */
type WriteAction = Extract<
  Action,
  { type: 'create_page' | 'update_page' | 'trash_page' | 'append_blocks' | 'add_comment' }
>;

async function writeAction(
  tx: StoreTx,
  env: OpEnv,
  action: WriteAction,
  input: Record<string, unknown>,
  /** The trigger's page as this transaction read it for this integration (not read again). */
  page?: VisibleRow,
): Promise<unknown> {
  const { actor } = env;
  switch (action.type) {
    case 'create_page': {
      need(actor, 'insert_content', 'create pages');
      const body = parseWith(CreatePageBody, {
        parent: input.parent,
        properties: input.properties,
        ...(input.children ? { children: input.children } : {}),
      });
      const rec = await createPage(tx, env, body);
      return { page_id: rec.row.id };
    }
    case 'update_page': {
      need(actor, 'update_content', 'update pages');
      const body = parseWith(updatePageBody(VERSION), { properties: input.properties }) as UpdatePageBody;
      // The page object updatePage would answer is not kept: only its id.
      return { page_id: await writePageUpdate(tx, env, String(input.page_id), body, page) };
    }
    case 'trash_page': {
      need(actor, 'update_content', 'move pages to the trash');
      const id = await writePageUpdate(
        tx,
        env,
        String(input.page_id),
        { in_trash: true } as UpdatePageBody,
        page,
      );
      return { page_id: id, in_trash: true };
    }
    case 'append_blocks': {
      need(actor, 'insert_content', 'append blocks');
      const body = parseWith(appendChildrenBody(VERSION), { children: input.children });
      const rows = await appendChildren(tx, env, String(input.block_id), body as never);
      return { block_ids: rows.map((r) => r.id) };
    }
    case 'add_comment': {
      need(actor, 'insert_comments', 'add comments');
      const body = parseWith(CreateCommentBody, {
        parent: { page_id: String(input.page_id) },
        rich_text: [{ type: 'text', text: { content: String(input.text ?? '') } }],
      });
      const row = await createComment(tx, env, body);
      return { comment_id: row.id };
    }
  }
}

async function performAction(
  rt: AutomationRuntime,
  env: OpEnv,
  action: Action,
  input: Record<string, unknown>,
  dryRun: boolean,
  record?: (tx: StoreTx, output: unknown) => Promise<void>,
  /** The run and the step's place in it: the email's Message-ID, the script run's origin. */
  at: { runId: string; step: number } = { runId: newId(), step: 0 },
): Promise<unknown> {
  if (action.type === 'run_worker') {
    const pageId = typeof input.page_id === 'string' && input.page_id !== '' ? input.page_id : undefined;
    if (dryRun)
      return { would_run: { worker: action.worker, capability: action.capability, page_id: pageId ?? null } };
    const run = presentWorkerRun(
      await runWorkerAutomation(workerRuntime(rt), {
        worker: action.worker,
        capability: action.capability,
        pageId,
        startedBy: `automation:${at.runId}`,
      }),
    );
    const shown = { worker_run_id: run.id, logs: run.logs, ms: run.duration_ms };
    if (run.status === 'failed')
      throw new ScriptFailed(`worker ${run.worker} ${run.capability} failed: ${run.error}`, shown);
    return shown;
  }
  if (action.type === 'run_script') {
    if (dryRun) return { would_run: { file: action.file, name: action.name ?? null } };
    const run = presentScriptRun(
      await runScript(scriptDeps(rt), {
        file: action.file,
        name: action.name,
        input: input.input ?? {},
        startedBy: `automation:${at.runId}`,
        limits: { timeoutMs: action.timeout_ms, memoryMb: action.memory_mb },
      }),
    );
    const shown = { script_run_id: run.id, output: run.output, logs: run.logs, ms: run.duration_ms };
    if (run.status === 'failed')
      throw new ScriptFailed(`script ${run.script} failed (${run.reason}): ${run.error}`, shown);
    return shown;
  }
  if (action.type === 'send_email') {
    const msg = {
      to: addressList(input.to, 'to'),
      cc: addressList(input.cc, 'cc'),
      subject: String(input.subject ?? '').replace(/[\r\n]+/g, ' '),
      text: String(input.body ?? ''),
      messageId: `<${at.runId}.${at.step}@octavo>`,
    };
    if (dryRun) return { would_send: { to: msg.to, cc: msg.cc, subject: msg.subject } };
    try {
      return await sendEmail(rt.settings.smtp, msg, rt.settings.timeoutMs);
    } catch (e) {
      throw e instanceof SmtpFailure ? new TransientError(e.message, 'smtp_error') : e;
    }
  }
  if (action.type === 'http_request') {
    const url = String(input.url ?? '');
    const headers = Object.fromEntries(
      Object.entries((input.headers ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')]),
    );
    const body = input.body === undefined ? '' : JSON.stringify(input.body);
    if (dryRun) return { would_send: { method: action.method, url } };
    const r = await postJson(url, body, headers, rt.settings, action.method);
    if (!r.ok) throw new TransientError(`HTTP request to ${url} failed: ${r.error}`);
    return { status: r.status, response: r.excerpt, ms: r.latencyMs };
  }
  const write = (tx: StoreTx) => writeAction(tx, env, action, input);
  if (!dryRun)
    return rt.store.transaction(async (tx) => {
      const output = await write(tx);
      // The step is recorded with its write: a run taken again never writes it twice.
      await record?.(tx, output);
      return output;
    });
  try {
    await rt.store.transaction(async (tx) => {
      throw new DryRun(await write(tx));
    });
  } catch (e) {
    if (e instanceof DryRun) return { would_do: e.output };
    throw e;
  }
  return null;
}

/** Actions that reach outside the database: recorded after they are done (at least once). */
const OUTSIDE = new Set<Action['type']>(['http_request', 'send_email', 'run_script', 'run_worker']);

/** Attempts of a run's job: the first and this many retries, with back-off. */
export const RUN_RETRIES = 3;

/** A failure worth trying again later (the outside answered badly); not Notion's validation. */
class TransientError extends Error {
  readonly code: string;
  constructor(message: string, code = 'http_error') {
    super(message);
    this.code = code;
  }
}

/**
 * A script that failed or was stopped at a limit: not tried again by the queue (it may have
 * written before failing, and a limit would stop it again); `automation retry` starts it anew.
 */
class ScriptFailed extends Error {
  readonly details: unknown;
  constructor(message: string, details: unknown) {
    super(message);
    this.details = details;
  }
}

/** What a script step needs: the store, the /v1 API, the default limits. */
function scriptDeps(rt: AutomationRuntime) {
  return {
    store: rt.store,
    api: rt.api,
    baseUrl: rt.settings.publicUrl || 'http://octavo.local',
    limits: rt.settings.scripts ?? DEFAULT_SCRIPT_LIMITS,
  };
}

/** What a `run_worker` step needs: the store, the /v1 API, the script limits. */
function workerRuntime(rt: AutomationRuntime) {
  const d = scriptDeps(rt);
  return { store: d.store, api: d.api, baseUrl: d.baseUrl, limits: d.limits, log: rt.log };
}

/** Whether a step's failure may pass if tried again: HTTP and SMTP failures, unexpected errors. */
function transient(e: unknown): boolean {
  return e instanceof TransientError || !(e instanceof ApiError || e instanceof ScriptFailed);
}

/**
 * Performs a run's actions and records each step; answers the run as it is left. A run taken
 * again (a retry, or after its process died) resumes after its last step that succeeded: an ops
 * step is recorded in the transaction of its write, so it is done once; an HTTP step is recorded
 * after its answer, so a crash in between may send it twice (at least once). `attempt` is given
 * by the job: a transient failure before the last attempt leaves the run queued and throws, so
 * the queue tries again after its back-off.
 */
export async function performRun(
  rt: AutomationRuntime,
  runId: string,
  attempt?: { number: number; last: boolean },
): Promise<AutomationRunRow> {
  return (await performInOne(rt, runId)) ?? performStepByStep(rt, runId, attempt);
}

/** Thrown inside `performInOne` to leave a run to `performStepByStep` (nothing written). */
class StepByStep extends Error {}

/**
 * A run whose actions (those left) all write the database, performed in one transaction: the run
 * and its automation and integration read in one statement, the trigger's page, every action, and
 * the finished run with its steps committed together (docs/benchmarks.md, issue 13 "session 7").
 * Done once or not at all, so its idempotency needs no step recorded in between. Anything else
 * (an outside action, a dry run, a run that cannot start, an action that fails) rolls it back
 * and answers null: the run is then performed step by step, each step in a transaction of its
 * own, as its failure must be recorded while the steps before it stay done.
 */
async function performInOne(rt: AutomationRuntime, runId: string): Promise<AutomationRunRow | null> {
  // Who writes is known once the run is loaded (TransactionOptions.authors is read at the end).
  const authors: KnownAuthor[] = [];
  const inOne = <T>(fn: (tx: StoreTx) => Promise<T>) => rt.store.transaction(fn, { authors });
  try {
    return await inOne(async (tx) => {
      authors.length = 0;
      const loaded = await tx.automations.loadRun(runId);
      if (!loaded) throw new StepByStep();
      const { run, automation, integration } = loaded;
      if (run.status !== 'queued' && run.status !== 'running') return run;
      if (run.dry_run === 1 || !automation || !integration || integration.revoked_time)
        throw new StepByStep();
      const def = definitionOf(automation);
      const steps: RunStep[] = (JSON.parse(run.steps) as RunStep[]).filter((x) => !x.error);
      const todo = def.actions.slice(steps.length);
      if (todo.some((a) => OUTSIDE.has(a.type))) throw new StepByStep();
      const startedTime = run.started_time ?? new Date().toISOString();
      const trigger = JSON.parse(run.trigger) as RunTrigger;
      const scope: TemplateScope = { trigger: { ...trigger }, automation: { name: automation.name } };
      // The page as the automation's integration sees it; an unshared page is not found.
      const page = trigger.page_id ? await visiblePage(tx, integration.id, trigger.page_id) : undefined;
      if (trigger.page_id) {
        if (!page) throw new StepByStep();
        scope.trigger.page = pageScope(rt.settings.publicUrl, page);
      }
      if (trigger.comment_id) {
        const comment = await tx.comments.get(trigger.comment_id);
        if (!comment) throw new StepByStep();
        scope.trigger.comment = commentScope(comment);
      }
      const env: OpEnv = {
        actor: actorOf(integration),
        now: new Date().toISOString(),
        publicUrl: rt.settings.publicUrl,
      };
      // Its writes' events are recorded without reading who the integration's bot is.
      authors.push(integrationAuthor(env.actor));
      // The trigger's page as read above, for the first action (nothing of this transaction
      // has written yet); the next ones read it again.
      let known = page;
      for (const action of todo as WriteAction[]) {
        const t0 = Date.now();
        const { type: _t, ...fields } = action;
        const step: RunStep = { action: action.type, input: renderTemplate(fields, scope, false), ms: 0 };
        const input = renderTemplate(fields, scope) as Record<string, unknown>;
        step.output = await writeAction(tx, env, action, input, known);
        known = undefined;
        step.ms = Date.now() - t0;
        steps.push(step);
      }
      const finished = new Date();
      const patch = {
        status: 'succeeded' as const,
        steps: JSON.stringify(steps),
        error: null,
        started_time: startedTime,
        finished_time: finished.toISOString(),
        duration_ms: finished.getTime() - Date.parse(startedTime),
      };
      await tx.automations.updateRun(run.id, patch);
      return { ...run, ...patch };
    });
  } catch (e) {
    // An action that failed is done again step by step, where its failure is recorded.
    if (!(e instanceof StepByStep)) rt.log?.debug({ err: e, runId }, 'automation run: step by step');
    return null;
  }
}

/** A comment as mapping expressions read it. */
function commentScope(comment: { id: string; discussion_id: string; rich_text: string }) {
  return {
    id: comment.id,
    discussion_id: comment.discussion_id,
    text: (JSON.parse(comment.rich_text) as { plain_text?: string }[])
      .map((t) => t.plain_text ?? '')
      .join(''),
  };
}

/**
 * Performs the run one step at a time: each database action in a transaction of its own with its
 * step's record, an outside action recorded once it answered.
 */
async function performStepByStep(
  rt: AutomationRuntime,
  runId: string,
  attempt?: { number: number; last: boolean },
): Promise<AutomationRunRow> {
  const { store } = rt;
  const started = Date.now();
  const loaded = await store.transaction(async (tx) => {
    const found = await tx.automations.loadRun(runId);
    const run = found?.run;
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return { run, done: true as const };
    const { automation, integration } = found;
    const startedTime = run.started_time ?? new Date().toISOString();
    await tx.automations.updateRun(run.id, { status: 'running', started_time: startedTime });
    // The page as the automation's integration sees it (null: not shared, or no page).
    const trigger = JSON.parse(run.trigger) as RunTrigger;
    let page: ReturnType<typeof pageScope> | null | undefined;
    if (trigger.page_id && integration && !integration.revoked_time) {
      const found = await visiblePage(tx, integration.id, trigger.page_id);
      page = found ? pageScope(rt.settings.publicUrl, found) : null;
    }
    return {
      run: { ...run, started_time: startedTime },
      automation,
      integration,
      page,
      done: false as const,
    };
  });
  if (loaded.done || !loaded.run) return loaded.run!;
  const { run, automation, integration } = loaded;
  // The steps that succeeded before (a retry or a crash): done, not done again.
  const steps: RunStep[] = (JSON.parse(run.steps) as RunStep[]).filter((x) => !x.error);
  let error: string | null = null;
  let retry = false;
  if (!automation || !integration) {
    error = 'the automation or its integration no longer exists';
  } else if (integration.revoked_time) {
    error = `its integration "${integration.name}" was revoked (${integration.revoked_time}); nothing was done`;
  } else {
    const def = definitionOf(automation);
    const trigger = JSON.parse(run.trigger) as RunTrigger;
    const env: OpEnv = {
      actor: actorOf(integration),
      now: new Date().toISOString(),
      publicUrl: rt.settings.publicUrl,
    };
    const scope: TemplateScope = { trigger: { ...trigger }, automation: { name: automation.name } };
    if (trigger.page_id) {
      // The page as the automation's integration sees it; an unshared page is not found.
      const page = loaded.page ?? null;
      if (!page) error = `page ${trigger.page_id} is not shared with this automation's integration`;
      scope.trigger.page = page;
    }
    if (trigger.comment_id && !error) {
      const comment = await store.transaction((tx) => tx.comments.get(trigger.comment_id!));
      scope.trigger.comment = comment ? commentScope(comment) : null;
      if (!comment) error = `comment ${trigger.comment_id} no longer exists`;
    }
    const todo = error ? [] : def.actions.slice(steps.length);
    for (const action of todo) {
      const t0 = Date.now();
      const { type: _t, ...fields } = action;
      const shown = renderTemplate(fields, scope, false);
      const step: RunStep = { action: action.type, input: shown, ms: 0 };
      const record = (tx: StoreTx, output: unknown) => {
        step.output = output;
        step.ms = Date.now() - t0;
        return tx.automations.updateRun(run.id, { steps: JSON.stringify([...steps, step]) });
      };
      try {
        const input = renderTemplate(fields, scope) as Record<string, unknown>;
        const at = { runId: run.id, step: steps.length };
        const output = await performAction(rt, env, action, input, run.dry_run === 1, record, at);
        if (OUTSIDE.has(action.type) || run.dry_run === 1)
          await store.transaction((tx) => record(tx, output));
      } catch (e) {
        const err = e instanceof ApiError ? e : null;
        step.error = {
          code:
            err?.code ??
            (e instanceof TransientError
              ? e.code
              : e instanceof ScriptFailed
                ? 'script_failed'
                : 'internal_error'),
          message: (e as Error).message,
        };
        if (e instanceof ScriptFailed) step.output = e.details;
        error = `${action.type} failed: ${(e as Error).message}`;
        retry = attempt !== undefined && !attempt.last && transient(e);
      }
      step.ms = Date.now() - t0;
      steps.push(step);
      if (error) break;
    }
  }
  if (retry && attempt) {
    const patch = {
      status: 'queued' as const,
      steps: JSON.stringify(steps),
      error: `attempt ${attempt.number} failed (${error}); retrying`,
    };
    await store.transaction((tx) => tx.automations.updateRun(run.id, patch));
    throw new Error(`automation run ${run.id}: ${patch.error}`);
  }
  const finished = new Date();
  const patch = {
    status: (error ? 'failed' : 'succeeded') as AutomationRunRow['status'],
    steps: JSON.stringify(steps),
    error: error && attempt && attempt.number > 1 ? `${error} (after ${attempt.number} attempts)` : error,
    finished_time: finished.toISOString(),
    duration_ms: finished.getTime() - Date.parse(run.started_time ?? new Date(started).toISOString()),
  };
  await store.transaction((tx) => tx.automations.updateRun(run.id, patch));
  return { ...run, ...patch };
}

/**
 * Starts the runs of schedule triggers due at `now` (injectable: tests move the clock). Each due
 * time is claimed by moving `next_run_time` past it, so one process starts it once; a server that
 * was down for several occurrences starts one run for them.
 */
export async function tickSchedules(rt: AutomationRuntime, now: Date): Promise<AutomationRunRow[]> {
  const list = await rt.store.transaction((tx) => tx.automations.list());
  const started: AutomationRunRow[] = [];
  for (const a of list) {
    if (a.enabled !== 1 || !a.next_run_time || a.next_run_time > now.toISOString()) continue;
    const def = definitionOf(a);
    const next = nextRun(def, now);
    const mine = await rt.store.transaction((tx) =>
      tx.automations.advanceSchedule(a.id, a.next_run_time!, next),
    );
    if (!mine) continue;
    started.push(await startRun(rt, a, { kind: 'schedule', time: a.next_run_time }, 0));
  }
  return started;
}

/**
 * Settings read from the environment where no Config is at hand (the admin API): the outbound
 * policy of webhooks (OCTAVO_WEBHOOK_ALLOW_PRIVATE, else private addresses only when the server
 * listens on loopback; OCTAVO_WEBHOOK_TIMEOUT_MS).
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv, publicUrl = ''): AutomationSettings {
  const allow = env.OCTAVO_WEBHOOK_ALLOW_PRIVATE;
  const host = env.OCTAVO_HOST || '127.0.0.1';
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
  return {
    allowPrivate: allow === undefined || allow === '' ? loopback : ['1', 'true', 'yes'].includes(allow),
    timeoutMs: Number(env.OCTAVO_WEBHOOK_TIMEOUT_MS) || 10_000,
    pollMs: 250,
    aggregationMs: 0,
    publicUrl,
    smtp: smtpFromEnv(env),
    scripts: {
      timeoutMs: Number(env.OCTAVO_SCRIPT_TIMEOUT_MS) || DEFAULT_SCRIPT_LIMITS.timeoutMs,
      memoryMb: Number(env.OCTAVO_SCRIPT_MEMORY_MB) || DEFAULT_SCRIPT_LIMITS.memoryMb,
    },
  };
}

export interface RunningAutomations {
  stop(): Promise<void>;
}

/** Starts the run consumer, the minute tick (the port's schedule) and the dispatcher loop. */
export async function startAutomations(
  rt: AutomationRuntime & { queue: JobQueue },
): Promise<RunningAutomations> {
  await rt.queue.consume<{ runId: string }>(
    RUN_JOB,
    async (p, job) =>
      void (await performRun(rt, p.runId, { number: job.attempt, last: job.attempt > RUN_RETRIES })),
    {
      concurrency: 8,
    },
  );
  await rt.queue.consume(TICK_JOB, async () => void (await tickSchedules(rt, new Date())));
  await rt.queue.schedule(TICK_JOB, '* * * * *');
  return startDispatcher(rt);
}

/** One look at the outbox: the runs its new events start (automations/dispatch.ts). */
export function dispatchOnce(rt: AutomationRuntime): Promise<void> {
  return dispatchLook({
    store: rt.store,
    publicUrl: rt.settings.publicUrl,
    aggregationMs: rt.settings.aggregationMs,
    log: rt.log,
    start: (firings) => startRuns(rt, firings),
  });
}

/**
 * The dispatcher loop alone: a look at the outbox every `pollMs` (stopping it leaves the run
 * consumer running; the benchmark pauses dispatch this way).
 */
export function startDispatcher(rt: AutomationRuntime): RunningAutomations {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    running = dispatchOnce(rt)
      .catch((err: Error) => {
        if (rt.log) rt.log.error({ err }, 'automation dispatch failed');
        else console.error(`octavo: automation dispatch failed: ${err.message}`);
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, rt.settings.pollMs);
      });
  };
  loop();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
