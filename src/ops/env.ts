/** What every operation receives besides the transaction: who acts, when, and URL context. */
import type { Actor } from '../domain/capabilities.ts';
import type { FileSettings } from '../domain/file-uploads.ts';
import type { MentionResolver } from '../domain/rich-text.ts';
import { pageUrl } from '../present/page.present.ts';
import type { BlockView, StoreTx, VisibleRow } from '../store/store.ts';
import { errors, type ObjectKind } from '../wire/errors.ts';
import type { PathSegment } from '../wire/validation.ts';
import { customEmojiIcon } from './custom-emojis.ts';
import { attachUpload, hostedUpload } from './file-uploads.ts';
import { resolveMentionTargets } from './mentions.ts';

export interface OpEnv {
  actor: Actor;
  /** The request's timestamp, ISO with milliseconds. */
  now: string;
  publicUrl: string;
  /** Upload limits and the URL-signing key; absent where no request can name an upload. */
  files?: FileSettings;
  /** False: queries on formulas and rollups use the evaluator only (see ops/query.ts). */
  computedInSql?: boolean;
}

/**
 * Loads a block or page the actor may see. Anything missing, unshared, or of the wrong kind is
 * the same 404, as in Notion.
 */
/**
 * `loadVisible` for a page, with what of its data source its page object needs (when it is a
 * row), read with it (`BlockRepo.getVisibleRow`).
 */
export async function loadVisibleRow(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  kind: ObjectKind,
  accept: (row: BlockView) => boolean,
): Promise<VisibleRow> {
  const found = await tx.blocks.getVisibleRow(id, env.actor.seesEverything ? null : env.actor.integrationId);
  if (!found) throw errors.notFound(kind, id);
  if (!accept(found.row)) throw wrongKind(kind, found.row);
  return found;
}

export async function loadVisible(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  kind: ObjectKind,
  accept: (row: BlockView) => boolean = () => true,
): Promise<BlockView> {
  // The row and its visibility together (one statement on Postgres).
  const row = await tx.blocks.getVisible(id, env.actor.seesEverything ? null : env.actor.integrationId);
  if (!row) throw errors.notFound(kind, id);
  if (!accept(row)) throw wrongKind(kind, row);
  return row;
}

/** What a visible object of another kind is, and the endpoint that takes it. */
const INSTEAD: Record<string, { actual: string; call: (id: string) => string }> = {
  page: { actual: 'page', call: (id) => `use GET /v1/pages/${id}` },
  database: {
    actual: 'database',
    call: (id) =>
      `use GET /v1/databases/${id}, which lists its data sources (from Notion-Version 2025-09-03)`,
  },
  data_source: { actual: 'data source', call: (id) => `use the /v1/data_sources/${id} endpoints` },
};

function wrongKind(kind: ObjectKind, row: BlockView) {
  const known = INSTEAD[row.type] ?? { actual: 'block', call: (id: string) => `use GET /v1/blocks/${id}` };
  return errors.wrongKind(kind, row.id, known.actual, known.call(row.id));
}

export const isPage = (row: BlockView) => row.type === 'page';

/**
 * Whether the acting integration may see `id`: it or an ancestor is shared with it. The one
 * visibility rule; every path that names an object (endpoints, mentions, relations) asks it.
 */
export function canSee(tx: StoreTx, env: OpEnv, id: string): Promise<boolean> {
  if (env.actor.seesEverything) return Promise.resolve(true);
  return tx.shares.isVisible(env.actor.integrationId, id);
}

/**
 * Resolves mention targets within the transaction, as the acting integration sees them: what it
 * cannot see is stored as Notion shows it to an integration without access (ops/mentions.ts).
 */
export function mentionResolver(tx: StoreTx, env: OpEnv): MentionResolver {
  return {
    actorName: env.actor.integrationName,
    userName: async (id) =>
      (await resolveMentionTargets(tx, env, { objects: new Set(), users: new Set([id]) })).userNames.get(
        id,
      ) ?? null,
    pageInfo: async (id) => {
      const { titles } = await resolveMentionTargets(tx, env, { objects: new Set([id]), users: new Set() });
      const title = titles.get(id) ?? '';
      return { title, url: pageUrl(env.publicUrl, id, title) };
    },
    customEmoji: (id, path) => customEmojiIcon(tx, id, path),
    ...(env.files ? uploadResolver(tx, env) : {}),
  };
}

function uploadResolver(tx: StoreTx, env: OpEnv) {
  return {
    attachUpload: (id: string, path: PathSegment[]) => attachUpload(tx, env, id, path),
    hostedFile: (url: string, path: PathSegment[]) => hostedUpload(tx, env, url, path),
  };
}
