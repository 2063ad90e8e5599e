/** Small helpers that keep route handlers thin: ids from the path, pagination, context objects. */
import type { Context } from 'hono';
import { OPERATION_CAPABILITY, type Operation } from '../domain/capabilities.ts';
import { hostedFileUrl } from '../domain/file-uploads.ts';
import { normalizeId } from '../lib/ids.ts';
import type { OpEnv } from '../ops/env.ts';
import { integrationAuthor } from '../ops/integrations.ts';
import type { PresentContext } from '../present/context.ts';
import type { TransactionOptions } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { validationError } from '../wire/validation.ts';
import type { AppDeps, AppEnv } from './types.ts';

/** Throws 403 restricted_resource when the actor lacks the operation's capability. */
export function authorize(c: Context<AppEnv>, op: Operation): void {
  const needed = OPERATION_CAPABILITY[op];
  if (needed && !c.get('actor').capabilities.has(needed)) throw errors.restricted();
}

export function opEnv(c: Context<AppEnv>, deps: AppDeps): OpEnv {
  return {
    actor: c.get('actor'),
    now: (deps.clock?.() ?? new Date()).toISOString(),
    publicUrl: deps.publicUrl,
    files: deps.files,
    ...(deps.computedInSql === false ? { computedInSql: false } : {}),
  };
}

/**
 * The options of a request's writing transaction: who writes is the token's integration and its
 * bot (`integrationAuthor`), known since authentication, so the write's change events are
 * recorded without reading them (`TransactionOptions.authors`).
 */
export function writeOptions(c: Context<AppEnv>): TransactionOptions {
  return { authors: [integrationAuthor(c.get('actor'))] };
}

export function presentCtx(c: Context<AppEnv>, deps: AppDeps): PresentContext {
  return {
    version: c.get('version'),
    actor: c.get('actor'),
    publicUrl: deps.publicUrl,
    workspace: deps.workspace,
    maxFileUploadBytes: deps.files.maxBytes,
    hostedFile: (ref) =>
      hostedFileUrl(deps.publicUrl, deps.files.urlSecret, ref, deps.clock?.() ?? new Date()),
  };
}

/** A path id in dashed lowercase form, or Notion's path validation error. */
export function pathId(c: Context<AppEnv>, name: string): string {
  const raw = c.req.param(name) ?? '';
  const id = normalizeId(raw);
  if (!id) throw validationError('path', { path: [name], expectation: 'should be a valid uuid', value: raw });
  return id;
}

/** `start_cursor` and `page_size` from the query string (GET endpoints). */
export function queryPagination(c: Context<AppEnv>): { from: string | null; limit: number } {
  const rawSize = c.req.query('page_size');
  const rawCursor = c.req.query('start_cursor');
  return readPagination(
    { page_size: rawSize === undefined ? undefined : Number(rawSize), start_cursor: rawCursor },
    'query',
    rawSize,
  );
}

/** `start_cursor` and `page_size` from a JSON body (POST endpoints). */
export function bodyPagination(body: { page_size?: unknown; start_cursor?: unknown }) {
  return readPagination(body, 'body', body.page_size);
}

function readPagination(
  p: { page_size?: unknown; start_cursor?: unknown },
  root: 'query' | 'body',
  shown: unknown,
): { from: string | null; limit: number } {
  let limit = 100;
  if (p.page_size !== undefined) {
    const n = p.page_size;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      throw validationError(root, { path: ['page_size'], expectation: 'should be an integer', value: shown });
    }
    if (n < 1 || n > 100) {
      const expectation = n < 1 ? 'should be ≥ `1`' : 'should be ≤ `100`';
      throw validationError(root, { path: ['page_size'], expectation, value: n });
    }
    limit = n;
  }
  let from: string | null = null;
  if (p.start_cursor !== undefined && p.start_cursor !== null) {
    from = normalizeId(p.start_cursor);
    if (!from) {
      throw validationError(root, {
        path: ['start_cursor'],
        expectation: 'should be a valid cursor',
        value: p.start_cursor,
      });
    }
  }
  return { from, limit };
}

/**
 * `filter_properties` (repeatable property ids) as a set, or undefined when absent. Ids arrive
 * URL-decoded; stored ids are compared in the same form.
 */
export function filterProperties(c: Context<AppEnv>): ReadonlySet<string> | undefined {
  const values = c.req.queries('filter_properties');
  if (!values || values.length === 0) return undefined;
  return new Set(
    values
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean),
  );
}
