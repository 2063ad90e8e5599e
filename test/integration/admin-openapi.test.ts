/**
 * GET /_octavo/openapi.json: the admin API's document, made from the route table and the request
 * schemas; checked both ways against what is served (every route documented, every documented
 * path answered with the admin token), with and without the emulator controls.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENDPOINTS, servedAdminRoutes } from '../../src/admin/openapi.ts';
import { issueAdminToken } from '../../src/ops/admin-token.ts';
import { createEmulator } from '../../src/ops/emulator.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

type Operation = {
  summary: string;
  requestBody?: { required: boolean; content: Record<string, { schema: object }> };
  parameters?: { name?: string; in?: string }[];
  security?: unknown[];
};
type Doc = {
  openapi: string;
  info: { version: string };
  servers: { url: string }[];
  security: unknown[];
  components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: object };
  paths: Record<string, Record<string, Operation>>;
};

const operations = (d: Doc) =>
  Object.entries(d.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );

describe('GET /_octavo/openapi.json on a test double (emulator controls served)', () => {
  let h: Harness;
  let admin: string;
  let doc: Doc;
  beforeAll(async () => {
    h = await startHarness('sqlite', { emulator: createEmulator() });
    admin = await h.store.transaction((tx) => issueAdminToken(tx));
    const res = await h.request('/_octavo/openapi.json', { version: null, token: null });
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });
  afterAll(() => h.close());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await h.request(path, {
      method,
      version: null,
      token: admin,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { code?: string } };
  };

  it('is served without a token, and the same with the admin token or an integration token', async () => {
    for (const token of [admin, h.token]) {
      const res = await h.request('/_octavo/openapi.json', { version: null, token });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(doc);
    }
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.security).toEqual([{ adminToken: [] }]);
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/_octavo/openapi.json']!.get!.security).toEqual([]);
    // Everything else still needs the admin token.
    const refused = await h.request('/_octavo/integrations', { version: null, token: h.token });
    expect(refused.status).toBe(401);
  });

  it('lists every /_octavo route the server serves, and nothing else', () => {
    const served = servedAdminRoutes(h.app.routes);
    expect(served.length).toBeGreaterThan(30);
    expect(operations(doc).sort()).toEqual([...served].sort());
    // The table names no route that is not served (this server serves all of them).
    expect(Object.keys(ADMIN_ENDPOINTS).sort()).toEqual([...served].sort());
    for (const op of ['POST /_octavo/seed', 'POST /_octavo/webhooks', 'POST /_octavo/public-integrations']) {
      expect(operations(doc)).toContain(op);
    }
    // /v1's document does not take in the admin routes, nor this one /v1's.
    expect(operations(doc).every((op) => op.split(' ')[1]!.startsWith('/_octavo/'))).toBe(true);
  });

  it('answers every documented path with the admin token (real ids in the path), never 404', async () => {
    let n = 0;
    /** Fresh objects for the path's ids: an operation before may have deleted or reset them. */
    const ids = async () => {
      n++;
      const integration = `Doc ${n}`;
      expect((await call('POST', '/_octavo/integrations', { name: integration })).status).toBe(200);
      const client = await call('POST', '/_octavo/public-integrations', {
        name: `Client ${n}`,
        redirect_uris: ['https://example.com/callback'],
      });
      const hook = await call('POST', '/_octavo/webhooks', { integration, url: 'https://example.com/hook' });
      expect(hook.status).toBe(200);
      const deliveries = await call('GET', `/_octavo/webhooks/${hook.body.id}/deliveries`);
      const [delivery] = deliveries.body.results as { id: string }[];
      const fault = await call('POST', '/_octavo/faults', { route: '/v1/nowhere', status: 503 });
      const snapshot = `doc_${n}`;
      const saved = await call('POST', '/_octavo/snapshots', { name: snapshot });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      const automation = `Auto ${n}`;
      const defined = await call('POST', '/_octavo/automations', {
        name: automation,
        trigger: { type: 'manual' },
        actions: [{ type: 'http_request', url: 'http://127.0.0.1:9/none' }],
      });
      expect(defined.status, JSON.stringify(defined.body)).toBe(200);
      const run = await call('POST', `/_octavo/automations/${encodeURIComponent(automation)}/run`, {
        dry_run: true,
      });
      expect(run.status, JSON.stringify(run.body)).toBe(200);
      // A script run as `octavo script run` records one (running a script is its own suite's).
      const scriptRun = `script-run-${n}`;
      await h.store.transaction((tx) =>
        tx.scripts.insertRun({
          id: scriptRun,
          script_name: 'doc',
          file: '/nowhere/doc.mjs',
          started_by: 'cli',
          status: 'succeeded',
          input: '{}',
          output: 'null',
          logs: '[]',
          error: null,
          reason: null,
          started_time: new Date().toISOString(),
          finished_time: new Date().toISOString(),
          duration_ms: 1,
        }),
      );
      return {
        automation,
        scriptRun,
        run: run.body.id as string,
        integration,
        client: client.body.id,
        hook: hook.body.id,
        delivery: delivery!.id,
        fault: fault.body.id,
        snapshot,
      };
    };
    for (const op of operations(doc)) {
      const [method, template] = op.split(' ') as [string, string];
      const made = await ids();
      const path = template
        .replace(':integration', encodeURIComponent(made.integration))
        .replace(':name', made.snapshot)
        .replace(/^\/_octavo\/webhooks\/:id/, `/_octavo/webhooks/${made.hook}`)
        .replace(/^\/_octavo\/webhook_deliveries\/:id/, `/_octavo/webhook_deliveries/${made.delivery}`)
        .replace(/^\/_octavo\/public-integrations\/:id/, `/_octavo/public-integrations/${made.client}`)
        .replace(/^\/_octavo\/faults\/:id/, `/_octavo/faults/${made.fault}`)
        .replace(
          /^\/_octavo\/automations\/:id/,
          `/_octavo/automations/${encodeURIComponent(made.automation)}`,
        )
        .replace(/^\/_octavo\/automation_runs\/:id/, `/_octavo/automation_runs/${made.run}`)
        .replace(/^\/_octavo\/script_runs\/:id/, `/_octavo/script_runs/${made.scriptRun}`)
        .replace(/^\/_octavo\/worker_runs\/:id/, '/_octavo/worker_runs/none');
      expect(path, op).not.toContain(':');
      const res = await call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect.soft(res.status, `${op}: ${JSON.stringify(res.body)}`).not.toBe(404);
      expect.soft(res.status, op).not.toBe(401);
    }
    // And a path that is not documented is invalid_request_url.
    const unknown = await call('GET', '/_octavo/nothing-here');
    expect(unknown.body.code).toBe('invalid_request_url');
  });

  it('gives each request body a JSON Schema that accepts what the server accepts', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const compile = (path: string, method: string) => {
      const schema = doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
      expect(schema, `${method} ${path}`).toBeDefined();
      // References point into the document's components (a recursive fixture page).
      return ajv.compile({ ...schema, components: doc.components });
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.requestBody) compile(path, method);
      }
    }
    const createIntegration = compile('/_octavo/integrations', 'post');
    expect(createIntegration({ name: 'A', capabilities: ['read_content'] })).toBe(true);
    expect(createIntegration({ name: 'A', capabilities: ['fly'] })).toBe(false);
    const seed = compile('/_octavo/seed', 'post');
    const fixture = {
      version: 1,
      integrations: [{ name: 'Seeded', token: 'ntn_abcdefghijklmnopqrstuv' }],
      pages: [
        {
          title: 'Home',
          shared_with: ['Seeded'],
          pages: [{ title: 'Nested', pages: [{ title: 'Deeper' }] }],
        },
      ],
    };
    expect(seed(fixture)).toBe(true);
    expect(seed({ ...fixture, pages: [{ title: 'Home', pages: [{ title: 'x', surprise: 1 }] }] })).toBe(
      false,
    );
    // What the schema accepts, the server seeds.
    const seeded = await call('POST', '/_octavo/seed', fixture);
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(200);
    const faults = compile('/_octavo/faults', 'post');
    expect(faults({ route: '/v1/pages/*', status: 429, retry_after: 1 })).toBe(true);
    expect(faults({ route: 'no-slash', status: 429 })).toBe(false);
    const requests = doc.paths['/_octavo/requests']!.get!.parameters!.map((p) => p.name);
    expect(doc.paths['/_octavo/webhooks/{id}/pause']!.post!.requestBody).toMatchObject({ required: false });
    expect(requests.sort()).toEqual(['after', 'integration', 'limit', 'status']);
  });
});

describe('GET /_octavo/openapi.json on a server without the emulator controls', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(() => h.close());

  it('documents only what is served: no seed, reset, snapshots, clock, faults or requests', async () => {
    const res = await h.request('/_octavo/openapi.json', { version: null, token: null });
    const doc = (await res.json()) as Doc;
    const served = servedAdminRoutes(h.app.routes);
    expect(operations(doc).sort()).toEqual([...served].sort());
    expect(operations(doc)).toContain('GET /_octavo/integrations');
    expect(operations(doc).filter((op) => /seed|reset|snapshots|clock|faults|requests/.test(op))).toEqual([]);
  });
});
