/**
 * A rate limiter whose buckets live in the database, so that several nodes of one deployment
 * share each integration's limit. The arithmetic is `decide`'s, as in the memory limiter; the
 * bucket row is locked for the length of one short transaction.
 */
import { decide, type RateLimiter, type RatePolicy } from '../domain/rate-limit.ts';
import type { Store } from '../store/store.ts';

export function storeRateLimiter(
  store: Store,
  policy: RatePolicy,
  now: () => number = Date.now,
): RateLimiter {
  return {
    take: (key) =>
      store.transaction(async (tx) => {
        const at = now();
        const bucket = await tx.rateBuckets.claim(key, { tokens: policy.burst, updatedMs: at });
        const d = decide(policy, bucket, at);
        await tx.rateBuckets.put(key, d.bucket);
        return d.allowed ? 0 : d.retryAfterSeconds;
      }),
  };
}
