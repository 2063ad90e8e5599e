/**
 * The OpenAPI 3.1 document of the admin API under `/_octavo`, made the way /v1's is
 * (api/openapi.ts): from the route table (the admin router's registered paths and methods) and
 * the Zod schemas its handlers validate with. Only the summaries are written by hand; a served
 * route without an entry in ADMIN_ENDPOINTS fails the generation, so nothing is served
 * undocumented (test/integration/admin-openapi.test.ts). The document lists what is served: an app
 * composed without the emulator controls (some tests' harness) has none of them in it.
 */
import type { z } from 'zod';
import { Definition } from '../automations/definition.ts';
import { FaultRuleInput } from '../domain/faults.ts';
import { hoistDefs, openApiPath, type RouteEntry, servedUnder, toJsonSchema } from '../lib/openapi.ts';
import { FixtureSchema } from '../ops/fixture.ts';
import { RunAutomationBody } from './automations.routes.ts';
import { ClockBody } from './clock.routes.ts';
import { SaveSnapshotBody } from './emulator.routes.ts';
import { CreateIntegrationBody, UpdateIntegrationBody } from './integrations.schema.ts';
import { CreatePublicIntegrationBody } from './oauth.routes.ts';
import { RequestsQuery } from './requests.routes.ts';
import { ScriptRunsQuery } from './scripts.routes.ts';
import {
  CreateWebhookBody,
  DeliveriesQuery,
  ListWebhooksQuery,
  PauseWebhookBody,
  UpdateWebhookBody,
  VerifyWebhookBody,
} from './webhooks.routes.ts';
import { DeployWorkerBody, RunWorkerBody, WorkerRunsQuery } from './workers.routes.ts';

/** Where app.ts mounts the admin router. */
export const ADMIN_BASE = '/_octavo';

interface AdminEndpoint {
  summary: string;
  body?: z.ZodType;
  /** The body may be left out (every field optional). */
  bodyOptional?: boolean;
  /** The body may also be YAML (`Content-Type: application/yaml`), with the same shape. */
  yaml?: boolean;
  query?: z.ZodType;
  /** `none`: no admin token (this document only). */
  auth?: 'admin' | 'none';
}

const EMULATOR =
  'Emulator control (Octavo as a test double: seed, reset, snapshots, clock, faults, requests).';

