/**
 * Fault rules (Octavo as a test double): which requests misbehave on purpose, and how. Pure:
 * the rule's shape (Zod, the same from OCTAVO_FAULTS, the CLI and the admin API), matching a
 * request, and the answer a rule gives in Notion's error shapes. The middleware that applies
 * them is api/middleware/faults.ts; the list and its fire counts live in ops/emulator.ts.
 */
import { z } from 'zod';

/** Statuses a rule can answer with, and Notion's code and message for each. */
export const FAULT_ERRORS = {
  429: { code: 'rate_limited', message: 'You have been rate limited. Please try again in a few minutes.' },
  500: { code: 'internal_server_error', message: 'Unexpected error occurred.' },
  502: { code: 'bad_gateway', message: 'Bad gateway.' },
  503: { code: 'service_unavailable', message: 'Notion is unavailable, please try again later.' },
  504: { code: 'gateway_timeout', message: 'Notion timed out, please try again later.' },
  529: { code: 'service_overload', message: 'Notion is overloaded, please try again later.' },
} as const;
export type FaultStatus = keyof typeof FAULT_ERRORS;

const Method = z
  .string()
  .transform((m) => m.toUpperCase())
  .pipe(z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']));

/**
 * A rule as written: where it applies (`route`, a path pattern where `*` is one path segment and
 * `**` any rest, e.g. `/v1/pages/*`; `method`; `integration`, a name or id), how often
 * (`probability` per matching request, `count` times at most), and what it does: an error
 * `status` (with `retry_after` seconds for 429/529), `latency_ms` before answering normally, or
 * `drop` (the connection is closed without an answer).
 */
export const FaultRuleInput = z
  .strictObject({
    route: z.string().startsWith('/').optional(),
    method: Method.optional(),
    integration: z.string().min(1).optional(),
    probability: z.number().min(0).max(1).optional(),
    count: z.number().int().min(1).optional(),
    status: z
      .union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504), z.literal(529)])
      .optional(),
    retry_after: z.number().int().min(0).max(3600).optional(),
    latency_ms: z.number().int().min(1).max(120_000).optional(),
    drop: z.literal(true).optional(),
  })
  .refine(
    (r) => [r.status !== undefined, r.latency_ms !== undefined, r.drop === true].filter(Boolean).length === 1,
    {
      message: 'should have exactly one of `status`, `latency_ms` or `drop`',
    },
  );
export type FaultRuleInput = z.output<typeof FaultRuleInput>;

/** A rule in force: its input, an id, and how often it fired. */
export interface FaultRule extends FaultRuleInput {
  id: string;
  fired: number;
}

/** What a request carries that rules match on. */
export interface FaultRequest {
  method: string;
  path: string;
  /** The acting integration's id and name, once authenticated. */
  integration?: { id: string; name: string } | undefined;
}

/** The path pattern as a regular expression: `*` one segment, `**` anything. */
export function routeMatcher(pattern: string): RegExp {
  const parts = pattern.split(/(\*\*|\*)/).map((p) => {
    if (p === '**') return '.*';
    if (p === '*') return '[^/]+';
    return p.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('')}/?$`);
}

/** Whether `rule` applies to `req` (before probability and count). */
export function ruleMatches(rule: FaultRuleInput, req: FaultRequest): boolean {
  if (rule.method && rule.method !== req.method.toUpperCase()) return false;
  if (rule.route && !routeMatcher(rule.route).test(req.path)) return false;
  if (rule.integration) {
    const who = req.integration;
    if (!who || (who.id !== rule.integration && who.name !== rule.integration)) return false;
  }
  return true;
}

/**
 * The first rule that fires for `req`, counting the firing: the rule matches, has firings left,
 * and wins its draw (`random()` below its probability).
 */
export function fireRule(
  rules: FaultRule[],
  req: FaultRequest,
  random: () => number = Math.random,
): FaultRule | null {
  for (const rule of rules) {
    if (rule.count !== undefined && rule.fired >= rule.count) continue;
    if (!ruleMatches(rule, req)) continue;
    if (rule.probability !== undefined && random() >= rule.probability) continue;
    rule.fired++;
    return rule;
  }
  return null;
}

/** The error body and headers of an error rule, in Notion's envelope. */
export function faultResponse(
  status: FaultStatus,
  retryAfter: number | undefined,
  requestId: string,
): { body: object; headers: Record<string, string> } {
  const { code, message } = FAULT_ERRORS[status];
  const headers: Record<string, string> = {};
  if (status === 429 || status === 529 || retryAfter !== undefined)
    headers['retry-after'] = String(retryAfter ?? 1);
  return { body: { object: 'error', status, code, message, request_id: requestId }, headers };
}
