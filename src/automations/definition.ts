/**
 * An automation's definition as data (JSON or YAML): a trigger, an optional condition in Notion's
 * filter language, and actions. Validated with Zod; every error names the field it is about
 * (`trigger.cron`, `actions[1].url`, …). Templates inside actions are checked here too
 * (template.ts), so a wrong reference is refused when the automation is saved, not when it runs.
 */
import { z } from 'zod';
import { CAPABILITIES } from '../domain/capabilities.ts';
import { nextOccurrence } from '../jobs/cron.ts';
import { errors } from '../wire/errors.ts';
import { addressList } from './email.ts';
import { templateErrors } from './template.ts';

const Id = z.string().min(1);
/** Names of automations and scripts. */
export const SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;
const Template = z.string();
const TemplatedObject = z.record(z.string(), z.unknown());

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function validCron(cron: string): boolean {
  try {
    nextOccurrence(cron, new Date());
    return true;
  } catch {
    return false;
  }
}

export const Trigger = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('page_created'), data_source_id: Id }),
  z.strictObject({
    type: z.literal('page_updated'),
    data_source_id: Id,
    /** Fires only when one of these properties (names or ids) changed. */
    properties: z.array(z.string().min(1)).min(1).optional(),
    /**
     * Fires only when this property's plain value changed (from `from`, to `to`, when given;
     * values compared as text, as `{{trigger.page.properties.NAME}}` reads them).
     */
    change: z
      .strictObject({ property: z.string().min(1), from: z.string().optional(), to: z.string().optional() })
      .optional(),
  }),
  z.strictObject({
    type: z.literal('page_matches'),
    data_source_id: Id,
    /** A Notion filter; fires when a page starts (or stops) satisfying it. */
    filter: z.record(z.string(), z.unknown()),
    on: z.enum(['start', 'stop', 'both']).default('start'),
  }),
  /** A comment made on a page of the data source (or on a block of one). */
  z.strictObject({ type: z.literal('comment_created'), data_source_id: Id }),
  z.strictObject({
    type: z.literal('schedule'),
    cron: z.string().refine(validCron, 'should be a cron expression of five (or six) fields'),
    timezone: z.string().refine(validZone, 'should be an IANA time zone such as Europe/Paris').default('UTC'),
  }),
  z.strictObject({ type: z.literal('manual') }),
  /** An inbound URL accepting JSON (or a form): the body is the run's input. */
  z.strictObject({ type: z.literal('webhook') }),
]);
export type Trigger = z.output<typeof Trigger>;

const Action = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('create_page'),
    parent: z.union([z.strictObject({ data_source_id: Template }), z.strictObject({ page_id: Template })]),
    properties: TemplatedObject,
    children: z.array(z.unknown()).optional(),
  }),
  z.strictObject({
    type: z.literal('update_page'),
    page_id: Template.default('{{trigger.page.id}}'),
    properties: TemplatedObject,
  }),
  z.strictObject({
    type: z.literal('append_blocks'),
    block_id: Template.default('{{trigger.page.id}}'),
    children: z.array(z.unknown()).min(1),
  }),
  z.strictObject({ type: z.literal('trash_page'), page_id: Template.default('{{trigger.page.id}}') }),
  z.strictObject({
    type: z.literal('add_comment'),
    page_id: Template.default('{{trigger.page.id}}'),
    text: Template,
  }),
  z.strictObject({
    type: z.literal('http_request'),
    url: Template,
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    headers: z.record(z.string(), Template).default({}),
    body: z.unknown().optional(),
  }),
  z.strictObject({
    type: z.literal('send_email'),
    /** Addresses: one text (commas between several) or a list; templates allowed. */
    to: z.union([Template.min(1), z.array(Template.min(1)).min(1)]),
    cc: z.union([Template, z.array(Template)]).optional(),
    subject: Template.min(1),
    /** Plain text. */
    body: Template,
  }),
  z.strictObject({
    type: z.literal('run_script'),
    /** A .js, .mjs, .ts or .mts module with a default export `async (ctx) => …` (made absolute when saved). */
    file: z.string().regex(/\.(m?js|m?ts)$/, 'should be a .js, .mjs, .ts or .mts file'),
    /** Its integration is `script: NAME` (default: the file's name without extension). */
    name: z
      .string()
      .regex(SCRIPT_NAME, 'should be 1–100 letters, digits, spaces, `.`, `_` or `-`')
      .optional(),
    /** `ctx.input` (templates allowed). */
    input: z.unknown().optional(),
    timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
    memory_mb: z.number().int().min(16).max(16_384).optional(),
  }),
  z.strictObject({
    type: z.literal('run_worker'),
    /** A deployed Notion Worker (`octavo workers deploy`) and its automation capability. */
    worker: z.string().min(1),
    capability: z.string().min(1),
    /** The page it is given (`pageId`, `pageData`); templates allowed, e.g. `{{trigger.page.id}}`. */
    page_id: Template.optional(),
  }),
]);
export type Action = z.output<typeof Action>;

