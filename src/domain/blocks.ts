/**
 * Block-tree rules: which blocks may hold which children, and turning parsed block requests into
 * stored payloads (response form). Rules between blocks sent together live in the request schema;
 * the rules here also see the existing block that receives the children.
 */
import type { BlockRequest } from '../wire/blocks.schema.ts';
import { bodyError, type PathSegment } from '../wire/validation.ts';
import { createPayload } from './block-payloads.ts';
import type { MentionResolver } from './rich-text.ts';

export { createPayload, updatePayload } from './block-payloads.ts';

/** A new block ready to store: its place in the tree, its response-form payload, its request path. */
export interface NewBlock {
  id: string;
  type: string;
  parentId: string;
  data: Record<string, unknown>;
  children: NewBlock[];
  /** Where the block sits in the request, e.g. `['children', 0, 'toggle', 'children', 1]`. */
  path: PathSegment[];
}

/** The block receiving children: `page` for pages, else its stored type and payload. */
export interface ParentInfo {
  type: string;
  data: Record<string, unknown>;
}

const PAGE_PARENT: ParentInfo = { type: 'page', data: {} };

/** Containers that accept one child type only. */
const ONLY_CHILD: Record<string, string> = { column_list: 'column', table: 'table_row', tab: 'paragraph' };

const ANY_CHILD = new Set([
  'page',
  'paragraph',
  'bulleted_list_item',
  'numbered_list_item',
  'quote',
  'toggle',
  'to_do',
  'template',
  'callout',
  'column',
]);

/**
 * What children `parent` accepts: any block, one type only, or none (media, dividers, …, a
 * heading that is not toggleable, a synced_block that only references another one).
 */
export function childrenAccepted(parent: ParentInfo): 'any' | { only: string } | null {
  const only = ONLY_CHILD[parent.type];
  if (only) return { only };
  if (parent.type.startsWith('heading_')) return parent.data.is_toggleable === true ? 'any' : null;
  if (parent.type === 'synced_block') return parent.data.synced_from === null ? 'any' : null;
  return ANY_CHILD.has(parent.type) ? 'any' : null;
}

/** Checks that `req`, sent at `path`, may become a child of the existing `parent`. */
function checkPlacement(parent: ParentInfo, req: BlockRequest, path: PathSegment[]): void {
  const accepted = childrenAccepted(parent);
  if (accepted !== null && accepted !== 'any' && req.type !== accepted.only) {
    throw bodyError([...path, 'type'], `should be \`"${accepted.only}"\``, req.type);
  }
  if (req.type === 'column' && parent.type !== 'column_list') {
    throw bodyError([...path, 'column'], 'should be inside a column_list block', req.payload);
  }
  if (req.type === 'table_row') {
    if (parent.type !== 'table') {
      throw bodyError([...path, 'table_row'], 'should be inside a table block', req.payload);
    }
    const cells = (req.payload.cells as unknown[]).length;
    if (cells !== parent.data.table_width) {
      throw bodyError(
        [...path, 'table_row', 'cells'],
        `should be \`${parent.data.table_width}\``,
        cells,
        '.length',
      );
    }
  }
}

/**
 * Builds the tree of new blocks under `parentId`, assigning ids with `newId`. The top-level
 * requests are checked against `parent` (a page when omitted); `base` is the request path of
 * the children array.
 */
export async function buildBlockTree(
  requests: readonly BlockRequest[],
  parentId: string,
  resolver: MentionResolver,
  newId: () => string,
  parent: ParentInfo = PAGE_PARENT,
  base: PathSegment[] = ['children'],
): Promise<NewBlock[]> {
  for (const [i, req] of requests.entries()) checkPlacement(parent, req, [...base, i]);
  return buildLevel(requests, parentId, resolver, newId, base);
}

async function buildLevel(
  requests: readonly BlockRequest[],
  parentId: string,
  resolver: MentionResolver,
  newId: () => string,
  base: PathSegment[],
): Promise<NewBlock[]> {
  const out: NewBlock[] = [];
  for (const [i, req] of requests.entries()) {
    const id = newId();
    const path = [...base, i];
    const data = await createPayload(req.type, req.payload, resolver, [...path, req.type]);
    const children = await buildLevel(req.children, id, resolver, newId, [...path, req.type, 'children']);
    out.push({ id, type: req.type, parentId, data, children, path });
  }
  return out;
}

/** Every block of a tree, parents before children. */
export function flattenTree(blocks: readonly NewBlock[]): NewBlock[] {
  return blocks.flatMap((b) => [b, ...flattenTree(b.children)]);
}

export function countTree(blocks: readonly BlockRequest[]): number {
  return blocks.reduce((n, b) => n + 1 + countTree(b.children), 0);
}
