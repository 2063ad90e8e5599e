/**
 * Fault injection, checked by count, with the official SDK's own retries: 429 and 529 are retried
 * for every method (waiting Retry-After), 500 and 503 only for GET and DELETE, 502, 504 and a
 * dropped connection not at all (@notionhq/client's Client.canRetry). In process through the
 * test helper on both engines, and over real HTTP with rules from OCTAVO_FAULTS.
 */
import { APIErrorCode, Client, isNotionClientError } from '@notionhq/client';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import type { OctavoTest } from '../../src/testing/index.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { FIXTURE_YAML, IDS, startFor, TOKEN_A, TOKEN_B } from './fixture.ts';

/** Retries without the SDK's one-second back-off, so a test waits milliseconds. */
const FAST = { maxRetries: 2, initialRetryDelayMs: 5, maxRetryDelayMs: 20 };

describeEngines('fault injection', (engine) => {
  let octavo: OctavoTest;
  beforeAll(async () => {
    octavo = await startFor(engine, { fixture: FIXTURE_YAML });
  });
  afterAll(() => octavo.close());
  beforeEach(async () => {
    await octavo.admin('/faults', { method: 'DELETE' });
  });

  async function addRule(rule: object) {
    const res = await octavo.admin('/faults', { body: rule });
    expect(res.status).toBe(200);
    return (await res.json()) as { id: string; fired: number };
  }
  async function fired(id: string) {
    const list = (await (await octavo.admin('/faults')).json()) as {
      results: { id: string; fired: number }[];
    };
    return list.results.find((r) => r.id === id)?.fired;
  }

  it('the SDK recovers from 429 with Retry-After, on a write too', async () => {
    const rule = await addRule({ route: '/v1/pages', method: 'POST', status: 429, retry_after: 0, count: 2 });
    const notion = octavo.client({ retry: FAST });
    const page = await notion.pages.create({
      parent: { page_id: IDS.home },
      properties: { title: { title: [{ text: { content: 'after two 429s' } }] } },
    });
    expect(page.object).toBe('page');
    expect(await fired(rule.id)).toBe(2);
    // Exactly one page was made: the refused attempts changed nothing.
    const children = await notion.blocks.children.list({ block_id: IDS.home });
    expect(
      children.results.filter((b) => 'child_page' in b && b.child_page.title === 'after two 429s'),
    ).toHaveLength(1);
  });

  it('answers in Notion error shapes with Retry-After, counted per rule', async () => {
    await addRule({ route: '/v1/users/me', status: 429, retry_after: 7, count: 1 });
    const res = await octavo.fetch(`${octavo.baseUrl}/v1/users/me`, {
      headers: { authorization: `Bearer ${TOKEN_A}`, 'notion-version': '2025-09-03' },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'message', 'object', 'request_id', 'status']);
    expect(body).toMatchObject({ object: 'error', status: 429, code: 'rate_limited' });
    for (const [status, code] of [
      [500, 'internal_server_error'],
      // Not a code the SDK knows (Notion's edge answers 502 without its envelope): a response error.
      [502, 'notionhq_client_response_error'],
      [503, 'service_unavailable'],
      [504, 'gateway_timeout'],
      [529, 'service_overload'],
    ] as const) {
      await octavo.admin('/faults', { method: 'DELETE' });
      await addRule({ status, count: 1 });
      const err = await octavo
        .client({ retries: 0 })
        .users.me({})
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ status, code });
    }
  });

  it('the SDK retries 500 and 503 on GET but not on POST, and 529 on both', async () => {
    const notion = octavo.client({ retry: FAST });
    const get = await addRule({ method: 'GET', route: '/v1/pages/*', status: 503, count: 2 });
    expect((await notion.pages.retrieve({ page_id: IDS.home })).id).toBe(IDS.home);
    expect(await fired(get.id)).toBe(2);

    const post = await addRule({ method: 'POST', route: '/v1/search', status: 500, count: 1 });
    await expect(notion.search({})).rejects.toMatchObject({ code: APIErrorCode.InternalServerError });
    expect(await fired(post.id)).toBe(1);

    const overload = await addRule({
      method: 'POST',
      route: '/v1/search',
      status: 529,
      retry_after: 0,
      count: 2,
    });
    expect((await notion.search({})).object).toBe('list');
    expect(await fired(overload.id)).toBe(2);
  });

  it('gives up after the SDK’s retries when the fault persists, and 502/504 are not retried', async () => {
    const rule = await addRule({ route: '/v1/users/me', status: 429, retry_after: 0 });
    await expect(octavo.client({ retry: FAST }).users.me({})).rejects.toMatchObject({ code: 'rate_limited' });
    expect(await fired(rule.id)).toBe(3); // the first attempt and two retries
    await octavo.admin('/faults', { method: 'DELETE' });
    const gw = await addRule({ method: 'GET', status: 504, count: 5 });
    await expect(octavo.client({ retry: FAST }).users.me({})).rejects.toMatchObject({ status: 504 });
    expect(await fired(gw.id)).toBe(1);
  });

  it('matches by integration and by probability', async () => {
    const rule = await addRule({ integration: 'Tests B', status: 503 });
    expect((await octavo.client({ token: TOKEN_A, retries: 0 }).users.me({})).object).toBe('user');
    await expect(octavo.client({ token: TOKEN_B, retries: 0 }).users.me({})).rejects.toMatchObject({
      status: 503,
    });
    expect(await fired(rule.id)).toBe(1);
    await octavo.admin('/faults', { method: 'DELETE' });

    const never = await addRule({ probability: 0, status: 500 });
    const half = await addRule({ probability: 0.5, status: 503 });
    const notion = octavo.client({ retries: 0 });
    let failures = 0;
    for (let i = 0; i < 200; i++) await notion.users.me({}).catch(() => failures++);
    expect(await fired(never.id)).toBe(0);
    expect(await fired(half.id)).toBe(failures);
    expect(failures).toBeGreaterThan(60);
    expect(failures).toBeLessThan(140);
  });

  it('adds latency and drops connections; the journal names the rule', async () => {
    const slow = await addRule({ route: '/v1/users/me', latency_ms: 150, count: 1 });
    const t0 = performance.now();
    expect((await octavo.client().users.me({})).object).toBe('user');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    expect(await fired(slow.id)).toBe(1);

    const drop = await addRule({ route: '/v1/users/me', drop: true, count: 1 });
    const err = await octavo
      .client({ retry: FAST })
      .users.me({})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError); // not a Notion error: the SDK does not retry it
    expect(isNotionClientError(err)).toBe(false);
    expect(await fired(drop.id)).toBe(1);
    const journal = (await (await octavo.admin(`/requests?limit=2`)).json()) as {
      results: { fault: string | null; latency_ms: number }[];
    };
    expect(journal.results.map((e) => e.fault)).toEqual([slow.id, drop.id]);
  });

  it('refuses a malformed rule with a validation_error naming the field, adding nothing', async () => {
    for (const bad of [{ status: 418 }, { status: 500, drop: true }, { route: 'pages', status: 500 }, {}]) {
      const res = await octavo.admin('/faults', { body: bad });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'validation_error' });
    }
    const list = (await (await octavo.admin('/faults')).json()) as { results: unknown[] };
    expect(list.results).toEqual([]);
    const gone = await octavo.admin('/faults/f999', { method: 'DELETE' });
    expect(gone.status).toBe(404);
  });
});

