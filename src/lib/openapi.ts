/**
 * What the two OpenAPI documents (api/openapi.ts for /v1, admin/openapi.ts for /_octavo) share:
 * a Zod schema as JSON Schema (the input side: what a request may send), and Hono's `:param`
 * paths as OpenAPI's `{param}`.
 */
import { z } from 'zod';

/** A Zod schema's JSON Schema for what a request may send (`$defs` kept inside it). */
export const toJsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline' }) as Record<
    string,
    unknown
  >;

/** `{page_id}` from `:page_id`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** One registered route: Hono's `app.routes` entries. */
export interface RouteEntry {
  method: string;
  path: string;
}

/** The routes served under `prefix` (`/v1/`), from the route table: middleware and catch-alls left out. */
export function servedUnder(prefix: string, routes: readonly RouteEntry[]): string[] {
  const seen = new Set<string>();
  for (const r of routes) {
    if (r.method === 'ALL' || !r.path.startsWith(prefix) || r.path.endsWith('*')) continue;
    seen.add(`${r.method} ${r.path}`);
  }
  return [...seen];
}

/**
 * A schema for inside an OpenAPI document: a recursive schema's `$defs` (Zod names them
 * `__schema0`, …) move to `components.schemas` as `<name>_<def>`, and its `#/$defs/…` references
 * follow, because inside a document `#` is the document, not the schema.
 */
export function hoistDefs(
  schema: Record<string, unknown>,
  name: string,
  components: Record<string, unknown>,
): Record<string, unknown> {
  const { $defs, $schema: _, ...rest } = schema as { $defs?: Record<string, unknown>; $schema?: unknown };
  if (!$defs) return rest;
  const rename = (key: string) => `${name}_${key.replace(/^_+/, '')}`;
  const text = (value: unknown) =>
    JSON.parse(
      JSON.stringify(value).replace(
        /"#\/\$defs\/([^"]+)"/g,
        (_m, key: string) => `"#/components/schemas/${rename(key)}"`,
      ),
    ) as Record<string, unknown>;
  for (const [key, def] of Object.entries($defs)) components[rename(key)] = text(def);
  return text(rest);
}
