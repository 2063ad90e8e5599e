/**
 * `octavo fault add|list|clear` and `octavo clock`: a running server's fault rules and clock,
 * through its admin API (--url, --admin-token). Rules: domain/faults.ts.
 */

import { callAdmin, requireAdminTarget } from '../admin-client.ts';
import { printResult, UsageError, type Values } from '../args.ts';

interface Rule {
  id: string;
  fired: number;
  [key: string]: unknown;
}

function numberOf(
  values: Values,
  name: 'probability' | 'count' | 'retry-after' | 'latency',
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || Number.isNaN(n)) throw new UsageError(`--${name} must be a number, not ${raw}`);
  return n;
}

/** `fault add [--route P] [--method M] [--integration X] [--probability p] [--count n] (--status S [--retry-after s] | --latency ms | --drop)` */
export async function faultAddCommand(values: Values): Promise<void> {
  const target = requireAdminTarget(values, 'fault add');
  const status = values.status === undefined ? undefined : Number(values.status);
  const rule = {
    ...(values.route ? { route: values.route } : {}),
    ...(values.method ? { method: values.method } : {}),
    ...(values.integration ? { integration: values.integration } : {}),
    ...(values.probability !== undefined ? { probability: numberOf(values, 'probability') } : {}),
    ...(values.count !== undefined ? { count: numberOf(values, 'count') } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(values['retry-after'] !== undefined ? { retry_after: numberOf(values, 'retry-after') } : {}),
    ...(values.latency !== undefined ? { latency_ms: numberOf(values, 'latency') } : {}),
    ...(values.drop ? { drop: true } : {}),
  };
  const made = await callAdmin<Rule>(target, '/faults', { body: rule });
  printResult(values, made, `Added fault rule ${made.id}: ${describeRule(made)}`);
}

export async function faultListCommand(values: Values): Promise<void> {
  const target = requireAdminTarget(values, 'fault list');
  const { results } = await callAdmin<{ results: Rule[] }>(target, '/faults');
  const lines = results.map((r) => `${r.id}  fired ${r.fired}  ${describeRule(r)}`);
  printResult(values, { faults: results }, lines.join('\n') || 'No fault rules.');
}

export async function faultClearCommand(values: Values): Promise<void> {
  const target = requireAdminTarget(values, 'fault clear');
  const { cleared } = await callAdmin<{ cleared: number }>(target, '/faults', { method: 'DELETE' });
  printResult(values, { cleared }, `Cleared ${cleared} fault rules.`);
}

function describeRule(r: Rule): string {
  const what = r.status
    ? `answer ${r.status}`
    : r.latency_ms
      ? `wait ${r.latency_ms} ms`
      : 'drop the connection';
  const where = [r.method, r.route ?? 'every route', r.integration ? `for ${r.integration}` : ''].filter(
    Boolean,
  );
  const how = [
    r.probability !== undefined ? `p=${r.probability}` : '',
    r.count !== undefined ? `${r.count} times` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${what} on ${where.join(' ')}${how ? ` (${how})` : ''}`;
}

/** `clock [--set ISO] [--advance 2h]`: shows, sets (frozen) or moves the server's clock. */
export async function clockCommand(values: Values): Promise<void> {
  const target = requireAdminTarget(values, 'clock');
  const body = {
    ...(values.set ? { time: values.set } : {}),
    ...(values.advance ? { advance: values.advance } : {}),
  };
  const clock = await callAdmin<{ time: string; frozen: boolean }>(
    target,
    '/clock',
    Object.keys(body).length > 0 ? { body } : {},
  );
  printResult(values, clock, `${clock.time}${clock.frozen ? ' (frozen)' : ''}`);
}
