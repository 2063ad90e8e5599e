/**
 * Workspace administration outside any integration: first-start bootstrap, pages made from the
 * CLI. These act as the workspace's admin person, not as a bot.
 */

import { buildBlockTree } from '../domain/blocks.ts';
import { ALL_CAPABILITIES } from '../domain/capabilities.ts';
import { textItem } from '../domain/rich-text.ts';
import { randomBase62 } from '../lib/crypto.ts';
import { newId } from '../lib/ids.ts';
import { keyAfter, keyBetween } from '../lib/order-key.ts';
import type { BlockRow, StoreTx, UserRow } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { issueAdminToken } from './admin-token.ts';
import { insertBlockTree } from './blocks.ts';
import type { OpEnv } from './env.ts';
import { createIntegration } from './integrations.ts';
import { newBlockRow } from './placement.ts';
import { createPerson } from './users.ts';

export const QUICKSTART_INTEGRATION = 'Octavo Quickstart';
export const ADMIN_EMAIL = 'admin@octavo.local';

export interface Workspace {
  id: string;
  name: string;
}

export async function getWorkspace(tx: StoreTx): Promise<Workspace | null> {
  const id = await tx.meta.get('workspace_id');
  const name = await tx.meta.get('workspace_name');
  return id && name ? { id, name } : null;
}

async function adminUser(tx: StoreTx, now: string): Promise<UserRow> {
  return (
    (await tx.users.getByEmail(ADMIN_EMAIL)) ?? createPerson(tx, { name: 'Admin', email: ADMIN_EMAIL, now })
  );
}

/** Creates a page as the admin, at the workspace level or under `parentId`. */
export async function createAdminPage(
  tx: StoreTx,
  input: { title: string; parentId?: string | undefined; now: string },
): Promise<BlockRow> {
  const admin = await adminUser(tx, input.now);
  let parentType: BlockRow['parent_type'] = 'workspace';
  let sortKey: string;
  if (input.parentId) {
    const parent = await tx.blocks.get(input.parentId);
    if (parent?.type !== 'page') throw errors.notFound('page', input.parentId);
    parentType = 'page_id';
    await tx.blocks.lockChildren(parent.id);
    const last = await tx.blocks.lastChildKey(parent.id);
    sortKey = last ? keyAfter(last) : keyBetween(null, null);
  } else {
    const pages = await tx.blocks.listWorkspacePages();
    const last = pages.at(-1)?.sort_key ?? null;
    sortKey = last ? keyAfter(last) : keyBetween(null, null);
  }
  const row = newBlockRow(admin.id, input.now, {
    id: newId(),
    type: 'page',
    parent_type: parentType,
    parent_id: input.parentId ?? null,
    sort_key: sortKey,
    data: '{}',
    properties: JSON.stringify({ title: { id: 'title', type: 'title', title: [textItem(input.title)] } }),
  });
  await tx.blocks.insertMany([row]);
  return row;
}

export interface BootstrapResult {
  workspace: Workspace;
  /**
   * Set only on the first start, when the quickstart integration is created: its token, its
   * page, and the admin API's token (ops/admin-token.ts).
   */
  created: { token: string; pageId: string; adminToken: string } | null;
  quickstartPageId: string | null;
  /** The HMAC key of hosted-file URLs, made on the first start and shared through the database. */
  fileUrlSecret: string;
}

const GETTING_STARTED = [
  'This page was created on the first start of Octavo and is shared with the "Octavo Quickstart" integration.',
  'Point the official SDK at this server: new Client({ auth: token, baseUrl: "http://127.0.0.1:7400" }).',
  'Anything you create under this page is visible to the integration; other pages must be shared first.',
];

/** Creates workspace, admin, quickstart integration and its shared "Getting started" page once. */
export async function bootstrap(tx: StoreTx, now: string): Promise<BootstrapResult> {
  // Nodes starting together on a new database take turns: the first insert of this key holds its
  // row until that node's bootstrap commits, and the others wait on it, then find everything made.
  await tx.meta.setIfAbsent('bootstrapped_at', now);
  let workspace = await getWorkspace(tx);
  if (!workspace) {
    workspace = { id: newId(), name: 'Octavo' };
    await tx.meta.set('workspace_id', workspace.id);
    await tx.meta.set('workspace_name', workspace.name);
  }
  // Nodes starting together must end with one key: the first insert wins, the others (blocked
  // on its row until it commits) insert nothing, and every node reads back the winner.
  await tx.meta.setIfAbsent('file_url_secret', randomBase62(43));
  const fileUrlSecret = (await tx.meta.get('file_url_secret'))!;
  const existingPage = await tx.meta.get('quickstart_page_id');
  if (existingPage) return { workspace, created: null, quickstartPageId: existingPage, fileUrlSecret };

  const { integration, token } = await createIntegration(tx, {
    name: QUICKSTART_INTEGRATION,
    capabilities: ALL_CAPABILITIES,
    now,
  });
  const page = await createAdminPage(tx, { title: 'Getting started', now });
  const env: OpEnv = {
    actor: {
      integrationId: integration.id,
      integrationName: integration.name,
      botUserId: page.created_by,
      capabilities: new Set(),
    },
    now,
    publicUrl: '',
  };
  const paragraphs = GETTING_STARTED.map((text) => ({
    type: 'paragraph' as const,
    payload: { rich_text: [{ text: { content: text } }] },
    children: [],
  }));
  const noMentions = { actorName: 'Admin', userName: async () => null, pageInfo: async () => null };
  await insertBlockTree(tx, env, await buildBlockTree(paragraphs, page.id, noMentions, newId), null);
  await tx.shares.add(integration.id, page.id, now);
  await tx.meta.set('quickstart_page_id', page.id);
  const adminToken = await issueAdminToken(tx);
  return {
    workspace,
    created: { token, pageId: page.id, adminToken },
    quickstartPageId: page.id,
    fileUrlSecret,
  };
}
