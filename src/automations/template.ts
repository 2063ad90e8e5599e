/**
 * The mapping expressions of actions: `{{ path }}` inside any string of an action. Paths:
 *
 * - `trigger.page.id`, `trigger.page.url`, `trigger.page.properties.<Name>` (page triggers): the
 *   triggering page as the automation's integration sees it; a property reads as a plain value
 *   (text as plain text, select/status as the option name, multi-select as names joined by ", ",
 *   date as its start, people as their names, number/checkbox/url/email/phone as they are).
 * - `trigger.event.id`, `trigger.event.type`, `trigger.event.timestamp` (page triggers).
 * - `trigger.input.<key>…` (manual and webhook triggers): the JSON input (or posted body).
 * - `trigger.time`: when the run was triggered (ISO); `automation.name`.
 * - `secrets.<NAME>`: the environment variable `OCTAVO_SECRET_<NAME>`, read when the action runs,
 *   never stored in the definition or the run history (the history keeps `{{secrets.NAME}}`).
 *
 * A string that is exactly one expression takes the value itself (a number stays a number);
 * otherwise values are written into the text. An unknown value reads as empty.
 */
import type { Trigger } from './definition.ts';

const EXPR = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What expressions are read against when an action runs. */
export interface TemplateScope {
  trigger: Record<string, unknown>;
  automation: { name: string };
}

function check(path: string, trigger: Trigger): string | null {
  const parts = path.split('.');
  if (parts.some((p) => p === '')) return `\`{{${path}}}\` is not a valid expression`;
  const [root, second, third] = parts;
  const page =
    trigger.type === 'page_created' ||
    trigger.type === 'page_updated' ||
    trigger.type === 'page_matches' ||
    trigger.type === 'comment_created';
  if (second === 'comment') {
    if (trigger.type !== 'comment_created')
      return `\`{{${path}}}\`: only the comment_created trigger has a comment`;
    return ['id', 'text', 'discussion_id'].includes(third ?? '') && parts.length === 3
      ? null
      : `\`{{${path}}}\` is unknown (trigger.comment.id, .text, .discussion_id)`;
  }
  if (root === 'secrets')
    return parts.length === 2 && /^[A-Z0-9_]+$/.test(second!)
      ? null
      : `\`{{${path}}}\`: a secret is \`secrets.NAME\` (NAME in A–Z, 0–9, _)`;
  if (root === 'automation') return path === 'automation.name' ? null : `\`{{${path}}}\` is unknown`;
  if (root !== 'trigger') return `\`{{${path}}}\` should start with trigger., secrets. or automation.`;
  if (second === 'time' && parts.length === 2) return null;
  if (second === 'input')
    return trigger.type === 'manual' || trigger.type === 'webhook'
      ? null
      : `\`{{${path}}}\`: only manual and webhook triggers have input`;
  if (second === 'page' || second === 'event') {
    if (!page) return `\`{{${path}}}\`: the ${trigger.type} trigger has no ${second}`;
    if (second === 'event')
      return ['id', 'type', 'timestamp'].includes(third ?? '') && parts.length === 3
        ? null
        : `\`{{${path}}}\` is unknown (trigger.event.id, .type, .timestamp)`;
    if ((third === 'id' || third === 'url') && parts.length === 3) return null;
    if (third === 'properties' && parts.length >= 4) return null;
    return `\`{{${path}}}\` is unknown (trigger.page.id, .url, .properties.NAME)`;
  }
  return `\`{{${path}}}\` is unknown`;
}

function walk(value: unknown, at: string, out: { at: string; text: string }[]): void {
  if (typeof value === 'string') out.push({ at, text: value });
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(v, `${at}[${i}]`, out);
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) walk(v, at ? `${at}.${k}` : k, out);
}

/** Problems of the expressions inside `action` (each "field: message"), for `trigger`. */
export function templateErrors(action: Record<string, unknown>, trigger: Trigger): string[] {
  const strings: { at: string; text: string }[] = [];
  walk(action, '', strings);
  const out: string[] = [];
  for (const s of strings) {
    const opened = (s.text.match(/\{\{/g) ?? []).length;
    const matches = [...s.text.matchAll(EXPR)];
    if (opened !== matches.length) out.push(`${s.at}: has an unclosed or nested \`{{\``);
    for (const m of matches) {
      const problem = check(m[1]!, trigger);
      if (problem) out.push(`${s.at}: ${problem}.`);
    }
  }
  return out;
}

/** The page properties `action` reads (`trigger.page.properties.NAME`), with where. */
export function propertyRefs(action: Record<string, unknown>): { at: string; name: string }[] {
  const strings: { at: string; text: string }[] = [];
  walk(action, '', strings);
  const out: { at: string; name: string }[] = [];
  for (const s of strings)
    for (const m of s.text.matchAll(EXPR)) {
      const parts = m[1]!.split('.');
      if (parts[0] === 'trigger' && parts[1] === 'page' && parts[2] === 'properties')
        out.push({ at: s.at, name: parts.slice(3).join('.') });
    }
  return out;
}

function lookup(path: string, scope: TemplateScope): unknown {
  const parts = path.split('.');
  if (parts[0] === 'secrets') return process.env[`OCTAVO_SECRET_${parts[1]}`] ?? null;
  if (parts[0] === 'trigger' && parts[1] === 'page' && parts[2] === 'properties') {
    const props = (scope.trigger.page as { properties?: Record<string, unknown> } | undefined)?.properties;
    return props?.[parts.slice(3).join('.')] ?? null;
  }
  let v: unknown = scope;
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[p];
  }
  return v ?? null;
}

function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * `value` with every expression replaced; `secrets: false` leaves secret references as written
 * (for what the run history keeps).
 */
export function renderTemplate(value: unknown, scope: TemplateScope, secrets = true): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(value);
    if (whole && !(whole[1]!.startsWith('secrets.') && !secrets)) return lookup(whole[1]!, scope);
    return value.replace(EXPR, (m, path: string) =>
      path.startsWith('secrets.') && !secrets ? m : asText(lookup(path, scope)),
    );
  }
  if (Array.isArray(value)) return value.map((v) => renderTemplate(v, scope, secrets));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderTemplate(v, scope, secrets)]));
  return value;
}

/** A property value (response form) as one plain value. */
export function plainValue(value: unknown): unknown {
  let v = value;
  if (v && typeof v === 'object' && !Array.isArray(v) && 'type' in v) {
    const type = (v as { type: string }).type;
    if (type in v) v = (v as Record<string, unknown>)[type];
  }
  if (Array.isArray(v))
    return v
      .map((x) => {
        if (x && typeof x === 'object') {
          const o = x as Record<string, unknown>;
          if (typeof o.plain_text === 'string') return o.plain_text;
          if (typeof o.name === 'string') return o.name;
          if (typeof o.id === 'string') return o.id;
        }
        return String(x);
      })
      .join(typeof (v[0] as { plain_text?: unknown } | undefined)?.plain_text === 'string' ? '' : ', ');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.name === 'string') return o.name;
    if ('start' in o) return o.start;
    if ('type' in o && typeof o.type === 'string' && o.type in o) return plainValue(o);
  }
  return v ?? null;
}
