/**
 * Writing blocks parsed from markdown into a page: new blocks are checked against their request
 * schemas and stored like appended children; `<page>`, `<database>` and `<unknown>` tags must
 * name blocks of the page being edited, which then move to where the tag stands; blocks the edit
 * removes go to the trash, child pages and databases only when the request allows deleting.
 */
import { buildBlockTree, countTree } from '../domain/blocks.ts';
import type { ParsedBlock } from '../domain/markdown-blocks-in.ts';
import type { MarkdownNode } from '../domain/markdown-blocks-out.ts';
import { newId } from '../lib/ids.ts';
import { keyBetween } from '../lib/order-key.ts';
import type { BlockView, StoreTx } from '../store/store.ts';
import { CREATE_PAYLOADS, type CreatableBlockType } from '../wire/block-payloads.ts';
import type { BlockRequest } from '../wire/blocks.schema.ts';
import { errors } from '../wire/errors.ts';
import { bodyError, parseAt } from '../wire/validation.ts';
import { insertBlockTree, MAX_BLOCKS_PER_REQUEST } from './blocks.ts';
import { mentionResolver, type OpEnv } from './env.ts';
import { resyncRow } from './rows.ts';

/** One markdown write: the new blocks, and what they replace. */
export interface MarkdownWrite {
  /** The blocks the new markdown stands for, in order. */
  blocks: ParsedBlock[];
  /** Top-level blocks the edit replaces (trashed unless named again). */
  removed: readonly MarkdownNode[];
  /** The page's whole content as read, to find the blocks tags name. */
  page: readonly MarkdownNode[];
  /** The kept top-level block the new blocks follow; null for the start. */
  after: string | null;
  allowDeleting: boolean;
}

const MEDIA = new Set(['image', 'video', 'audio', 'file', 'pdf']);

function* walk(
  nodes: readonly MarkdownNode[],
  skip: ReadonlySet<string> = new Set(),
): Generator<MarkdownNode> {
  for (const n of nodes) {
    if (skip.has(n.id)) continue;
    yield n;
    yield* walk(n.children ?? [], skip);
  }
}

/** A parsed block as a checked request; file URLs this server signed become their uploads. */
function requestOf(env: OpEnv, block: ParsedBlock): BlockRequest {
  if (block.kind === 'existing') {
    throw bodyError(['markdown'], `should have \`<${block.tag}>\` tags only at the top level`, block.id);
  }
  const type = block.type as CreatableBlockType;
  const payload = parseAt(CREATE_PAYLOADS[type], block.payload, ['markdown']) as Record<string, unknown>;
  const url = (payload.external as { url?: string } | undefined)?.url;
  if (MEDIA.has(type) && url?.startsWith(`${env.publicUrl}/files/`)) {
    delete payload.external;
    payload.hosted_url = url;
  }
  return { type, payload, children: block.children.map((c) => requestOf(env, c)) };
}

/** Groups the blocks into runs of new blocks and single existing ones. */
function runs(
  blocks: readonly ParsedBlock[],
): (ParsedBlock[] | Extract<ParsedBlock, { kind: 'existing' }>)[] {
  const out: (ParsedBlock[] | Extract<ParsedBlock, { kind: 'existing' }>)[] = [];
  for (const b of blocks) {
    const last = out.at(-1);
    if (b.kind === 'existing') out.push(b);
    else if (Array.isArray(last)) last.push(b);
    else out.push([b]);
  }
  return out;
}

/** Writes `w` into `page` (content blocks under it). */
export async function writeMarkdownBlocks(tx: StoreTx, env: OpEnv, page: BlockView, w: MarkdownWrite) {
  const inPage = new Map([...walk(w.page)].map((n) => [n.id, n]));
  const removedIds = new Set([...walk(w.removed)].map((n) => n.id));
  const kept = new Set<string>();
  for (const b of w.blocks) {
    if (b.kind !== 'existing') continue;
    if (!inPage.has(b.id) || !removedIds.has(b.id) || kept.has(b.id)) {
      throw bodyError(
        ['markdown'],
        `should name, in \`<${b.tag}>\` tags, blocks of this page that the edit moves, once each`,
        b.id,
      );
    }
    kept.add(b.id);
  }
  const requests = runs(w.blocks).flatMap((r) => (Array.isArray(r) ? r.map((b) => requestOf(env, b)) : []));
  const total = countTree(requests);
  if (total > MAX_BLOCKS_PER_REQUEST) {
    throw bodyError(['markdown'], `should stand for at most \`${MAX_BLOCKS_PER_REQUEST}\` blocks`, total);
  }
  const lost = [...walk(w.removed, kept)].filter((n) => n.type === 'page' || n.type === 'database');
  if (lost.length > 0 && !w.allowDeleting) {
    throw errors.validation(
      `This edit would delete ${lost.length} child page(s) or database(s) (${lost.map((n) => n.id).join(', ')}). Set allow_deleting_content to true to delete them.`,
    );
  }
  const stamp = { last_edited_time: env.now, last_edited_by: env.actor.botUserId };
  for (const n of w.removed) if (!kept.has(n.id)) await tx.blocks.update(n.id, { in_trash: 1, ...stamp });
  let anchor = w.after;
  for (const r of runs(w.blocks)) {
    if (Array.isArray(r)) {
      const reqs = r.map((b) => requestOf(env, b));
      const tree = await buildBlockTree(reqs, page.id, mentionResolver(tx, env), newId, undefined, [
        'markdown',
      ]);
      const position = anchor
        ? { type: 'after_block' as const, after_block: { id: anchor } }
        : { type: 'start' as const };
      await insertBlockTree(tx, env, tree, position);
      anchor = tree.at(-1)?.id ?? anchor;
      continue;
    }
    const anchorKey = anchor ? ((await tx.blocks.get(anchor))?.sort_key ?? null) : null;
    const next = anchorKey
      ? await tx.blocks.nextSiblingKey(page.id, anchorKey)
      : await tx.blocks.firstChildKey(page.id);
    const sortKey = keyBetween(anchorKey, next);
    await tx.blocks.update(r.id, { parent_type: 'page_id', parent_id: page.id, sort_key: sortKey, ...stamp });
    anchor = r.id;
  }
  await tx.blocks.update(page.id, stamp);
  await resyncRow(tx, page.id);
}