export const Definition = z.strictObject({
  name: z.string().regex(SCRIPT_NAME, 'should be 1–100 letters, digits, spaces, `.`, `_` or `-`'),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  /** What its own integration may do (default: read, update and insert content, comments). */
  capabilities: z
    .array(z.enum(CAPABILITIES))
    .default(['read_content', 'update_content', 'insert_content', 'read_comments', 'insert_comments']),
  trigger: Trigger,
  /**
   * Evaluated on the triggering page (page triggers only): a Notion filter (formula and rollup
   * properties included), or `{"formula": "<expression>"}`, a formula of the data source's
   * language that yields a checkbox.
   */
  condition: z
    .union([z.strictObject({ formula: z.string().min(1) }), z.record(z.string(), z.unknown())])
    .optional(),
  actions: z.array(Action).min(1).max(20),
});
export type Definition = z.output<typeof Definition>;

/** The expression of a formula condition, or null for a filter condition (or none). */
export function conditionFormula(def: Definition): string | null {
  const c = def.condition;
  return c && typeof c.formula === 'string' && Object.keys(c).length === 1 ? c.formula : null;
}

/** Whether the trigger is about a page of a data source. */
export function pageTrigger(t: Trigger): t is Extract<Trigger, { data_source_id: string }> {
  return (
    t.type === 'page_created' ||
    t.type === 'page_updated' ||
    t.type === 'page_matches' ||
    t.type === 'comment_created'
  );
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(definition)';
}

/**
 * Parses a definition; a validation error (Notion's `validation_error`) names the first wrong
 * field and says what it should be.
 */
export function parseDefinition(raw: unknown): Definition {
  const r = Definition.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    let what = issue.message;
    if (issue.code === 'invalid_union' || issue.code === 'invalid_value') what = `${what}`;
    if (issue.code === 'unrecognized_keys') what = `has unknown field(s): ${issue.keys.join(', ')}`;
    throw errors.validation(`Automation definition: ${pathText(issue.path)} ${what}.`);
  }
  const def = r.data;
  if (def.condition && !pageTrigger(def.trigger))
    throw errors.validation(
      'Automation definition: condition is only for page triggers (page_created, page_updated, page_matches, comment_created).',
    );
  def.actions.forEach((action, i) => {
    const problem = templateErrors(action, def.trigger)[0];
    if (problem) throw errors.validation(`Automation definition: actions[${i}].${problem}`);
    if (action.type === 'send_email')
      for (const field of ['to', 'cc'] as const) {
        const value = action[field];
        const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
        for (const [j, text] of list.entries()) {
          if (text.includes('{{')) continue;
          try {
            addressList(text, field);
          } catch {
            const at = Array.isArray(value) ? `${field}[${j}]` : field;
            throw errors.validation(
              `Automation definition: actions[${i}].${at} should be email addresses (or a {{…}} expression), instead was \`${text}\`.`,
            );
          }
        }
      }
  });
  return def;
}
