/**
 * What a signed-in workspace person reads in the browser (web/browse.routes.ts): the server's
 * overview (integrations and what is shared with them), and a page or a database with everything
 * under it. People are workspace members: they read every object of the workspace (sharing rules
 * are for integrations, not for people), through the same operations the API uses, as a reader
 * with read capabilities only.
 */
import type { Actor, Capability } from '../domain/capabilities.ts';
import type { FileSettings } from '../domain/file-uploads.ts';
import { plainText, type RichText } from '../domain/rich-text.ts';
import type { MentionIds, MentionTargets } from '../present/mentions.present.ts';
import { pageTitle } from '../present/page.present.ts';
import type { BlockRow, BlockView, IntegrationRow, StoreTx, UserRow } from '../store/store.ts';
import type { ApiVersion } from '../wire/versions.ts';
import { getBlock } from './blocks.ts';
import { type DatabaseRecord, getDatabase, getDataSource } from './databases.ts';
import type { OpEnv } from './env.ts';
import { listIntegrations } from './integrations.ts';
import { resolveMentionTargets } from './mentions.ts';
import { namedObject } from './object-kind.ts';
import type { PageRecord } from './pages.ts';
import { queryDataSource, type RowRecord } from './query.ts';

/** A page's content stops after this many blocks (the page says so). */
export const MAX_BROWSE_BLOCKS = 5000;
/** Rows of a data source shown per screen. */
export const BROWSE_ROWS = 100;

const READER_CAPABILITIES: readonly Capability[] = ['read_content', 'read_comments', 'read_users'];

/** The environment of a person reading in the browser: sees the whole workspace, writes nothing. */
export function personEnv(
  user: Pick<UserRow, 'id' | 'name'>,
  input: { now: string; publicUrl: string; files?: FileSettings | undefined },
): OpEnv {
  const actor: Actor = {
    integrationId: '',
    integrationName: user.name,
    botUserId: user.id,
    capabilities: new Set(READER_CAPABILITIES),
    seesEverything: true,
  };
  return {
    actor,
    now: input.now,
    publicUrl: input.publicUrl,
    ...(input.files ? { files: input.files } : {}),
  };
}

/** The title of a page, database or data source as plain text. */
export function objectTitle(row: BlockRow): string {
  if (row.type === 'page') return plainText(pageTitle(row));
  const data = JSON.parse(row.data) as { title?: RichText };
  return plainText(data.title ?? []);
}

export interface Overview {
  /** Workspace-level pages and databases, not in the trash. */
  workspacePages: BlockRow[];
  /** Every integration (revoked ones too) and the objects shared with it directly. */
  integrations: { row: IntegrationRow; installedByOauth: boolean; shared: BlockRow[] }[];
}

export async function overview(tx: StoreTx): Promise<Overview> {
  const workspacePages = (await tx.blocks.listWorkspacePages()).filter((p) => p.in_trash === 0);
  const integrations: Overview['integrations'] = [];
  for (const row of await listIntegrations(tx)) {
    const ids = [...(await tx.shares.sharedWith(row.id))];
    const shared = (await tx.blocks.getMany(ids)).filter((b) => b.in_trash === 0);
    shared.sort((a, b) => objectTitle(a).localeCompare(objectTitle(b)));
    const installedByOauth = (await tx.oauth.installation(row.id)) !== undefined;
    integrations.push({ row, installedByOauth, shared });
  }
  return { workspacePages, integrations };
}

/** A block and the blocks under it, in order. */
export interface BlockNode {
  row: BlockView;
  children: BlockNode[];
}

/** Pages and databases inside content are links: their own content is not read with the parent's. */
const opensElsewhere = (row: BlockView) => row.type === 'page' || row.type === 'database';

/** Parents whose children are read in one statement. */
const PARENTS_PER_READ = 500;

/**
 * The content under `id`, one statement per level of the tree (per 500 parents), stopping after
 * `MAX_BROWSE_BLOCKS` blocks. A synced_block reference shows its original's children, as
 * `listChildren` lists them; pages and databases inside content are not descended.
 */
