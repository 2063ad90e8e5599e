/**
 * Rich text (stored, response form) to one line of Notion-flavoured markdown: annotations become
 * markdown emphasis, strikethrough and code, links stay links, inline equations `$…$`, underline
 * and colour Notion's `<span underline="true">` / `<span color="…">`, line breaks `<br>`, and
 * mentions Notion's `<mention-…>` tags. The phrasing tree is serialized by mdast-util-to-markdown,
 * which escapes whatever would otherwise read as markdown; the reverse is markdown-rich-text.ts.
 */
import type { PhrasingContent } from 'mdast';
import { gfmToMarkdown } from 'mdast-util-gfm';
import { mathToMarkdown } from 'mdast-util-math';
import { type Options, toMarkdown } from 'mdast-util-to-markdown';
import type { RichTextItemResponse } from '../wire/responses.ts';

/** How mentions are shown to the reader: titles and names it may see, URLs of objects. */
export interface MentionView {
  /** The title of a page or database the reader can see; undefined hides it. */
  title(id: string): string | undefined;
  /** The name of a user when the reader may read users. */
  userName(id: string): string | undefined;
  /** The URL of a page, database or block. */
  url(id: string): string;
}

const OPTIONS: Options = {
  extensions: [gfmToMarkdown(), mathToMarkdown()],
  emphasis: '*',
  strong: '*',
  bullet: '-',
};

/** `&`, `<`, `>` and `"` escaped for an attribute value or tag content. */
export function escapeHtml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

type Attrs = Record<string, string | undefined>;

function attrList(attrs: Attrs): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeHtml(v!)}"`)
    .join('');
}

/** `<name url="…">text</name>` (text escaped), or self-closing without text. */
export function tag(name: string, attrs: Attrs, text?: string): string {
  const list = attrList(attrs);
  return text === undefined ? `<${name}${list}/>` : `<${name}${list}>${escapeHtml(text)}</${name}>`;
}

/** `<name attr="…">`, an opening tag whose content follows. */
export function openTag(name: string, attrs: Attrs = {}): string {
  return `<${name}${attrList(attrs)}>`;
}

function mentionHtml(item: Extract<RichTextItemResponse, { type: 'mention' }>, view: MentionView): string {
  const m = item.mention;
  switch (m.type) {
    case 'page':
    case 'database': {
      const id = m.type === 'page' ? m.page.id : m.database.id;
      return tag(`mention-${m.type}`, { url: view.url(id) }, view.title(id));
    }
    case 'user':
      return tag('mention-user', { url: `user://${m.user.id}` }, view.userName(m.user.id));
    case 'date':
      return tag('mention-date', { start: m.date.start, end: m.date.end ?? undefined });
    default:
      return escapeHtml(item.plain_text);
  }
}

/** Text with its line breaks as `<br>` (a markdown line is one block). */
function textNodes(value: string): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  value.split('\n').forEach((part, i) => {
    if (i > 0) out.push({ type: 'html', value: '<br>' });
    if (part !== '') out.push({ type: 'text', value: part });
  });
  return out;
}

function itemNodes(item: RichTextItemResponse, view: MentionView): PhrasingContent[] {
  const a = item.annotations;
  let nodes: PhrasingContent[];
  if (item.type === 'equation') nodes = [{ type: 'inlineMath', value: item.equation.expression }];
  else if (item.type === 'mention') nodes = [{ type: 'html', value: mentionHtml(item, view) }];
  else if (a.code) nodes = [{ type: 'inlineCode', value: item.text.content }];
  else nodes = textNodes(item.text.content);
  const link = item.type === 'text' ? item.text.link?.url : undefined;
  if (link) nodes = [{ type: 'link', url: link, children: nodes }];
  if (a.strikethrough) nodes = [{ type: 'delete', children: nodes }];
  if (a.italic) nodes = [{ type: 'emphasis', children: nodes }];
  if (a.bold) nodes = [{ type: 'strong', children: nodes }];
  const spans: string[] = [];
  if (a.underline) spans.push('underline="true"');
  if (a.color !== 'default') spans.push(`color="${a.color}"`);
  if (spans.length === 0) return nodes;
  return [{ type: 'html', value: `<span ${spans.join(' ')}>` }, ...nodes, { type: 'html', value: '</span>' }];
}

/** One line of markdown for `items` (no trailing newline). */
export function richTextToMarkdown(items: readonly RichTextItemResponse[], view: MentionView): string {
  const children = items.flatMap((item) => itemNodes(item, view));
  if (children.length === 0) return '';
  return toMarkdown({ type: 'paragraph', children }, OPTIONS).replace(/\n$/, '');
}
