/**
 * Fixtures: a workspace described as JSON or YAML (integrations with fixed tokens, users, pages
 * with their blocks, databases with schemas and rows, sharing), for `octavo seed` and
 * `POST /_octavo/seed`. This file reads and validates one; ops/seed.ts writes it through the
 * ordinary operations. A wrong fixture is a validation_error naming the place in the file
 * (`pages[2].children[0].type …`).
 *
 * Blocks, icons, covers, schemas and row values are written exactly as in Notion's requests
 * (POST /v1/pages, PATCH /v1/blocks/{id}/children, POST /v1/databases), plus an optional `id`
 * on every object so tests can name them.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { CAPABILITIES } from '../domain/capabilities.ts';
import { normalizeId } from '../lib/ids.ts';
import { BlockChildrenRequest } from '../wire/blocks.schema.ts';
import { CoverRequest, IconRequest } from '../wire/common.schema.ts';
import { ApiError } from '../wire/errors.ts';
import { PropertiesCreateRequest } from '../wire/property-schema.schema.ts';
import { formatValue, fromZodIssue, type Issue, type PathSegment } from '../wire/validation.ts';

const Id = z
  .string()
  .refine((s) => normalizeId(s) !== null, { message: 'should be a valid uuid' })
  .transform((s) => normalizeId(s)!);

/** A token an integration presents: Notion's forms (`ntn_…`, `secret_…`), 20 to 200 characters. */
const Token = z.string().regex(/^(ntn_|secret_)[A-Za-z0-9_-]{16,196}$/, {
  message: 'should be a token starting with ntn_ or secret_ followed by 16 or more letters or digits',
});

const FixtureIntegration = z.strictObject({
  id: Id.optional(),
  name: z.string().trim().min(1),
  token: Token,
  capabilities: z.union([z.literal('all'), z.array(z.enum(CAPABILITIES))]).optional(),
});

const FixtureUser = z.strictObject({
  id: Id.optional(),
  name: z.string().min(1),
  email: z.email(),
});

/** Blocks as in Notion's requests; ids are taken out before the request schema sees them. */
const Blocks = z.array(z.record(z.string(), z.unknown()));
const Names = z.array(z.string().min(1));

export interface FixtureRow {
  id?: string;
  properties: Record<string, unknown>;
  icon?: unknown;
  cover?: unknown;
  children?: Record<string, unknown>[];
}
export interface FixtureDatabase {
  id?: string;
  data_source_id?: string;
  title: string;
  is_inline?: boolean;
  properties: Record<string, unknown>;
  rows?: FixtureRow[];
  shared_with?: string[];
}
export interface FixturePage {
  id?: string;
  title: string;
  icon?: unknown;
  cover?: unknown;
  children?: Record<string, unknown>[];
  pages?: FixturePage[];
  databases?: FixtureDatabase[];
  shared_with?: string[];
}

const FixtureRowSchema = z.strictObject({
  id: Id.optional(),
  properties: z.record(z.string(), z.unknown()),
  icon: IconRequest.nullable().optional(),
  cover: CoverRequest.nullable().optional(),
  children: Blocks.optional(),
});

const FixtureDatabaseSchema = z.strictObject({
  id: Id.optional(),
  data_source_id: Id.optional(),
  title: z.string(),
  is_inline: z.boolean().optional(),
  properties: PropertiesCreateRequest,
  rows: z.array(FixtureRowSchema).optional(),
  shared_with: Names.optional(),
});

const FixturePageSchema: z.ZodType<FixturePage> = z.lazy(() =>
  z.strictObject({
    id: Id.optional(),
    title: z.string(),
    icon: IconRequest.nullable().optional(),
    cover: CoverRequest.nullable().optional(),
    children: Blocks.optional(),
    pages: z.array(FixturePageSchema).optional(),
    databases: z.array(FixtureDatabaseSchema).optional(),
    shared_with: Names.optional(),
  }),
);

export const FixtureSchema = z.strictObject({
  /** The fixture format's version; 1 is the only one. */
  version: z.literal(1).optional(),
  integrations: z.array(FixtureIntegration).optional(),
  users: z.array(FixtureUser).optional(),
  pages: z.array(FixturePageSchema).optional(),
});
export type Fixture = z.output<typeof FixtureSchema>;
export type FixtureIntegration = z.output<typeof FixtureIntegration>;

