/**
 * Generates the JSON Schemas that test/helpers/conformance.ts validates every 2xx body against.
 *
 * Source of truth: the published response types of the official SDK (`@notionhq/client`,
 * `build/src/api-endpoints/*.d.ts`) and its endpoint table (each exported endpoint descriptor such
 * as `getPage = { method: 'get', path: (p) => 'pages/' + p.page_id }` pairs with the type
 * `GetPageResponse`). Output, all deterministic:
 *   test/fixtures/schemas/<Operation>Response.json   one self-contained schema per response type
 *   test/fixtures/schemas/manifest.json              SDK version, source hash, endpoint -> schema
 * test/conformance/schemas.test.ts fails when the installed SDK no longer matches the manifest.
 *
 * Usage: `npm run schemas` (add `--check` to only report whether the committed files are current).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const SCHEMA_DIR = join(ROOT, 'test', 'fixtures', 'schemas');
const SDK_DIR = join(ROOT, 'node_modules', '@notionhq', 'client');
const ENDPOINTS_DTS = join(SDK_DIR, 'build', 'src', 'api-endpoints.d.ts');
const ENDPOINTS_DIR = join(SDK_DIR, 'build', 'src', 'api-endpoints');

/** SDK endpoint groups outside Octavo's contract (custom agents, sessions, threads). */
const OUT_OF_SCOPE = /^(agents|sessions|threads|external_agent_stub)(\/|$)/;

export interface EndpointEntry {
  method: string;
  /** Path after /v1/, with `{param}` placeholders, e.g. `pages/{page_id}`. */
  path: string;
  /** The SDK's name for the operation, e.g. `getPage`. */
  operation: string;
  /** The response type and schema file stem, e.g. `GetPageResponse`. */
  schema: string;
}

export interface Manifest {
  $comment: string;
  sdk: string;
  sdkVersion: string;
  generator: string;
  generatorVersion: string;
  /** sha256 over the SDK's api-endpoints .d.ts files, so a patched SDK is noticed too. */
  sdkTypesHash: string;
  /** sha256 of each generated schema file, so hand edits are noticed. */
  files: Record<string, string>;
  endpoints: EndpointEntry[];
}

const require = createRequire(import.meta.url);

function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export function sdkVersion(): string {
  return packageVersion(SDK_DIR);
}

export function generatorVersion(): string {
  return packageVersion(join(ROOT, 'node_modules', 'ts-json-schema-generator'));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hash of the SDK type declarations the schemas are generated from. */
export function sdkTypesHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(ENDPOINTS_DTS));
  for (const name of readdirSync(ENDPOINTS_DIR)
    .filter((n) => n.endsWith('.d.ts'))
    .sort()) {
    hash.update(name);
    hash.update(readFileSync(join(ENDPOINTS_DIR, name)));
  }
  return hash.digest('hex');
}

interface SdkEndpoint {
  method: string;
  pathParams: readonly string[];
  path: (p: Record<string, string>) => string;
}

function isEndpoint(v: unknown): v is SdkEndpoint {
  const e = v as Partial<SdkEndpoint> | null;
  return !!e && typeof e.method === 'string' && typeof e.path === 'function' && Array.isArray(e.pathParams);
}

/** The SDK's endpoint table, read from its runtime descriptors, in a stable order. */
export function sdkEndpoints(): EndpointEntry[] {
  const mod = require('@notionhq/client/build/src/api-endpoints.js') as Record<string, unknown>;
  const out: EndpointEntry[] = [];
  for (const [operation, value] of Object.entries(mod)) {
    if (!isEndpoint(value)) continue;
    const params = Object.fromEntries(value.pathParams.map((p) => [p, `{${p}}`]));
    const path = value.path(params);
    if (OUT_OF_SCOPE.test(path)) continue;
    const schema = `${operation[0]!.toUpperCase()}${operation.slice(1)}Response`;
    out.push({ method: value.method.toUpperCase(), path, operation, schema });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** Recursively sorts object keys so the output does not depend on traversal order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .map((k) => [k, sortKeys(obj[k])]),
    );
  }
  return value;
}

/** Generates every schema and the manifest in memory: file name -> text. */
export async function generateAll(): Promise<Map<string, string>> {
  // Loaded here, not at the top: the staleness test imports this module only for its hashes.
  const { createGenerator } = await import('ts-json-schema-generator');
  const endpoints = sdkEndpoints();
  const version = sdkVersion();
  const generator = createGenerator({
    path: ENDPOINTS_DTS,
    skipTypeCheck: true,
    expose: 'export',
    topRef: true,
    jsDoc: 'none',
    additionalProperties: false,
    type: '*',
  });
  const files = new Map<string, string>();
  const comment = `Generated by scripts/gen-schemas.ts from @notionhq/client ${version}. Do not edit: run npm run schemas.`;
  for (const name of [...new Set(endpoints.map((e) => e.schema))].sort()) {
    const schema = sortKeys(generator.createSchema(name)) as Record<string, unknown>;
    const { $schema, ...rest } = schema;
    const text = `${JSON.stringify({ $schema, $id: `octavo:schemas/${name}`, $comment: comment, ...rest }, null, 2)}\n`;
    files.set(`${name}.json`, text);
  }
  const manifest: Manifest = {
    $comment: comment,
    sdk: '@notionhq/client',
    sdkVersion: version,
    generator: 'ts-json-schema-generator',
    generatorVersion: generatorVersion(),
    sdkTypesHash: sdkTypesHash(),
    files: Object.fromEntries([...files].map(([name, text]) => [name, sha256(text)])),
    endpoints,
  };
  files.set('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  return files;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const started = Date.now();
  const files = await generateAll();
  if (check) {
    const stale = [...files].filter(([name, text]) => {
      try {
        return readFileSync(join(SCHEMA_DIR, name), 'utf8') !== text;
      } catch {
        return true;
      }
    });
    if (stale.length > 0) {
      console.error(`Stale schemas (run npm run schemas): ${stale.map(([n]) => n).join(', ')}`);
      process.exit(1);
    }
    console.log(`Schemas are current (${files.size - 1} schemas).`);
    return;
  }
  rmSync(SCHEMA_DIR, { recursive: true, force: true });
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(SCHEMA_DIR, name), text);
  console.log(`Wrote ${files.size - 1} schemas and manifest.json in ${Date.now() - started} ms.`);
}

if (import.meta.main) await main();
