/**
 * Command-line arguments: the option table, the per-command checks and the two error kinds the
 * CLI reports as one line (a usage mistake, exit 2; a failed action, exit 1).
 */
import { parseArgs } from 'node:util';
import { ALL_CAPABILITIES, type Capability, isCapability } from '../domain/capabilities.ts';
import { normalizeId } from '../lib/ids.ts';

/** The command line was wrong: a missing flag, an unknown command, a malformed value. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command was well formed but could not be carried out (not found, duplicate, unreachable). */
export class CliError extends Error {
  override name = 'CliError';
}

export const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  'rate-limit': { type: 'string' },
  name: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  public: { type: 'boolean' },
  admin: { type: 'boolean' },
  days: { type: 'string' },
  role: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  capabilities: { type: 'string' },
  title: { type: 'string' },
  parent: { type: 'string' },
  share: { type: 'string', multiple: true },
  with: { type: 'string' },
  'data-source': { type: 'string' },
  file: { type: 'string' },
  batch: { type: 'string' },
  after: { type: 'string' },
  integration: { type: 'string' },
  url: { type: 'string' },
  events: { type: 'string' },
  'api-version': { type: 'string' },
  limit: { type: 'string' },
  reason: { type: 'string' },
  'forward-to': { type: 'string' },
  input: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  'memory-mb': { type: 'string' },
  attach: { type: 'string', multiple: true },
  env: { type: 'string', multiple: true },
  from: { type: 'string' },
  default: { type: 'boolean' },
  to: { type: 'string' },
  json: { type: 'boolean' },
  memory: { type: 'boolean' },
  fixture: { type: 'string' },
  'admin-token': { type: 'string' },
  token: { type: 'string' },
  out: { type: 'string' },
  status: { type: 'string' },
  follow: { type: 'boolean' },
  route: { type: 'string' },
  method: { type: 'string' },
  probability: { type: 'string' },
  count: { type: 'string' },
  'retry-after': { type: 'string' },
  latency: { type: 'string' },
  drop: { type: 'boolean' },
  set: { type: 'string' },
  advance: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

export interface ParsedArgs {
  values: Values;
  positionals: string[];
}

/** Parses argv against the option table; Node's messages are cut to their first sentence. */
export function parseCommandLine(argv: string[]): ParsedArgs {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message.split('. ')[0]!.replace(/'/g, '');
    throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1));
  }
}

/** Refuses options that the command does not take (e.g. `serve --title`). */
export function checkOptions(command: string, values: Values, allowed: readonly OptionName[]): void {
  for (const key of Object.keys(values) as OptionName[]) {
    if (key !== 'help' && key !== 'version' && !allowed.includes(key))
      throw new UsageError(`${command} does not take --${key}`);
  }
}

export function required(values: Values, name: 'name' | 'email' | 'title' | 'with' | 'role'): string {
  const v = values[name]?.trim();
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

/** A page id from the command line, in the dashed form. */
export function pageIdArg(raw: string, what: string): string {
  const id = normalizeId(raw);
  if (!id) throw new UsageError(`${what} must be a page id (32 hex digits), not ${raw}`);
  return id;
}

/** `--capabilities read_content,insert_content` or `all` (the default). */
export function parseCapabilities(raw: string | undefined): Capability[] {
  if (raw === undefined || raw.trim() === 'all') return [...ALL_CAPABILITIES];
  const caps = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (caps.length === 0) throw new UsageError('--capabilities needs at least one capability, or all');
  for (const c of caps)
    if (!isCapability(c))
      throw new UsageError(`unknown capability ${c}; known: ${ALL_CAPABILITIES.join(', ')}`);
  return caps as Capability[];
}

/** Prints the result: one JSON object with --json, else the human text. */
export function printResult(values: Values, json: object, text: string): void {
  console.log(values.json ? JSON.stringify(json) : text);
}
