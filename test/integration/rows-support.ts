/**
 * Shared set-up for the database-row suites (rows, query, property items): databases created the
 * way each Notion-Version does it, row parents per version, and an SDK client for row responses.
 */
import { Client } from '@notionhq/client';
import { createApp } from '../../src/api/app.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../../src/config.ts';
import { BASE_URL, type Harness } from '../helpers/harness.ts';

export const VERSIONS = ['2022-06-28', '2025-09-03', '2026-03-11'] as const;
export type Version = (typeof VERSIONS)[number];

export const text = (content: string) => [{ type: 'text' as const, text: { content } }];

/** A database and its single data source. */
export interface Db {
  databaseId: string;
  dataSourceId: string;
}

/** An SDK client for `version` (responses checked by the harness like every other). */
export function rowClient(h: Harness, version: Version, token = h.token): Client {
  return h.client({ version, token });
}

/**
 * An SDK client (version 2025-09-03, the harness's token) of a second app on the harness's store
 * that computes every formula and rollup with the evaluator (`computedInSql: false`): the
 * reference the SQL-compiled answers are compared with.
 */
export function evaluatorClient(h: Harness, clock: () => Date): Client {
  const app = createApp({
    store: h.store,
    publicUrl: BASE_URL,
    workspace: h.boot.workspace,
    rateLimiter: null,
    files: {
      maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
      allowPrivateImports: false,
      urlSecret: h.boot.fileUrlSecret,
    },
    clock,
    computedInSql: false,
  });
  return new Client({
    auth: h.token,
    baseUrl: BASE_URL,
    notionVersion: '2025-09-03',
    fetch: ((url: string, init?: RequestInit) =>
      Promise.resolve(app.request(String(url), init))) as typeof fetch,
    logLevel: 'error' as never,
  });
}

export const hasDataSources = (v: Version) => v !== '2022-06-28';

/** Creates a database with `properties` as `version` does it (top-level properties in 2022). */
export async function createDb(
  h: Harness,
  version: Version,
  title: string,
  properties: Record<string, unknown>,
): Promise<Db> {
  const client = rowClient(h, version);
  const parent = { type: 'page_id', page_id: h.rootPageId };
  if (!hasDataSources(version)) {
    const db = (await client.request({
      path: 'databases',
      method: 'post',
      body: { parent, title: text(title), properties },
    })) as { id: string };
    const latest = (await rowClient(h, '2025-09-03').databases.retrieve({ database_id: db.id })) as {
      data_sources: { id: string }[];
    };
    return { databaseId: db.id, dataSourceId: latest.data_sources[0]!.id };
  }
  const db = (await client.databases.create({
    parent: { type: 'page_id', page_id: h.rootPageId },
    title: text(title),
    initial_data_source: { properties: properties as never },
  })) as { id: string; data_sources: { id: string }[] };
  return { databaseId: db.id, dataSourceId: db.data_sources[0]!.id };
}

/** The parent a new row names under `version`. */
export function rowParent(version: Version, db: Db) {
  return hasDataSources(version)
    ? { type: 'data_source_id' as const, data_source_id: db.dataSourceId }
    : { type: 'database_id' as const, database_id: db.databaseId };
}

/** The parent a row shows under `version`. */
export function shownParent(version: Version, db: Db) {
  return hasDataSources(version)
    ? { type: 'data_source_id', data_source_id: db.dataSourceId, database_id: db.databaseId }
    : { type: 'database_id', database_id: db.databaseId };
}

/** Queries a database (2022-06-28) or data source (later) with the raw body. */
export async function queryRows(
  client: Client,
  version: Version,
  db: Db,
  body: Record<string, unknown> = {},
  filterProperties?: string[],
): Promise<QueryResult> {
  if (!hasDataSources(version)) {
    return (await client.request({
      path: `databases/${db.databaseId}/query`,
      method: 'post',
      body,
      ...(filterProperties ? { query: { filter_properties: filterProperties } } : {}),
    })) as QueryResult;
  }
  return (await client.dataSources.query({
    data_source_id: db.dataSourceId,
    ...(body as object),
    ...(filterProperties ? { filter_properties: filterProperties } : {}),
  } as never)) as unknown as QueryResult;
}

export interface RowPage {
  object: 'page';
  id: string;
  parent: Record<string, unknown>;
  in_trash: boolean;
  properties: Record<string, { id: string; type: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

export interface QueryResult {
  object: 'list';
  results: RowPage[];
  next_cursor: string | null;
  has_more: boolean;
  type: string;
  [k: string]: unknown;
}

/** The plain text of a title or rich_text value. */
export function plain(value: unknown): string {
  return ((value as { plain_text: string }[] | undefined) ?? []).map((t) => t.plain_text).join('');
}