describeEngines('fault rules from configuration, over HTTP', (engine) => {
  let server: RunningServer;
  const schema = `octavo_faults_${process.pid}_${Date.now().toString(36)}`;
  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = {
      OCTAVO_FAULTS: JSON.stringify([
        { route: '/v1/users/me', status: 429, retry_after: 0, count: 2 },
        { route: '/v1/users', drop: true, count: 1 },
      ]),
    };
    if (engine === 'postgres') {
      env.DATABASE_URL = PG_URL;
      env.OCTAVO_PG_SCHEMA = schema;
    }
    const config = loadConfig(
      engine === 'sqlite'
        ? { memory: true, port: '0', 'rate-limit': 'off' }
        : { port: '0', 'rate-limit': 'off' },
      env,
    );
    server = await startServer(config);
  });
  afterAll(async () => {
    await server.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
  });

  it('the SDK recovers from the configured 429s; a dropped connection reaches it as a network error', async () => {
    const notion = new Client({
      auth: server.boot.created!.token,
      baseUrl: server.url,
      retry: FAST,
      logLevel: 'error' as never,
    });
    expect((await notion.users.me({})).object).toBe('user');
    await expect(notion.users.list({})).rejects.toThrow(/fetch failed|other side closed|socket/i);
    expect((await notion.users.list({})).object).toBe('list');
    expect(server.emulator.faults.rules.map((r) => r.fired)).toEqual([2, 1]);
  });
});