export async function blockTree(
  tx: StoreTx,
  env: OpEnv,
  id: string,
): Promise<{ blocks: BlockNode[]; truncated: boolean }> {
  await getBlock(tx, env, id);
  const root: BlockNode[] = [];
  let count = 0;
  let truncated = false;
  /** The parents of the next read, each with the child lists its children go to. */
  let level = new Map<string, BlockNode[][]>([[id, [root]]]);
  while (level.size > 0 && !truncated) {
    const next = new Map<string, BlockNode[][]>();
    const parents = [...level.keys()];
    for (let i = 0; i < parents.length && !truncated; i += PARENTS_PER_READ) {
      const rows = await tx.blocks.childrenOfMany(
        parents.slice(i, i + PARENTS_PER_READ),
        MAX_BROWSE_BLOCKS - count + 1,
      );
      for (const row of rows) {
        if (count >= MAX_BROWSE_BLOCKS) {
          truncated = true;
          break;
        }
        count++;
        const node: BlockNode = { row, children: [] };
        for (const into of level.get(row.parent_id!) ?? []) into.push(node);
        if (opensElsewhere(row)) continue;
        const original = syncedFrom(row);
        const source = original ?? (row.has_children ? row.id : null);
        if (source) next.set(source, [...(next.get(source) ?? []), node.children]);
      }
    }
    level = next;
  }
  return { blocks: root, truncated };
}

/** The original a synced_block reference shows, or null. */
function syncedFrom(row: BlockView): string | null {
  if (row.type !== 'synced_block') return null;
  const data = JSON.parse(row.data) as { synced_from?: { block_id?: string } | null };
  return data.synced_from?.block_id ?? null;
}

export type Opened =
  | { kind: 'page'; page: PageRecord; blocks: BlockNode[]; truncated: boolean; ancestors: BlockRow[] }
  | { kind: 'database'; database: DatabaseRecord; sources: SourceRows[]; ancestors: BlockRow[] };

export interface SourceRows {
  row: BlockView;
  records: RowRecord[];
  next: string | null;
}

/** The pages and databases above `row`, outermost first (blocks between them skipped). */
async function ancestorsOf(tx: StoreTx, row: BlockRow): Promise<BlockRow[]> {
  const out: BlockRow[] = [];
  let parentId = row.parent_type === 'workspace' ? null : row.parent_id;
  for (let hops = 0; parentId && hops < 100; hops++) {
    const parent = await tx.blocks.get(parentId);
    if (!parent) break;
    if (parent.type === 'page' || parent.type === 'database') out.unshift(parent);
    parentId = parent.parent_type === 'workspace' ? null : parent.parent_id;
  }
  return out;
}

/**
 * What a page `url` names: a page with its content, or a database (a data source's URL is its
 * database's) with a screen of rows per data source. `cursor` continues the rows of `sourceId`.
 * Any other block, or nothing, is `object_not_found`.
 */
export async function openObject(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  rows: { version: ApiVersion; sourceId?: string | undefined; cursor?: string | null | undefined },
): Promise<Opened> {
  // What the id names (a content block is not found): a data source is no block (ops/blocks.ts).
  const named = await namedObject(tx, env, id);
  if (named.page) {
    const page = named.page;
    const { blocks, truncated } = await blockTree(tx, env, id);
    return { kind: 'page', page, blocks, truncated, ancestors: await ancestorsOf(tx, page.row) };
  }
  const databaseId = named.kind === 'database' ? id : (await getDataSource(tx, env, id)).database.id;
  const database = await getDatabase(tx, env, databaseId);
  const sources: SourceRows[] = [];
  for (const ds of database.dataSources) {
    if (ds.in_trash) continue;
    const from = ds.id === rows.sourceId ? (rows.cursor ?? null) : null;
    const { records, next } = await queryDataSource(tx, env, ds.id, {
      body: {},
      from,
      limit: BROWSE_ROWS,
      version: rows.version,
    });
    sources.push({ row: ds, records, next });
  }
  return { kind: 'database', database, sources, ancestors: await ancestorsOf(tx, database.row) };
}

/** Titles and user names for the ids a rendering names (as the reader sees them). */
export function resolveNames(tx: StoreTx, env: OpEnv, ids: MentionIds): Promise<MentionTargets> {
  return resolveMentionTargets(tx, env, ids);
}
