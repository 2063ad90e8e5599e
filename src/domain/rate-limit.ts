/**
 * Rate limiting as Notion describes it: an average of N requests per second per integration,
 * with bursts allowed. A token bucket: `decide` is pure; a limiter keeps the buckets.
 *
 * The memory limiter is right for one node; several nodes share one limit through the
 * database-backed limiter of ops/rate-limit.ts, which runs the same `decide`.
 */
export interface Bucket {
  tokens: number;
  updatedMs: number;
}

export interface RatePolicy {
  /** Sustained requests per second. */
  ratePerSecond: number;
  /** Requests that may arrive at once (the bucket's capacity). */
  burst: number;
}

/**
 * Notion's long-published rule: about 3 requests per second on average, some bursting allowed.
 * The burst of 30 (ten seconds' worth) is our choice; Notion does not publish one.
 */
export const NOTION_RATE: RatePolicy = { ratePerSecond: 3, burst: 30 };

export type Decision =
  | { allowed: true; bucket: Bucket }
  | { allowed: false; bucket: Bucket; retryAfterSeconds: number };

/**
 * Refills the bucket for the time elapsed since it was last seen, then spends one token if there
 * is one. A refused request spends nothing; `retryAfterSeconds` is the whole number of seconds
 * until one token is back (at least 1, as `Retry-After` carries integer seconds).
 */
export function decide(policy: RatePolicy, bucket: Bucket | undefined, nowMs: number): Decision {
  const prev = bucket ?? { tokens: policy.burst, updatedMs: nowMs };
  const elapsed = Math.max(0, nowMs - prev.updatedMs) / 1000;
  const tokens = Math.min(policy.burst, prev.tokens + elapsed * policy.ratePerSecond);
  if (tokens >= 1) return { allowed: true, bucket: { tokens: tokens - 1, updatedMs: nowMs } };
  const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / policy.ratePerSecond));
  return { allowed: false, bucket: { tokens, updatedMs: nowMs }, retryAfterSeconds };
}

export interface RateLimiter {
  /** Spends one request of `key`'s budget: 0 when allowed, otherwise the seconds to wait. */
  take(key: string): Promise<number>;
}

/** Buckets in process memory, one per key (integration): right for a single node. */
export function memoryRateLimiter(policy: RatePolicy, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, Bucket>();
  return {
    async take(key) {
      const d = decide(policy, buckets.get(key), now());
      buckets.set(key, d.bucket);
      return d.allowed ? 0 : d.retryAfterSeconds;
    },
  };
}

/**
 * Parses `notion | off | RATE[:BURST]` (requests per second, optional burst; the burst defaults
 * to ten seconds' worth, as Notion's does). Returns null for `off`, undefined when invalid.
 */
export function parseRateLimit(value: string): RatePolicy | null | undefined {
  if (value === 'off') return null;
  if (value === 'notion') return NOTION_RATE;
  const match = /^(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(value.trim());
  if (!match) return undefined;
  const ratePerSecond = Number(match[1]);
  const burst = match[2] === undefined ? Math.max(1, Math.ceil(ratePerSecond * 10)) : Number(match[2]);
  if (!(ratePerSecond > 0) || !(burst >= 1)) return undefined;
  return { ratePerSecond, burst };
}

/** One line describing a policy, for start-up banners. */
export function describeRateLimit(policy: RatePolicy | null): string {
  if (!policy) return 'off';
  return `${policy.ratePerSecond} requests/s per integration, bursts of ${policy.burst}`;
}
