/**
 * A tree of stored blocks as Notion-flavoured markdown (GET /v1/pages/{id}/markdown): one block
 * per line, children indented one tab deeper, and Notion's tags for what plain markdown lacks
 * (`<details>`, `<callout>`, `<columns>`, `<table>`, `<page>`, `<video>`, …). A block whose
 * children were not read (the record limit) or whose type has no markdown form is written as
 * `<unknown url="…" alt="type"/>` and its id reported, so it can be fetched on its own. The
 * reverse is markdown-blocks-in.ts; both are pure.
 */
import { hostedRefOf } from './file-uploads.ts';
import { type MentionView, openTag, richTextToMarkdown, tag } from './markdown-inline.ts';
import type { RichText } from './rich-text.ts';

/** A stored block with its children, or `children: null` when they were not read. */
export interface MarkdownNode {
  id: string;
  type: string;
  data: Record<string, unknown>;
  /** Plain title of a child page or database. */
  title?: string;
  hasChildren: boolean;
  children: MarkdownNode[] | null;
}

/** What rendering needs besides the blocks: mention text, object URLs and hosted-file URLs. */
export interface RenderView extends MentionView {
  /** A freshly signed URL for a stored upload reference. */
  hostedUrl(ref: { file_upload_id: string; filename: string }): string;
}

/** The markdown of a tree and the blocks written as `<unknown>`. */
export interface RenderedMarkdown {
  markdown: string;
  unknownBlockIds: string[];
  /** The markdown of each top-level node, in order (joined by `\n` they make `markdown`). */
  segments: string[];
}

const MEDIA_TAGS = new Set(['video', 'audio', 'file', 'pdf']);
/** Types read only whole: their descendants are not part of this page's content. */
const OPAQUE = new Set(['page', 'database']);

type Data = Record<string, unknown>;

class Writer {
  readonly lines: string[] = [];
  readonly unknown: string[] = [];
  readonly view: RenderView;
  constructor(view: RenderView) {
    this.view = view;
  }

  line(depth: number, text: string): void {
    // Multi-line blocks (code, equations) keep their inner lines at the block's depth.
    for (const part of text.split('\n')) this.lines.push('\t'.repeat(depth) + part);
  }

  text(rt: unknown): string {
    return richTextToMarkdown((rt as RichText | undefined) ?? [], this.view);
  }

  urlOf(source: Data): string {
    const ref = hostedRefOf(source);
    if (ref) return this.view.hostedUrl(ref);
    return ((source.external as { url?: string } | undefined)?.url as string | undefined) ?? '';
  }
}

/** ` {color="…" toggle="true"}` for a block's colour and toggle state, or nothing. */
function attributeList(data: Data, toggle = false): string {
  const parts: string[] = [];
  if (toggle) parts.push('toggle="true"');
  if (typeof data.color === 'string' && data.color !== 'default') parts.push(`color="${data.color}"`);
  return parts.length > 0 ? ` {${parts.join(' ')}}` : '';
}

function colorAttr(data: Data): string | undefined {
  return typeof data.color === 'string' && data.color !== 'default' ? data.color : undefined;
}

