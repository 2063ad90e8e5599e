/*
 * The browser app's platform routes under /app/api (web/webhooks.routes.ts,
 * automations.routes.ts, emulator.routes.ts) over real HTTP on both engines: what they refuse,
 * with Notion's errors, changing nothing (as the admin API then shows): no session or no CSRF
 * header, bad webhook input, a run_script automation, and the emulator controls on a server
 * that has not turned them on for the browser (the request journal is still readable).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { QUICKSTART_INTEGRATION } from '../../src/ops/workspace.ts';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { newAdmin, newPerson } from '../helpers/oauth.ts';
import { signedInJar } from '../helpers/web-suite.ts';

describeEngines('/app/api platform routes: refusals', (engine) => {
  let server: RunningServer;
  const schema = `octavo_platapi_${process.pid}_${Date.now().toString(36)}`;
  const admin = async (path: string) => {
    const res = await fetch(`${server.url}/_octavo${path}`, {
      headers: { authorization: `Bearer ${server.boot.created!.adminToken}` },
    });
    return (await res.json()) as { results: { name?: string; url?: string }[] };
  };

  beforeAll(async () => {
    const env: Record<string, string> = { OCTAVO_JOBS: 'off' };
    if (engine === 'postgres') Object.assign(env, { DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema });
    server = await startServer(loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off' }, env));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
  });

  it('refuses a request without a session or without the CSRF header, creating nothing', async () => {
    const who = await newPerson({ store: server.store });
    const { jar } = await signedInJar(server.url, who);
    const body = JSON.stringify({ integration_id: QUICKSTART_INTEGRATION, url: 'https://example.com/h' });
    for (const res of [
      await fetch(`${server.url}/app/api/webhooks`, { method: 'POST', body }),
      await jar.fetch('/app/api/webhooks', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      }),
    ]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ object: 'error', code: 'unauthorized' });
    }
    expect((await admin('/webhooks')).results).toEqual([]);
  });

  it('answers validation errors for bad webhook input and a run_script automation, changing nothing', async () => {
    const who = await newAdmin({ store: server.store });
    const me = await signedInJar(server.url, who);
    const ints = await me.call<{ results: { id: string; name: string }[] }>('GET', '/app/api/integrations');
    const quick = ints.json.results.find((i) => i.name === QUICKSTART_INTEGRATION)!;

    const badType = await me.call<{ code: string; message: string }>('POST', '/app/api/webhooks', {
      integration_id: quick.id,
      url: 'https://example.com/h',
      event_types: ['page.exploded'],
    });
    expect(badType.status).toBe(400);
    expect(badType.json.code).toBe('validation_error');
    expect(badType.json.message).toContain('page.exploded');
    const badUrl = await me.call<{ code: string }>('POST', '/app/api/webhooks', {
      integration_id: quick.id,
      url: 'ftp://example.com/h',
    });
    expect(badUrl.json.code).toBe('validation_error');
    expect((await admin('/webhooks')).results).toEqual([]);

    const script = await me.call<{ code: string; message: string }>('POST', '/app/api/automations', {
      name: 'Sneaky',
      trigger: { type: 'manual' },
      actions: [{ type: 'run_script', file: '/tmp/anything.js' }],
    });
    expect(script.status).toBe(400);
    expect(script.json.code).toBe('validation_error');
    expect(script.json.message).toContain('run_script');
    expect((await admin('/automations')).results).toEqual([]);
    const after = await me.call<{ results: { name: string }[] }>('GET', '/app/api/integrations');
    expect(after.json.results.map((i) => i.name)).not.toContain('automation: Sneaky');

    const unknown = await me.call<{ code: string }>('GET', '/app/api/nothing-here');
    expect(unknown.status).toBe(400);
    expect(unknown.json.code).toBe('invalid_request_url');
  });

  it('keeps the emulator controls off unless the server turns them on; the journal stays readable', async () => {
    const who = await newAdmin({ store: server.store });
    const me = await signedInJar(server.url, who);
    const state = await me.call<{ controls: boolean; snapshots: unknown[] }>('GET', '/app/api/emulator');
    expect(state.json).toMatchObject({ controls: false, snapshots: [] });

    for (const [method, path, body] of [
      ['POST', '/app/api/emulator/snapshots', { name: 'nope' }],
      ['POST', '/app/api/emulator/faults', { status: 503 }],
      ['POST', '/app/api/emulator/clock', { advance: '1d' }],
      ['DELETE', '/app/api/emulator/requests', undefined],
    ] as const) {
      const res = await me.call<{ code: string }>(method, path, body);
      expect(res.status).toBe(403);
      expect(res.json.code).toBe('restricted_resource');
    }
    expect((await admin('/snapshots')).results).toEqual([]);
    expect((await admin('/faults')).results).toEqual([]);
    const clock = (await admin('/clock')) as unknown as { time: string };
    expect(Math.abs(Date.parse(clock.time) - Date.now())).toBeLessThan(60_000);

    await fetch(`${server.url}/v1/pages/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${server.boot.created!.token}`, 'notion-version': '2025-09-03' },
    });
    const journal = await me.call<{ results: { status: number; integration: { name: string } | null }[] }>(
      'GET',
      `/app/api/requests?status=404&integration=${encodeURIComponent(QUICKSTART_INTEGRATION)}`,
    );
    expect(journal.status).toBe(200);
    expect(journal.json.results.length).toBeGreaterThan(0);
    for (const e of journal.json.results) {
      expect(e.status).toBe(404);
      expect(e.integration?.name).toBe(QUICKSTART_INTEGRATION);
    }
    const bad = await me.call<{ code: string }>('GET', '/app/api/requests?status=teapot');
    expect(bad.json.code).toBe('validation_error');
  });
});
