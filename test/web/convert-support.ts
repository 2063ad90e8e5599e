/**
 * Helpers for the block conversion tests: response-shaped Notion blocks and rich text, editor
 * blocks as BlockNote fills them, and the official SDK as the sync plan's API.
 */
import type { Client } from '@notionhq/client';
import type { EditorBlock, NotionBlock, WriteBody } from '../../src/web/client/convert.ts';
import type { SyncApi } from '../../src/web/client/sync.ts';

export const PLAIN = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: 'default',
};

/** A response rich text item. */
export function RT(content: string, annotations: Partial<typeof PLAIN> = {}, link?: string) {
  return {
    type: 'text',
    text: { content, link: link ? { url: link } : null },
    annotations: { ...PLAIN, ...annotations },
    plain_text: content,
    href: link ?? null,
  };
}

/** The request item `fromEditor` writes for `RT(...)`. */
export function W(content: string, annotations: Partial<typeof PLAIN> = {}, link?: string) {
  return {
    type: 'text',
    text: { content, link: link ? { url: link } : null },
    annotations: { ...PLAIN, ...annotations },
  };
}

let n = 0;
/** A response block of `type` with `payload` (and children, when given). */
export function NB(type: string, payload: Record<string, unknown>, children?: NotionBlock[]): NotionBlock {
  n++;
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    object: 'block',
    id,
    type,
    has_children: (children?.length ?? 0) > 0,
    [type]: payload,
    ...(children ? { children } : {}),
  };
}

const TEXT_DEFAULTS = { textColor: 'default', backgroundColor: 'default', textAlignment: 'left', notion: '' };

/** An editor block the way BlockNote fills it in (default props included). */
export function EB(
  type: string,
  props: Record<string, unknown> = {},
  content?: unknown,
  children: EditorBlock[] = [],
): EditorBlock {
  n++;
  const defaults: Record<string, Record<string, unknown>> = {
    paragraph: TEXT_DEFAULTS,
    heading: { ...TEXT_DEFAULTS, level: 1, isToggleable: false },
    bulletListItem: TEXT_DEFAULTS,
    numberedListItem: TEXT_DEFAULTS,
    checkListItem: { ...TEXT_DEFAULTS, checked: false },
    toggleListItem: TEXT_DEFAULTS,
    quote: { textColor: 'default', backgroundColor: 'default', notion: '' },
    callout: { textColor: 'default', backgroundColor: 'default', icon: '', notion: '' },
    codeBlock: { language: 'plain text', notion: '' },
    image: {
      textAlignment: 'left',
      backgroundColor: 'default',
      name: '',
      url: '',
      caption: '',
      showPreview: true,
      notion: '',
    },
    video: {
      textAlignment: 'left',
      backgroundColor: 'default',
      name: '',
      url: '',
      caption: '',
      showPreview: true,
      notion: '',
    },
    audio: { backgroundColor: 'default', name: '', url: '', caption: '', showPreview: true, notion: '' },
    file: { backgroundColor: 'default', name: '', url: '', caption: '', notion: '' },
    table: { textColor: 'default', notion: '' },
  };
  const block: EditorBlock = {
    id: `e-${n}`,
    type,
    props: { ...(defaults[type] ?? { notion: '' }), ...props },
    children,
  };
  if (content !== undefined) block.content = content;
  return block;
}

/** Styled text as BlockNote holds it. */
export const T = (text: string, styles: Record<string, unknown> = {}) => ({ type: 'text', text, styles });

/** A table's content as BlockNote holds it. */
export function tableContent(rows: string[][], header = false) {
  return {
    type: 'tableContent',
    columnWidths: rows[0]!.map(() => undefined),
    ...(header ? { headerRows: 1 } : {}),
    rows: rows.map((r) => ({
      cells: r.map((c) => ({
        type: 'tableCell',
        props: {
          backgroundColor: 'default',
          textColor: 'default',
          textAlignment: 'left',
          colspan: 1,
          rowspan: 1,
        },
        content: c ? [T(c)] : [],
      })),
    })),
  };
}

/** The block tree under `id` as the API returns it, `children` added (pages are not entered). */
export async function fetchTree(client: Client, id: string): Promise<NotionBlock[]> {
  const out: NotionBlock[] = [];
  let cursor: string | undefined;
  do {
    const res = await client.blocks.children.list({
      block_id: id,
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    for (const b of res.results as NotionBlock[]) {
      const enter = b.has_children && b.type !== 'child_page' && b.type !== 'child_database';
      out.push(enter ? { ...b, children: await fetchTree(client, b.id) } : b);
    }
    cursor = res.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

/** The sync plan's API on the official SDK. */
export function sdkApi(client: Client, calls: string[] = []): SyncApi {
  return {
    update: (id, body) => {
      calls.push(`update ${body.type}`);
      return client.blocks.update({ block_id: id, ...body } as never);
    },
    append: async (parent, children: WriteBody[], position) => {
      calls.push(`append ${children.length}`);
      const res = await client.blocks.children.append({
        block_id: parent,
        children: children as never,
        ...(position && 'after' in position
          ? { position: { type: 'after_block', after_block: { id: position.after } } }
          : position
            ? { position: { type: 'start' } }
            : {}),
      } as never);
      return res.results.map((r) => r.id);
    },
    delete: (id) => {
      calls.push('delete');
      return client.blocks.delete({ block_id: id });
    },
    listChildren: async (id) => {
      calls.push('list');
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await client.blocks.children.list({
          block_id: id,
          ...(cursor ? { start_cursor: cursor } : {}),
        });
        ids.push(...res.results.map((r) => r.id));
        cursor = res.next_cursor ?? undefined;
      } while (cursor);
      return ids;
    },
  };
}