/** Every /_octavo route, keyed `METHOD /_octavo/path` with Hono's `:param` path syntax. */
export const ADMIN_ENDPOINTS: Record<string, AdminEndpoint & { emulator?: boolean }> = {
  'GET /_octavo/openapi.json': { summary: 'This document', auth: 'none' },
  'GET /_octavo/integrations': { summary: 'List internal integrations (never their tokens)' },
  'POST /_octavo/integrations': {
    summary: 'Create an internal integration (its token is in the answer, once)',
    body: CreateIntegrationBody,
  },
  'PATCH /_octavo/integrations/:integration': {
    summary: 'Rename an integration or change its capabilities',
    body: UpdateIntegrationBody,
  },
  'POST /_octavo/integrations/:integration/revoke': { summary: "Revoke an integration's token" },
  'POST /_octavo/integrations/:integration/rotate': {
    summary: 'Issue a new token (the old one stops working); the token is in the answer, once',
  },
  'DELETE /_octavo/integrations/:integration': { summary: 'Delete an integration' },
  'GET /_octavo/public-integrations': { summary: 'List public integrations (OAuth clients)' },
  'POST /_octavo/public-integrations': {
    summary: 'Create a public integration (its client secret is in the answer, once)',
    body: CreatePublicIntegrationBody,
  },
  'POST /_octavo/public-integrations/:id/rotate-secret': {
    summary: 'Issue a new client secret (in the answer, once)',
  },
  'DELETE /_octavo/public-integrations/:id': {
    summary: "Delete a public integration, with every installation's token and shares",
  },
  'GET /_octavo/webhooks': { summary: 'List webhook subscriptions', query: ListWebhooksQuery },
  'POST /_octavo/webhooks': {
    summary: 'Create a webhook subscription (Octavo sends the verification request)',
    body: CreateWebhookBody,
  },
  'GET /_octavo/webhooks/:id': { summary: 'Retrieve a webhook subscription' },
  'PATCH /_octavo/webhooks/:id': { summary: "Change a subscription's event types", body: UpdateWebhookBody },
  'DELETE /_octavo/webhooks/:id': { summary: 'Delete a webhook subscription' },
  'POST /_octavo/webhooks/:id/verify': {
    summary: 'Verify a subscription with the token its endpoint received',
    body: VerifyWebhookBody,
  },
  'POST /_octavo/webhooks/:id/pause': {
    summary: 'Pause deliveries to a subscription',
    body: PauseWebhookBody,
    bodyOptional: true,
  },
  'POST /_octavo/webhooks/:id/resume': { summary: 'Resume a paused subscription (held deliveries go out)' },
  'GET /_octavo/webhooks/:id/deliveries': {
    summary: "A subscription's delivery log, newest first",
    query: DeliveriesQuery,
  },
  'GET /_octavo/webhook_deliveries': {
    summary: 'The delivery log of every subscription',
    query: DeliveriesQuery,
  },
  'POST /_octavo/webhook_deliveries/:id/replay': { summary: 'Send a delivery again' },
  'GET /_octavo/automations': { summary: 'List the automations' },
  'POST /_octavo/automations': {
    summary: 'Create an automation from its definition (checked when saved; errors name the field)',
    body: Definition,
  },
  'GET /_octavo/automations/:id': { summary: 'Retrieve an automation (by id or name)' },
  'POST /_octavo/automations/:id/enable': {
    summary: 'Enable an automation (it reacts to writes from now on)',
  },
  'POST /_octavo/automations/:id/disable': { summary: 'Disable an automation' },
  'DELETE /_octavo/automations/:id': { summary: 'Delete an automation' },
  'POST /_octavo/automations/:id/run': {
    summary: 'Run an automation now (manual trigger), or show what it would do with dry_run',
    body: RunAutomationBody,
    bodyOptional: true,
  },
  'GET /_octavo/automations/:id/runs': { summary: "An automation's runs, newest first" },
  'GET /_octavo/automation_runs/:id': { summary: 'Retrieve a run: trigger, steps, results, errors' },
  'POST /_octavo/automation_runs/:id/retry': { summary: 'Run a failed run again (as a new run)' },
  'GET /_octavo/script_runs': {
    summary: 'Script runs, newest first: input, output, logs, error and why it stopped',
    query: ScriptRunsQuery,
  },
  'GET /_octavo/script_runs/:id': { summary: 'Retrieve a script run' },
  'GET /_octavo/workers': { summary: 'List the deployed Notion Workers: capabilities, databases, schedules' },
  'POST /_octavo/workers': {
    summary: 'Deploy a Notion Worker from a folder on the server (build, manifest, integration, databases)',
    body: DeployWorkerBody,
  },
  'GET /_octavo/workers/:name': { summary: 'Retrieve a worker' },
  'DELETE /_octavo/workers/:name': { summary: 'Remove a worker, its runs, state and integration' },
  'POST /_octavo/workers/:name/run': {
    summary: 'Run a capability now (a sync runs a whole cycle)',
    body: RunWorkerBody,
  },
  'GET /_octavo/workers/:name/runs': { summary: "A worker's runs, newest first", query: WorkerRunsQuery },
  'GET /_octavo/worker_runs/:id': { summary: 'Retrieve a worker run: input, output, logs, error' },
  'POST /_octavo/seed': {
    summary: 'Seed the workspace from a fixture (JSON, or YAML with Content-Type application/yaml)',
    body: FixtureSchema,
    yaml: true,
    emulator: true,
  },
  'POST /_octavo/reset': { summary: 'Reset to an empty workspace', emulator: true },
  'GET /_octavo/snapshots': { summary: 'List snapshots', emulator: true },
  'POST /_octavo/snapshots': {
    summary: 'Save a snapshot of the workspace',
    body: SaveSnapshotBody,
    emulator: true,
  },
  'POST /_octavo/snapshots/:name/restore': { summary: 'Restore a snapshot', emulator: true },
  'DELETE /_octavo/snapshots/:name': { summary: 'Delete a snapshot', emulator: true },
  'GET /_octavo/clock': { summary: "The server's clock", emulator: true },
  'POST /_octavo/clock': {
    summary: 'Set, freeze, advance or release the clock',
    body: ClockBody,
    emulator: true,
  },
  'GET /_octavo/faults': { summary: 'List fault rules and how often each fired', emulator: true },
  'POST /_octavo/faults': { summary: 'Add a fault rule', body: FaultRuleInput, emulator: true },
  'DELETE /_octavo/faults': { summary: 'Clear every fault rule', emulator: true },
  'DELETE /_octavo/faults/:id': { summary: 'Remove one fault rule', emulator: true },
  'GET /_octavo/requests': {
    summary: 'The journal of recent /v1 requests, oldest first',
    query: RequestsQuery,
    emulator: true,
  },
  'DELETE /_octavo/requests': { summary: 'Empty the request journal', emulator: true },
};

