/**
 * Replaying a recorded Notion conversation against Octavo: which recordings can be replayed
 * (every call they make is implemented), how ids are rewritten, and what differs.
 */
import { checkResponse, MANIFEST } from '../helpers/conformance.ts';
import type { Harness } from '../helpers/harness.ts';
import type { Interaction, Recording } from './recordings.ts';
import { shapeDiff } from './shape.ts';

/** Endpoints Octavo serves today (method + SDK path pattern). */
export const IMPLEMENTED = new Set([
  'GET users/me',
  'GET users',
  'GET users/{user_id}',
  'POST pages',
  'GET pages/{page_id}',
  'PATCH pages/{page_id}',
  'POST pages/{page_id}/move',
  'GET pages/{page_id}/markdown',
  'PATCH pages/{page_id}/markdown',
  'GET blocks/{block_id}',
  'PATCH blocks/{block_id}',
  'DELETE blocks/{block_id}',
  'GET blocks/{block_id}/children',
  'PATCH blocks/{block_id}/children',
  'GET pages/{page_id}/properties/{property_id}',
  'POST databases',
  'GET databases/{database_id}',
  'PATCH databases/{database_id}',
  'POST databases/{database_id}/query', // 2022-06-28 only; not in the SDK's table, so never matched
  'POST data_sources',
  'GET data_sources/{data_source_id}',
  'PATCH data_sources/{data_source_id}',
  'POST data_sources/{data_source_id}/query',
  'GET data_sources/{data_source_id}/templates',
  // File uploads
  'POST file_uploads',
  'GET file_uploads',
  'GET file_uploads/{file_upload_id}',
  'POST file_uploads/{file_upload_id}/send',
  'POST file_uploads/{file_upload_id}/complete',
  'POST search',
  // Comments
  'POST comments',
  'GET comments',
  'GET comments/{comment_id}',
  'PATCH comments/{comment_id}',
  'DELETE comments/{comment_id}',
  // Views
  'GET views',
  'POST views',
  'GET views/{view_id}',
  'PATCH views/{view_id}',
  'DELETE views/{view_id}',
  'POST views/{view_id}/queries',
  'GET views/{view_id}/queries/{query_id}',
  'DELETE views/{view_id}/queries/{query_id}',
  'GET custom_emojis',
  'GET async_tasks/{task_id}',
]);

/** Why an SDK endpoint is not replayed yet, by its path pattern. */
const NOT_YET: Array<[RegExp, string]> = [[/^file_uploads/, 'file uploads']];

/**
 * Recordings whose answers depend on what the recorded workspace already held, which a replay
 * from an empty workspace cannot reproduce; Octavo's structure for the same objects is checked
 * by the other recordings of the endpoint.
 */
const STATE_DEPENDENT: Record<string, string> = {
  test_file_uploads_list:
    "Notion's list holds 21 uploads left by earlier runs of the recording suite, the newest an uploaded file from a test that sorts after this one",
  test_file_uploads_list_with_pagination:
    'page_size=5 has a next page only because the recorded workspace held uploads from an earlier session (Octavo holds 4 at that point)',
  test_collect_paginated_api:
    "an empty search lists everything shared: in the recorded workspace one untitled root page, in a replay Octavo's titled root page and what earlier recordings left",
  test_async_collect_paginated_api:
    "an empty search lists everything shared: in the recorded workspace one untitled root page, in a replay Octavo's titled root page and what earlier recordings left",
};

function sdkPattern(method: string, uri: string): string | undefined {
  const segments = new URL(uri).pathname.slice(4).replace(/\/+$/, '').split('/');
  const matches = MANIFEST.endpoints.filter((e) => {
    const parts = e.path.split('/');
    return (
      e.method === method &&
      parts.length === segments.length &&
      parts.every((p, i) => p.startsWith('{') || p === segments[i])
    );
  });
  matches.sort((a, b) => b.path.replace(/\{[^}]+\}/g, '').length - a.path.replace(/\{[^}]+\}/g, '').length);
  return matches[0]?.path;
}

export interface Plan {
  name: string;
  calls: string[];
  /** Undefined when replayed; otherwise why not. */
  skip?: string;
}

/** Replay or skip, per recording, with the reason. */
export function planFor(rec: Recording): Plan {
  const calls = rec.interactions.map(
    (i) => `${i.request.method} ${i.request.uri.replace(/^https?:\/\/[^/]+/, '')}`,
  );
  const reasons = new Set<string>();
  for (const { request } of rec.interactions) {
    if (!request.uri.startsWith('https://api.notion.com/v1/')) {
      reasons.add('not a Notion API call (the SDK test talks to a mock HTTP server)');
      continue;
    }
    const pattern = sdkPattern(request.method, request.uri);
    if (!pattern || IMPLEMENTED.has(`${request.method} ${pattern}`)) continue; // unknown routes are replayed
    const why = NOT_YET.find(([re]) => re.test(pattern))?.[1] ?? pattern;
    reasons.add(`${why} not implemented yet`);
  }
  const state = STATE_DEPENDENT[rec.name];
  if (state && reasons.size === 0) reasons.add(`depends on the recorded workspace's earlier state: ${state}`);
  return { name: rec.name, calls, ...(reasons.size > 0 ? { skip: [...reasons].join('; ') } : {}) };
}

const ID = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/gi;
const WHOLE_ID = new RegExp(`^${ID.source}$`, 'i');
const compact = (id: string) => id.replace(/-/g, '').toLowerCase();
/** Ids Notion writes behind a prefix, as async tasks' `task_<32 hex>`. */
const PREFIXED_ID = /^([a-z]+_)([0-9a-f]{32})$/i;

