/**
 * Block-tree rules: turning parsed block requests into stored payloads (response form), and
 * which types may hold children.
 */
import type { BlockRequest } from '../wire/blocks.schema.ts';
import { type MentionResolver, normalizeRichText } from './rich-text.ts';

/** A new block ready to store: its place in the tree and its response-form payload. */
export interface NewBlock {
  id: string;
  type: string;
  parentId: string;
  data: Record<string, unknown>;
  children: NewBlock[];
}

/** Types whose payload is rich text + color, and the defaults each adds. */
const TEXT_DEFAULTS: Record<string, Record<string, unknown>> = {
  paragraph: {},
  bulleted_list_item: {},
  numbered_list_item: {},
  quote: {},
  toggle: {},
  to_do: { checked: false },
  heading_1: { is_toggleable: false },
  heading_2: { is_toggleable: false },
  heading_3: { is_toggleable: false },
};

/** Normalizes one block's payload to the form responses carry. */
export async function normalizePayload(
  type: string,
  payload: Record<string, unknown>,
  resolver: MentionResolver,
): Promise<Record<string, unknown>> {
  const defaults = TEXT_DEFAULTS[type];
  if (defaults) {
    const rich_text = await normalizeRichText(
      (payload.rich_text ?? []) as Parameters<typeof normalizeRichText>[0],
      resolver,
    );
    return {
      rich_text,
      color: payload.color ?? 'default',
      ...defaults,
      ...omit(payload, ['rich_text', 'color']),
    };
  }
  return { ...payload };
}

function omit(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** Builds the tree of new blocks under `parentId`, assigning ids with `newId`. */
export async function buildBlockTree(
  requests: readonly BlockRequest[],
  parentId: string,
  resolver: MentionResolver,
  newId: () => string,
): Promise<NewBlock[]> {
  const out: NewBlock[] = [];
  for (const req of requests) {
    const id = newId();
    const data = await normalizePayload(req.type, req.payload, resolver);
    const children = await buildBlockTree(req.children, id, resolver, newId);
    out.push({ id, type: req.type, parentId, data, children });
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
