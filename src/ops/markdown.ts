/**
 * Page content as Notion-flavoured markdown: reading it (GET /v1/pages/{id}/markdown), editing
 * it (PATCH, the text edits of domain/markdown-edits.ts) and creating content from it (page
 * create's `markdown`). An edit keeps the top-level blocks whose markdown it leaves unchanged at
 * the start and the end (their ids stay), trashes the ones in between and writes the new
 * markdown there as blocks; `<page>`, `<database>` and `<unknown>` tags naming blocks of this
 * page keep those blocks (moved to where the tag stands). Everything runs in the caller's one
 * transaction, so a refused edit changes nothing.
 */
import { hostedFileUrl } from '../domain/file-uploads.ts';
import type { MarkdownNode, RenderView } from '../domain/markdown-blocks-out.ts';
import { allowsDeleting, applyEdit } from '../domain/markdown-edits.ts';
import { plainText, type RichText } from '../domain/rich-text.ts';
import { pageTitle, pageUrl } from '../present/page.present.ts';
import type { BlockView, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import type { UpdatePageMarkdownBody } from '../wire/markdown.schema.ts';
import { isPage, loadVisible, type OpEnv } from './env.ts';
import { writeMarkdownBlocks } from './markdown-write.ts';
import { resolveMentionTargets } from './mentions.ts';
import { markdownParser } from './pages.ts';

/** The markdown renderer (mdast-util-to-markdown), loaded by the first markdown request. */
const markdownRenderer = () => import('../domain/markdown-blocks-out.ts');

/** Blocks read for one markdown answer at most; past it the answer is `truncated`. */
export const MARKDOWN_RECORD_LIMIT = 10_000;

/** The `page_markdown` object (without `object`). */
export interface PageMarkdown {
  id: string;
  markdown: string;
  truncated: boolean;
  unknown_block_ids: string[];
}

const ARCHIVED = "Can't edit block that is archived. You must unarchive the block before editing.";

function nodeOf(row: BlockView): MarkdownNode {
  const data = JSON.parse(row.data) as Record<string, unknown>;
  const title =
    row.type === 'page'
      ? plainText(pageTitle(row))
      : row.type === 'database'
        ? plainText((data.title as RichText | undefined) ?? [])
        : undefined;
  const opaque =
    row.type === 'page' || row.type === 'database' || (row.type === 'synced_block' && data.synced_from);
  return {
    id: row.id,
    type: row.type,
    data,
    ...(title !== undefined ? { title } : {}),
    hasChildren: row.has_children,
    children: opaque || !row.has_children ? [] : null,
  };
}

/** Reads the content below `parentId`, breadth first, until the record limit. */
async function readTree(
  tx: StoreTx,
  parentId: string,
): Promise<{ nodes: MarkdownNode[]; truncated: boolean }> {
  let budget = MARKDOWN_RECORD_LIMIT;
  let truncated = false;
  const readChildren = async (id: string): Promise<MarkdownNode[] | null> => {
    const out: MarkdownNode[] = [];
    let from: string | null = null;
    do {
      if (budget <= 0) {
        truncated = true;
        return null;
      }
      const page = await tx.blocks.listChildren(id, from, Math.min(100, budget));
      budget -= page.items.length;
      out.push(...page.items.map(nodeOf));
      from = page.next;
    } while (from);
    return out;
  };
  const nodes = (await readChildren(parentId)) ?? [];
  const queue = [...nodes];
  for (let node = queue.shift(); node; node = queue.shift()) {
    if (node.children !== null) continue;
    node.children = await readChildren(node.id);
    if (node.children) queue.push(...node.children);
  }
  return { nodes, truncated };
}

function* walk(nodes: readonly MarkdownNode[]): Generator<MarkdownNode> {
  for (const n of nodes) {
    yield n;
    yield* walk(n.children ?? []);
  }
}

/** Mentioned ids in the stored rich text of `nodes`. */
function mentionIds(nodes: readonly MarkdownNode[]) {
  const ids = { objects: new Set<string>(), users: new Set<string>() };
  const visit = (rt: unknown) => {
    for (const item of (rt as RichText | undefined) ?? []) {
      if (item.type !== 'mention') continue;
      const m = item.mention;
      if (m.type === 'page') ids.objects.add(m.page.id);
      else if (m.type === 'database') ids.objects.add(m.database.id);
      else if (m.type === 'user') ids.users.add(m.user.id);
    }
  };
  for (const n of walk(nodes)) {
    visit(n.data.rich_text);
    visit(n.data.caption);
    for (const cell of (n.data.cells as unknown[] | undefined) ?? []) visit(cell);
  }
  return ids;
}

/** Mention text and URLs as this reader sees them, and signed file URLs. */
async function viewFor(tx: StoreTx, env: OpEnv, nodes: readonly MarkdownNode[]): Promise<RenderView> {
  const { titles, userNames } = await resolveMentionTargets(tx, env, mentionIds(nodes));
  const files = env.files;
  return {
    title: (id) => titles.get(id),
    userName: (id) => userNames.get(id),
    url: (id) => pageUrl(env.publicUrl, id, titles.get(id) ?? ''),
    hostedUrl: (ref) =>
      files ? hostedFileUrl(env.publicUrl, files.urlSecret, ref, new Date(env.now)).url : '',
  };
}

/** The nodes a markdown answer for `row` shows: a page's content, or a block and its content. */
async function contentOf(tx: StoreTx, row: BlockView) {
  if (row.type === 'page') return readTree(tx, row.id);
  const node = nodeOf(row);
  if (node.children === null) {
    const sub = await readTree(tx, row.id);
    node.children = sub.nodes;
    return { nodes: [node], truncated: sub.truncated };
  }
  return { nodes: [node], truncated: false };
}

async function answer(tx: StoreTx, env: OpEnv, row: BlockView): Promise<PageMarkdown> {
  const { nodes, truncated } = await contentOf(tx, row);
  const { renderMarkdown } = await markdownRenderer();
  const rendered = renderMarkdown(nodes, await viewFor(tx, env, nodes));
  return { id: row.id, markdown: rendered.markdown, truncated, unknown_block_ids: rendered.unknownBlockIds };
}

const notContainer = (row: BlockView) => row.type !== 'database' && row.type !== 'data_source';

/** GET /v1/pages/{id}/markdown: a page, or a block named in `unknown_block_ids`. */
export async function getPageMarkdown(tx: StoreTx, env: OpEnv, id: string): Promise<PageMarkdown> {
  return answer(tx, env, await loadVisible(tx, env, id, 'page', notContainer));
}

/** PATCH /v1/pages/{id}/markdown. */
export async function updatePageMarkdown(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: UpdatePageMarkdownBody,
): Promise<PageMarkdown> {
  if (body.allow_async) throw errors.unsupported('allow_async (Octavo edits page markdown synchronously)');
  const page = await loadVisible(tx, env, id, 'page', isPage);
  if (page.in_trash) throw errors.validation(ARCHIVED);
  await tx.blocks.lockChildren(id);
  const { nodes } = await readTree(tx, id);
  const { renderMarkdown } = await markdownRenderer();
  const rendered = renderMarkdown(nodes, await viewFor(tx, env, nodes));
  const next = applyEdit(rendered.markdown, body);
  const segments = rendered.segments;
  // Unchanged top-level blocks at both ends are kept as they are.
  let head = 0;
  let at = 0;
  while (head < segments.length && startsWithBlock(next, at, segments[head]!)) {
    at += segments[head]!.length + 1;
    head++;
  }
  let tail = 0;
  let end = next.length;
  while (
    tail < segments.length - head &&
    endsWithBlock(next, end, segments[segments.length - 1 - tail]!, at)
  ) {
    end -= segments[segments.length - 1 - tail]!.length + 1;
    tail++;
  }
  const middle = next.slice(Math.min(at, next.length), Math.max(at, end));
  const { markdownToBlocks } = await markdownParser();
  await writeMarkdownBlocks(tx, env, page, {
    blocks: markdownToBlocks(middle),
    removed: nodes.slice(head, nodes.length - tail),
    page: nodes,
    after: head > 0 ? nodes[head - 1]!.id : null,
    allowDeleting: allowsDeleting(body),
  });
  return answer(tx, env, (await tx.blocks.get(id))!);
}

function startsWithBlock(text: string, at: number, segment: string): boolean {
  if (!text.startsWith(segment, at)) return false;
  const after = at + segment.length;
  return after === text.length || text[after] === '\n';
}

function endsWithBlock(text: string, end: number, segment: string, floor: number): boolean {
  const start = end - segment.length;
  if (start < floor || text.slice(start, end) !== segment) return false;
  return start === 0 || text[start - 1] === '\n';
}