const PATH_PARAMS: Record<string, string> = {
  integration: "An integration's id or name",
  id: 'An id',
  name: "A snapshot's name",
};

/** The admin routes served, from the route table (`app.routes`, or the admin router's own prefixed). */
export const servedAdminRoutes = (routes: readonly RouteEntry[]) => servedUnder(`${ADMIN_BASE}/`, routes);

/**
 * The document for the routes in `routes`. Throws when a served route has no entry in
 * ADMIN_ENDPOINTS: adding an admin route means describing it.
 */
export function adminOpenApiDocument(
  routes: readonly RouteEntry[],
  info: { version: string; serverUrl: string },
): object {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = { Error: ERROR_SCHEMA };
  // By path, then method: the document reads like the table in README.
  const byPath = (key: string) => `${key.split(' ')[1]} ${key.split(' ')[0]}`;
  const keys = servedAdminRoutes(routes).sort((a, b) => byPath(a).localeCompare(byPath(b)));
  for (const key of keys) {
    const endpoint = ADMIN_ENDPOINTS[key];
    if (!endpoint) throw new Error(`route ${key} has no entry in admin/openapi.ts ADMIN_ENDPOINTS`);
    const [method, path] = key.split(' ') as [string, string];
    const label = key.replace(/[^A-Za-z0-9]+/g, '_');
    const operation: Record<string, unknown> = { summary: endpoint.summary, responses: RESPONSES };
    if (endpoint.emulator) operation.description = EMULATOR;
    const parameters: object[] = [...path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string', description: PATH_PARAMS[m[1]!] ?? 'An id' },
    }));
    if (endpoint.query) {
      const schema = toJsonSchema(endpoint.query) as {
        properties?: Record<string, object>;
        required?: string[];
      };
      for (const [name, s] of Object.entries(schema.properties ?? {})) {
        parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: s });
      }
    }
    if (parameters.length > 0) operation.parameters = parameters;
    if (endpoint.auth === 'none') {
      operation.security = [];
      operation.responses = { '200': { description: 'This OpenAPI document' } };
    }
    if (endpoint.body) {
      const schema = hoistDefs(toJsonSchema(endpoint.body), label, schemas);
      operation.requestBody = {
        required: !endpoint.bodyOptional,
        content: {
          'application/json': { schema },
          ...(endpoint.yaml ? { 'application/yaml': { schema } } : {}),
        },
      };
    }
    paths[openApiPath(path)] ??= {};
    paths[openApiPath(path)]![method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Octavo admin API',
      version: info.version,
      description:
        "Managing an Octavo server: integrations, public integrations (OAuth clients), webhooks and, on a test double, the emulator controls. Authenticated with the admin token (`oat_…`, printed by `octavo serve` at first start and by `octavo admin token`). Errors use Notion's error envelope. Generated from the route table and the request schemas the server validates with.",
    },
    servers: [{ url: info.serverUrl }],
    security: [{ adminToken: [] }],
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin token, `oat_…` (not an integration token)',
        },
      },
      schemas,
    },
    paths,
  };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['object', 'status', 'code', 'message'],
  properties: {
    object: { const: 'error' },
    status: { type: 'integer' },
    code: { type: 'string' },
    message: { type: 'string' },
    request_id: { type: 'string' },
  },
};
const ERROR = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const RESPONSES = {
  '200': { description: 'The object, or a list (`object` names which)' },
  '400': { description: 'validation_error, invalid_json, invalid_request_url', ...ERROR },
  '401': { description: 'unauthorized: no admin token, or not the current one', ...ERROR },
  '404': { description: 'object_not_found', ...ERROR },
  '409': { description: 'conflict_error', ...ERROR },
};