/** A fence longer than any run of backticks in the code. */
function fenceFor(code: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function children(w: Writer, node: MarkdownNode, depth: number): void {
  run(w, node.children ?? [], depth);
}

/** Siblings in order; numbered items count within each run of them. */
function run(w: Writer, nodes: readonly MarkdownNode[], depth: number): void {
  let index = 0;
  for (const node of nodes) {
    index = node.type === 'numbered_list_item' ? index + 1 : 0;
    block(w, node, depth, index);
  }
}

function listPrefix(node: MarkdownNode, index: number): string {
  if (node.type === 'bulleted_list_item') return '- ';
  if (node.type === 'numbered_list_item') return `${index}. `;
  return node.data.checked === true ? '- [x] ' : '- [ ] ';
}

function unknownBlock(w: Writer, node: MarkdownNode, depth: number): void {
  w.unknown.push(node.id);
  w.line(depth, tag('unknown', { url: w.view.url(node.id), alt: node.type }));
}

/** Writes `node` at `depth`; `index` is its number within a run of numbered items. */
function block(w: Writer, node: MarkdownNode, depth: number, index = 1): void {
  const d = node.data;
  if (node.children === null && node.hasChildren && !OPAQUE.has(node.type)) {
    unknownBlock(w, node, depth);
    return;
  }
  switch (node.type) {
    case 'paragraph': {
      const text = w.text(d.rich_text);
      w.line(depth, (text === '' ? '<empty-block/>' : text) + attributeList(d));
      children(w, node, depth + 1);
      return;
    }
    case 'heading_1':
    case 'heading_2':
    case 'heading_3':
    case 'heading_4': {
      const level = Number(node.type.slice(-1));
      const toggle = d.is_toggleable === true;
      w.line(depth, `${'#'.repeat(level)} ${w.text(d.rich_text)}${attributeList(d, toggle)}`);
      children(w, node, depth + 1);
      return;
    }
    case 'bulleted_list_item':
    case 'numbered_list_item':
    case 'to_do':
      w.line(depth, listPrefix(node, index) + w.text(d.rich_text) + attributeList(d));
      children(w, node, depth + 1);
      return;
    case 'quote':
      w.line(depth, `> ${w.text(d.rich_text)}${attributeList(d)}`);
      children(w, node, depth + 1);
      return;
    case 'toggle':
      w.line(depth, openTag('details', { color: colorAttr(d) }));
      w.line(depth + 1, `<summary>${w.text(d.rich_text)}</summary>`);
      children(w, node, depth + 1);
      w.line(depth, '</details>');
      return;
    case 'callout': {
      const icon = d.icon as Data | null;
      const iconText = icon ? ((icon.emoji as string | undefined) ?? w.urlOf(icon)) : undefined;
      w.line(depth, openTag('callout', { icon: iconText, color: colorAttr(d) }));
      const text = w.text(d.rich_text);
      if (text !== '' || (node.children ?? []).length > 0) w.line(depth + 1, text || '<empty-block/>');
      children(w, node, depth + 1);
      w.line(depth, '</callout>');
      return;
    }
    case 'code': {
      const code = ((d.rich_text as RichText | undefined) ?? []).map((r) => r.plain_text).join('');
      const fence = fenceFor(code);
      w.line(depth, `${fence}${d.language ?? ''}\n${code}\n${fence}`);
      return;
    }
    case 'equation':
      w.line(depth, `$$\n${d.expression as string}\n$$`);
      return;
    case 'divider':
      w.line(depth, '---');
      return;
    case 'table_of_contents':
      w.line(depth, tag('table_of_contents', { color: colorAttr(d) }));
      return;
    case 'table':
      table(w, node, depth);
      return;
    case 'column_list':
      w.line(depth, '<columns>');
      for (const column of node.children ?? []) {
        const ratio = column.data.width_ratio;
        w.line(depth + 1, openTag('column', { width: ratio === undefined ? undefined : String(ratio) }));
        children(w, column, depth + 2);
        w.line(depth + 1, '</column>');
      }
      w.line(depth, '</columns>');
      return;
    case 'image':
      w.line(depth, `![${w.text(d.caption)}](${w.urlOf(d)})`);
      return;
    case 'bookmark':
    case 'embed':
      w.line(depth, `${openTag(node.type, { url: d.url as string })}${w.text(d.caption)}</${node.type}>`);
      return;
    case 'page':
    case 'database':
      w.line(depth, tag(node.type, { url: w.view.url(node.id) }, node.title ?? ''));
      return;
    case 'synced_block': {
      const from = d.synced_from as { block_id: string } | null;
      if (from) {
        w.line(depth, tag('synced_block_reference', { url: w.view.url(from.block_id) }));
        return;
      }
      w.line(depth, openTag('synced_block', { url: w.view.url(node.id) }));
      children(w, node, depth + 1);
      w.line(depth, '</synced_block>');
      return;
    }
    default:
      if (MEDIA_TAGS.has(node.type)) {
        const open = openTag(node.type, { src: w.urlOf(d) });
        w.line(depth, `${open}${w.text(d.caption)}</${node.type}>`);
        return;
      }
      unknownBlock(w, node, depth);
      return;
  }
}

function table(w: Writer, node: MarkdownNode, depth: number): void {
  const d = node.data;
  const attrs = {
    'header-row': d.has_column_header === true ? 'true' : undefined,
    'header-column': d.has_row_header === true ? 'true' : undefined,
  };
  w.line(depth, openTag('table', attrs));
  for (const row of node.children ?? []) {
    w.line(depth + 1, '<tr>');
    for (const cell of (row.data.cells as RichText[] | undefined) ?? []) {
      w.line(depth + 2, `<td>${w.text(cell)}</td>`);
    }
    w.line(depth + 1, '</tr>');
  }
  w.line(depth, '</table>');
}

/** The markdown of `nodes` (a page's content, or one block), in order. */
export function renderMarkdown(nodes: readonly MarkdownNode[], view: RenderView): RenderedMarkdown {
  const w = new Writer(view);
  const starts: number[] = [];
  let index = 0;
  for (const node of nodes) {
    index = node.type === 'numbered_list_item' ? index + 1 : 0;
    starts.push(w.lines.length);
    block(w, node, 0, index);
  }
  const segments = starts.map((at, i) => w.lines.slice(at, starts[i + 1] ?? w.lines.length).join('\n'));
  return { markdown: w.lines.join('\n'), unknownBlockIds: w.unknown, segments };
}