/** Recorded id -> Octavo id, learned from the responses of one replay. */
export class IdMap {
  private readonly map = new Map<string, string>();
  private readonly fallback: string;
  constructor(fallback: string) {
    this.fallback = fallback;
  }

  /** Rewrites every id inside a string; an unseen id is the recorded workspace's shared page. */
  rewrite(text: string): string {
    return text.replace(ID, (id) => {
      const key = compact(id);
      if (/^0+$/.test(key)) return id;
      const known = this.map.get(key);
      if (known) return known;
      this.map.set(key, this.fallback);
      return this.fallback;
    });
  }

  rewriteDeep(value: unknown): unknown {
    if (typeof value === 'string') return this.rewrite(value);
    if (Array.isArray(value)) return value.map((v) => this.rewriteDeep(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.rewriteDeep(v)]));
    }
    return value;
  }

  /**
   * Ids in a recorded body that this replay already knows (learned from an earlier response, or
   * the recorded shared page) must be the same objects in Octavo's body, at the same place: a
   * parent, a `database_parent`, a data source listed by its database, a cursor.
   */
  mismatches(recorded: unknown, actual: unknown, path = '$'): string[] {
    if (typeof recorded === 'string' && WHOLE_ID.test(recorded)) {
      const key = compact(recorded);
      if (/^0+$/.test(key)) return [];
      const known = this.map.get(key);
      if (known === undefined || typeof actual !== 'string' || compact(actual) === compact(known)) return [];
      return [`${path}: Notion refers to ${recorded} (here ${known}), Octavo to ${actual}`];
    }
    if (Array.isArray(recorded) && Array.isArray(actual)) {
      return recorded.flatMap((r, i) => {
        const a = actual[i] as { type?: unknown } | undefined;
        return (r as { type?: unknown })?.type === a?.type ? this.mismatches(r, a, `${path}[${i}]`) : [];
      });
    }
    if (recorded && actual && typeof recorded === 'object' && typeof actual === 'object') {
      const a = actual as Record<string, unknown>;
      return Object.entries(recorded).flatMap(([k, v]) =>
        k in a ? this.mismatches(v, a[k], `${path}.${k}`) : [],
      );
    }
    return [];
  }

  /** Walks both bodies in parallel and pairs up the ids found at the same place. */
  learn(recorded: unknown, actual: unknown): void {
    if (typeof recorded === 'string' && typeof actual === 'string') {
      if (WHOLE_ID.test(recorded) && WHOLE_ID.test(actual) && !this.map.has(compact(recorded))) {
        this.map.set(compact(recorded), actual);
      }
      const r = PREFIXED_ID.exec(recorded);
      const a = PREFIXED_ID.exec(actual);
      if (r && a && r[1] === a[1] && !this.map.has(compact(r[2]!))) this.map.set(compact(r[2]!), a[2]!);
    } else if (Array.isArray(recorded) && Array.isArray(actual)) {
      recorded.forEach((r, i) => {
        const a = actual[i] as { type?: unknown } | undefined;
        if ((r as { type?: unknown })?.type === a?.type) this.learn(r, a);
      });
    } else if (recorded && actual && typeof recorded === 'object' && typeof actual === 'object') {
      const a = actual as Record<string, unknown>;
      for (const [k, v] of Object.entries(recorded)) if (k in a) this.learn(v, a[k]);
    }
  }
}

/** Sends one recorded request (ids rewritten) through the conformance checks; lists differences. */
async function replayOne(h: Harness, ids: IdMap, step: Interaction, label: string): Promise<string[]> {
  const { request, response } = step;
  const url = new URL(request.uri);
  const path = ids.rewrite(`${url.pathname}${url.search}`);
  const headers = new Headers({ 'Notion-Version': request.headers['notion-version'] ?? '2025-09-03' });
  // The recordings redact tokens; a recorded 401 was made with a bad one.
  headers.set('Authorization', `Bearer ${response.status === 401 ? 'ntn_not_a_valid_token' : h.token}`);
  const init: RequestInit = { method: request.method, headers };
  if (typeof request.body === 'string') {
    // A recorded non-JSON body (multipart file bytes) is sent as it was, with its content type.
    init.body = request.body;
    headers.set('content-type', request.headers['content-type'] ?? 'application/octet-stream');
  } else if (request.body !== null && request.body !== undefined) {
    init.body = JSON.stringify(ids.rewriteDeep(request.body));
    headers.set('content-type', 'application/json');
  }
  const full = `http://octavo.test${path}`;
  const diffs: string[] = [];
  const res = await h.app.request(full, init);
  const text = await res.text();
  try {
    await checkResponse(full, init, new Response(text, { status: res.status, headers: res.headers }));
  } catch (err) {
    diffs.push(`${label}: ${(err as Error).message.split('\n').slice(0, 8).join('\n    ')}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...diffs, `${label}: body is not JSON: ${text.slice(0, 200)}`];
  }
  if (res.status !== response.status) {
    diffs.push(
      `${label}: status ${res.status}, Notion ${response.status}: ${JSON.stringify(body).slice(0, 300)}`,
    );
    return diffs;
  }
  diffs.push(...shapeDiff(response.body, body).map((d) => `${label}: ${d}`));
  diffs.push(...ids.mismatches(response.body, body).map((d) => `${label}: ${d}`));
  ids.learn(response.body, body);
  return diffs;
}

/** Replays a whole recording in order; returns every difference found. */
export async function replay(h: Harness, rec: Recording): Promise<string[]> {
  const ids = new IdMap(h.rootPageId);
  const diffs: string[] = [];
  for (const [i, step] of rec.interactions.entries()) {
    const label = `#${i} ${step.request.method} ${new URL(step.request.uri).pathname}`;
    diffs.push(...(await replayOne(h, ids, step, label)));
  }
  return diffs;
}
