/**
 * The layer check: imports inside src/ must follow the arrows of docs/ARCHITECTURE.md.
 * Run by `npm test`; prints each violation and exits 1 when there is one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', 'src');

/** Which layers each layer may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  lib: [],
  wire: ['lib', 'wire/names'],
  domain: ['wire', 'lib'],
  query: ['domain', 'wire', 'lib'],
  // The store records events at commit with events/' pure derivation (docs/ARCHITECTURE.md).
  store: ['query', 'domain', 'wire', 'lib', 'events'],
  events: ['domain', 'wire', 'present', 'lib'],
  present: ['domain', 'wire', 'lib', 'store'],
  ops: ['store', 'query', 'domain', 'wire', 'lib', 'present', 'events'],
  api: ['ops', 'present', 'domain', 'wire', 'lib', 'store', 'admin', 'web', 'oauth'],
  admin: ['ops', 'present', 'domain', 'wire', 'lib', 'store', 'oauth', 'webhooks', 'automations', 'workers'],
  // OAuth public integrations: clients, codes, token grants; built on ops' integrations and shares.
  oauth: ['ops', 'domain', 'wire', 'lib', 'store'],
  // Server-rendered HTML pages (sign-in, consent) and the browser app's /app/api; they call ops,
  // oauth, and the webhook and automation operations (the app's screens for them).
  web: ['ops', 'present', 'oauth', 'webhooks', 'automations', 'domain', 'wire', 'lib', 'store'],
  worker: ['ops', 'present', 'store', 'wire', 'lib', 'domain'],
  // The job port and its adapters: the store's database, never its code (docs/ARCHITECTURE.md).
  jobs: ['store', 'lib'],
  // Webhooks: subscriptions, signing, dispatch and delivery, the log and replay (docs/ARCHITECTURE.md
  // "Webhooks"). Storage through the store's types (tx.webhooks), as ops do; wire for ApiError.
  webhooks: ['events', 'jobs', 'ops', 'lib', 'wire', 'domain', 'store'],
  // Automations: definitions, the dispatcher reading the outbox with its own cursors, schedule
  // ticks and runs performing actions through ops (docs/ARCHITECTURE.md "Automations").
  automations: [
    'events',
    'jobs',
    'ops',
    'query',
    'present',
    'webhooks',
    'workers',
    'lib',
    'wire',
    'domain',
    'store',
  ],
  // Notion Workers (@notionhq/workers modules): build, sandboxed executions, sync application
  // through /v1 as the worker's integration, schedules (docs/ARCHITECTURE.md "Workers").
  workers: ['jobs', 'ops', 'lib', 'wire', 'domain', 'store'],
  cli: [
    'main',
    'config',
    'ops',
    'present',
    'domain',
    'wire',
    'lib',
    'store',
    'events',
    'oauth',
    'webhooks',
    'automations',
    'workers',
    // serve builds the browser app's bundle when it is missing (web/bundle.ts).
    'web',
  ],
  main: [
    'api',
    'ops',
    'store',
    'domain',
    'wire',
    'lib',
    'present',
    'config',
    'jobs',
    'webhooks',
    'automations',
    'workers',
  ],
  config: ['domain', 'lib'],
  // The browser app (React, BlockNote), bundled by esbuild: it reaches the server only over HTTP,
  // and shares with it only Notion's fixed names (wire/names.ts, a file without imports).
  'web/client': ['wire/names'],
  // The test helper (Octavo in process for an integration's tests): a composition root like main.
  testing: ['main', 'api', 'ops', 'store', 'domain', 'wire', 'lib', 'config'],
};

/** Layers whose imports of `store` must be type-only. */
const TYPE_ONLY_STORE = new Set([
  'workers',
  'ops',
  'present',
  'api',
  'worker',
  'admin',
  'jobs',
  'oauth',
  'web',
  'webhooks',
  'automations',
]);

function layerOf(file: string): string {
  const rel = relative(ROOT, file);
  if (rel.startsWith('web/client/')) return 'web/client';
  if (rel === 'wire/names.ts') return 'wire/names';
  const first = rel.split('/')[0]!;
  return first.replace(/\.ts$/, '');
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm;
const problems: string[] = [];
for (const file of walk(ROOT)) {
  const from = layerOf(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const target = resolve(dirname(file), m[3]!);
    if (!target.startsWith(ROOT)) continue;
    const to = layerOf(target);
    if (to === from) continue;
    const typeOnly = Boolean(m[2]);
    if (!(ALLOWED[from] ?? []).includes(to)) {
      problems.push(`${relative(ROOT, file)}: ${from} must not import ${to} (${m[3]})`);
    } else if (to === 'store' && TYPE_ONLY_STORE.has(from) && !typeOnly) {
      problems.push(`${relative(ROOT, file)}: ${from} may import only types from store (${m[3]})`);
    }
  }
}
if (problems.length > 0) {
  console.error(`Layer check failed:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('Layer check: imports follow the layer rules.');
