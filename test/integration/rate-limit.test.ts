import { APIResponseError } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import {
  type Bucket,
  decide,
  memoryRateLimiter,
  NOTION_RATE,
  parseRateLimit,
  type RatePolicy,
} from '../../src/domain/rate-limit.ts';
import { storeRateLimiter } from '../../src/ops/rate-limit.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

/** Runs `n` decisions at `nowMs`, threading the bucket through; returns the allowed count. */
function spend(policy: RatePolicy, bucket: Bucket | undefined, nowMs: number, n: number) {
  let allowed = 0;
  let b = bucket;
  for (let i = 0; i < n; i++) {
    const d = decide(policy, b, nowMs);
    b = d.bucket;
    if (d.allowed) allowed++;
  }
  return { allowed, bucket: b! };
}

describe('decide()', () => {
  const policy: RatePolicy = { ratePerSecond: 3, burst: 5 };

  it('allows a burst of `burst` requests at once, then refuses', () => {
    const { allowed, bucket } = spend(policy, undefined, 0, 8);
    expect(allowed).toBe(5);
    expect(bucket.tokens).toBeLessThan(1);
  });

  it('refills at the sustained rate', () => {
    const { bucket } = spend(policy, undefined, 0, 5);
    expect(decide(policy, bucket, 300).allowed).toBe(false);
    expect(decide(policy, bucket, 334).allowed).toBe(true);
    expect(spend(policy, bucket, 1000, 5).allowed).toBe(3);
  });

  it('never holds more than `burst` tokens after a long idle time', () => {
    const { bucket } = spend(policy, undefined, 0, 5);
    expect(spend(policy, bucket, 3_600_000, 10).allowed).toBe(5);
  });

  it('answers Retry-After in whole seconds until one token is back, at least 1', () => {
    const { bucket } = spend(policy, undefined, 0, 5);
    const d = decide(policy, bucket, 0);
    expect(d).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    const slow: RatePolicy = { ratePerSecond: 0.25, burst: 1 };
    const empty = spend(slow, undefined, 0, 1).bucket;
    expect(decide(slow, empty, 0)).toMatchObject({ allowed: false, retryAfterSeconds: 4 });
    expect(decide(slow, empty, 2000)).toMatchObject({ allowed: false, retryAfterSeconds: 2 });
    expect(decide(slow, empty, 3999)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(decide(slow, empty, 4000).allowed).toBe(true);
  });

  it('does not spend a token on a refused request', () => {
    const { bucket } = spend(policy, undefined, 0, 5);
    const refused = spend(policy, bucket, 0, 100).bucket;
    expect(refused.tokens).toBeCloseTo(bucket.tokens);
  });

  it('tolerates a clock that goes backwards', () => {
    const { bucket } = spend(policy, undefined, 10_000, 5);
    expect(decide(policy, bucket, 9_000).allowed).toBe(false);
  });
});

describe('memoryRateLimiter', () => {
  it('keeps one bucket per key', async () => {
    const limiter = memoryRateLimiter({ ratePerSecond: 1, burst: 1 }, () => 0);
    expect(await limiter.take('a')).toBe(0);
    expect(await limiter.take('a')).toBe(1);
    expect(await limiter.take('b')).toBe(0);
  });
});

describe('--rate-limit', () => {
  it('parses notion, off, a rate and a rate with a burst', () => {
    expect(parseRateLimit('notion')).toEqual(NOTION_RATE);
    expect(NOTION_RATE.ratePerSecond).toBe(3);
    expect(parseRateLimit('off')).toBeNull();
    expect(parseRateLimit('10')).toEqual({ ratePerSecond: 10, burst: 100 });
    expect(parseRateLimit('0.5')).toEqual({ ratePerSecond: 0.5, burst: 5 });
    expect(parseRateLimit('2:2')).toEqual({ ratePerSecond: 2, burst: 2 });
  });

  it.each(['bogus', '0', '-1', '2:0', '2:', ':3', '1e3', ''])('refuses %j', (value) => {
    expect(parseRateLimit(value)).toBeUndefined();
  });

  it('comes from the flag, else OCTAVO_RATE_LIMIT, else notion', () => {
    expect(loadConfig({ 'rate-limit': 'off' }, { OCTAVO_RATE_LIMIT: '5' }).rateLimit).toBeNull();
    expect(loadConfig({}, { OCTAVO_RATE_LIMIT: '5' }).rateLimit).toEqual({ ratePerSecond: 5, burst: 50 });
    expect(loadConfig({}, {}).rateLimit).toEqual(NOTION_RATE);
  });

  it('is a one-line ConfigError naming the flag when invalid', () => {
    expect(() => loadConfig({ 'rate-limit': 'bogus' }, {})).toThrow(ConfigError);
    expect(() => loadConfig({ 'rate-limit': 'bogus' }, {})).toThrow(/^--rate-limit must be .* not bogus$/);
    expect(() => loadConfig({}, { OCTAVO_RATE_LIMIT: 'x' })).toThrow(/^OCTAVO_RATE_LIMIT must be/);
  });
});

describeEngines('rate limiting over HTTP', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine, { rateLimit: { ratePerSecond: 2, burst: 2 } });
  });
  afterAll(() => h.close());

  /** Sleeps long enough for the 2-request bucket to be full again. */
  const refill = () => new Promise((r) => setTimeout(r, 1100));

  it('answers 429 rate_limited with an integer Retry-After and Notion’s error body', async () => {
    await refill();
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await h.request('/v1/users/me')).status);
    expect(statuses).toEqual([200, 200]);
    const res = await h.request('/v1/users/me');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toEqual({
      object: 'error',
      status: 429,
      code: 'rate_limited',
      message: 'You have been rate limited. Please try again in a few minutes.',
      request_id: res.headers.get('x-notion-request-id'),
      additional_data: { rate_limit_reason: expect.any(String) },
    });
  });

  it('is an APIResponseError with code rate_limited for the SDK when it does not retry', async () => {
    await refill();
    const client = h.client({ retries: 0 });
    // The burst is 2; calls go on until one is refused (on a loaded machine a token may refill
    // between two calls, so the refusal can come a call later than the third).
    let err: unknown;
    for (let i = 0; i < 20 && err === undefined; i++) {
      err = await client.users.me({}).then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    expect(err).toBeInstanceOf(APIResponseError);
    expect((err as APIResponseError).code).toBe('rate_limited');
    expect((err as APIResponseError).status).toBe(429);
  });

  it('limits each integration separately', async () => {
    await refill();
    const other = await h.newIntegration(`Other ${engine}`);
    for (let i = 0; i < 3; i++) await h.request('/v1/users/me');
    expect((await h.request('/v1/users/me')).status).toBe(429);
    expect((await h.request('/v1/users/me', { token: other })).status).toBe(200);
    expect((await h.request('/v1/users/me', { token: other })).status).toBe(200);
  });

  it('does not count requests with an invalid token against anybody', async () => {
    await refill();
    for (let i = 0; i < 5; i++)
      expect((await h.request('/v1/users/me', { token: 'ntn_nope' })).status).toBe(401);
    expect((await h.request('/v1/users/me')).status).toBe(200);
  });

  it('lets the SDK’s built-in retry (honouring Retry-After) get a burst through', async () => {
    await refill();
    const client = h.client();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 6 }, () => client.users.me({})));
    const elapsed = Date.now() - started;
    expect(results.every((u) => u.type === 'bot')).toBe(true);
    // 2 at once, 2 after Retry-After (1 s), 2 after another second.
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(6000);
  });
});