/** `pages[2].children[0].type`: a place in the fixture, as a reader of the file finds it. */
export function fixturePath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(the fixture)';
}

/** A fixture problem: validation_error whose message starts with the place in the file. */
export function fixtureError(path: readonly PathSegment[], what: string): ApiError {
  return new ApiError('validation_error', `fixture failed validation: ${fixturePath(path)} ${what}`);
}

function issueError(issue: Issue): ApiError {
  const where = fixturePath(issue.path) + (issue.suffix ?? '');
  return new ApiError(
    'validation_error',
    `fixture failed validation: ${where} ${issue.expectation}, instead was \`${formatValue(issue.value)}\`.`,
  );
}

/**
 * The YAML parser, loaded by the first YAML fixture: a server started without one does not load
 * it. `require` keeps readFixture synchronous (the package is CommonJS under Node).
 */
const yaml = (() => {
  let lib: typeof import('yaml') | undefined;
  return () => (lib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
})();

/**
 * Reads a fixture from text: JSON when it parses as JSON, else YAML (`format` forces one).
 * Syntax errors name the line and column; shape errors name the path.
 */
export function readFixture(text: string, format?: 'json' | 'yaml'): Fixture {
  let raw: unknown;
  const { parse: parseYaml, YAMLParseError } = yaml();
  try {
    raw =
      format === 'yaml' || (format === undefined && !/^\s*[{[]/.test(text))
        ? parseYaml(text)
        : JSON.parse(text);
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const at = e.linePos?.[0];
      const place = at ? `line ${at.line}, column ${at.col}` : 'somewhere';
      throw new ApiError('validation_error', `fixture is not valid YAML at ${place}: ${e.code}.`);
    }
    throw new ApiError('validation_error', `fixture is not valid JSON: ${(e as Error).message}.`);
  }
  return checkFixture(raw);
}

/** Validates a parsed fixture (the admin API's JSON body); blocks are checked as Notion would. */
export function checkFixture(raw: unknown): Fixture {
  const result = FixtureSchema.safeParse(raw ?? {});
  if (!result.success) throw issueError(fromZodIssue(raw, result.error.issues[0]!));
  const fixture = result.data;
  for (const [i, page] of (fixture.pages ?? []).entries()) checkPageBlocks(page, ['pages', i]);
  return fixture;
}

function checkPageBlocks(page: FixturePage, path: PathSegment[]): void {
  if (page.children) checkBlocks(page.children, [...path, 'children']);
  for (const [i, p] of (page.pages ?? []).entries()) checkPageBlocks(p, [...path, 'pages', i]);
  for (const [i, db] of (page.databases ?? []).entries()) {
    for (const [j, row] of (db.rows ?? []).entries()) {
      if (row.children) checkBlocks(row.children, [...path, 'databases', i, 'rows', j, 'children']);
    }
  }
}

/** Checks a children array with Notion's request schema, ids taken out first. */
function checkBlocks(blocks: Record<string, unknown>[], path: PathSegment[]): void {
  const stripped = stripBlockIds(blocks, [], path);
  const result = BlockChildrenRequest.safeParse(stripped);
  if (!result.success) throw issueError(fromZodIssue(stripped, result.error.issues[0]!, path));
}

/**
 * The blocks without their `id` keys, and the ids (or `undefined`) in the order the block tree is
 * built: each block, then its children (`{type: {…, children}}`), depth first.
 */
export function stripBlockIds(
  blocks: readonly Record<string, unknown>[],
  ids: (string | undefined)[],
  path: PathSegment[] = [],
): Record<string, unknown>[] {
  return blocks.map((block, i) => {
    const { id, ...rest } = block;
    if (id === undefined) ids.push(undefined);
    else {
      const normal = normalizeId(id);
      if (!normal)
        throw fixtureError([...path, i, 'id'], `should be a valid uuid, instead was \`${formatValue(id)}\`.`);
      ids.push(normal);
    }
    const type = typeof rest.type === 'string' ? rest.type : Object.keys(rest).find((k) => k !== 'object');
    const payload = type ? rest[type] : undefined;
    if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
      const children = (payload as Record<string, unknown>).children;
      if (Array.isArray(children)) {
        const inner = stripBlockIds(children as Record<string, unknown>[], ids, [
          ...path,
          i,
          type!,
          'children',
        ]);
        return { ...rest, [type!]: { ...(payload as object), children: inner } };
      }
    }
    return rest;
  });
}
