/**
 * Rate limiting as Notion describes it: an average of N requests per second per integration,
 * with bursts allowed. A token bucket: `decide` is pure; the limiter keeps buckets in memory.
 */
export interface Bucket {
  tokens: number;
  updatedMs: number;
}

export interface RatePolicy {
  /** Sustained requests per second. */
  ratePerSecond: number;
  /** Requests that may arrive at once. */
  burst: number;
}

/** Notion's published rule: about 3 requests per second on average, some bursting allowed. */
export const NOTION_RATE: RatePolicy = { ratePerSecond: 3, burst: 30 };

export type Decision =
  | { allowed: true; bucket: Bucket }
  | { allowed: false; bucket: Bucket; retryAfterSeconds: number };

/** Refills the bucket for the elapsed time, then spends one token if there is one. */
export function decide(policy: RatePolicy, bucket: Bucket | undefined, nowMs: number): Decision {
  const prev = bucket ?? { tokens: policy.burst, updatedMs: nowMs };
  const elapsed = Math.max(0, nowMs - prev.updatedMs) / 1000;
  const tokens = Math.min(policy.burst, prev.tokens + elapsed * policy.ratePerSecond);
  if (tokens >= 1) return { allowed: true, bucket: { tokens: tokens - 1, updatedMs: nowMs } };
  const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / policy.ratePerSecond));
  return { allowed: false, bucket: { tokens, updatedMs: nowMs }, retryAfterSeconds };
}

export interface RateLimiter {
  /** Returns 0 when allowed, otherwise the seconds to wait. */
  take(key: string): Promise<number>;
}

/** Buckets in process memory: right for one node. */
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

/** Parses `--rate-limit notion|off|<requests per second>`. */
export function parseRateLimit(value: string): RatePolicy | null {
  if (value === 'off') return null;
  if (value === 'notion') return NOTION_RATE;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--rate-limit must be notion, off or a positive number, not ${value}`);
  return { ratePerSecond: n, burst: Math.max(1, Math.ceil(n * 10)) };
}