describeEngines('rate limiting off', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('never answers 429', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 60 }, async () => (await h.request('/v1/users/me')).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describeEngines('rate limits shared through the database (OCTAVO_RATE_LIMIT_STORE=database)', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('spends one budget per integration whichever node the request reaches', async () => {
    let now = 1_000_000;
    const policy = { ratePerSecond: 2, burst: 3 };
    const [nodeA, nodeB] = [
      storeRateLimiter(h.store, policy, () => now),
      storeRateLimiter(h.store, policy, () => now),
    ];
    expect([await nodeA.take('i1'), await nodeA.take('i1'), await nodeB.take('i1')]).toEqual([0, 0, 0]);
    expect(await nodeB.take('i1')).toBe(1);
    expect(await nodeA.take('i1')).toBe(1);
    expect(await nodeA.take('i2')).toBe(0);
    now += 500;
    expect(await nodeB.take('i1')).toBe(0);
    expect(await nodeA.take('i1')).toBe(1);
  });

  it('lets exactly the burst through when requests race on several nodes', async () => {
    const policy = { ratePerSecond: 0.001, burst: 10 };
    const nodes = [storeRateLimiter(h.store, policy), storeRateLimiter(h.store, policy)];
    const waits = await Promise.all(Array.from({ length: 30 }, (_, i) => nodes[i % 2]!.take('race')));
    expect(waits.filter((w) => w === 0)).toHaveLength(10);
  });

  it('is chosen with OCTAVO_RATE_LIMIT_STORE, memory by default', () => {
    expect(loadConfig({}, {}).rateLimitStore).toBe('memory');
    expect(loadConfig({}, { OCTAVO_RATE_LIMIT_STORE: 'database' }).rateLimitStore).toBe('database');
    expect(() => loadConfig({}, { OCTAVO_RATE_LIMIT_STORE: 'redis' })).toThrow(
      /^OCTAVO_RATE_LIMIT_STORE must be memory or database, not redis$/,
    );
  });
});
