/**
 * Markdown to rich text, for the bodies that Notion lets clients write as markdown (comments).
 * Only inline formatting is kept, as Notion's contract says: bold, italic, strikethrough, code,
 * links, inline equations (`$…$`) and mentions. Mentions are written as Notion's enhanced
 * markdown tags (`<mention-page url="…"/>`, `<mention-database url="…"/>`,
 * `<mention-user url="user://<id>"/>`, `<mention-date start="…" end="…"/>`); a tag's content,
 * if any, is the writer's text for it and is replaced by the mention's own. Block structure
 * (paragraphs, headings, list items, quotes) becomes line breaks between the blocks' text.
 *
 * The markdown is parsed by micromark (CommonMark, GFM, math); only the inline HTML nodes it
 * finds are scanned for the mention tags, which are a small tag grammar of their own.
 */
import type { Nodes, PhrasingContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { mathFromMarkdown } from 'mdast-util-math';
import { gfm } from 'micromark-extension-gfm';
import { math } from 'micromark-extension-math';
import { normalizeId } from '../lib/ids.ts';
import { MAX_TEXT } from '../wire/common.schema.ts';
import { bodyError } from '../wire/validation.ts';

/** Rich text request items as a client would have sent them (validated by the caller). */
export type RichTextDraft = Record<string, unknown>[];

interface Marks {
  bold: boolean;
  italic: boolean;
  strikethrough: boolean;
  code: boolean;
  link: string | null;
  underline?: boolean;
  color?: string;
}

const PLAIN: Marks = { bold: false, italic: false, strikethrough: false, code: false, link: null };

/** Notion's inline `<span underline="true" color="…">` and `<br>` tags. */
const SPAN = /<(\/?)span((?:\s+[a-z_-]+="[^"]*")*)\s*>|<br\s*\/?>/g;

const TAG = /<(\/?)(mention-(?:page|database|user|date))((?:\s+[a-z_-]+="[^"]*")*)\s*(\/?)>/g;
const ATTRIBUTE = /([a-z_-]+)="([^"]*)"/g;
const HEX_ID = /([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})(?![0-9a-f])/gi;

/** Collects items, merging neighbouring text of the same marks. */
class Builder {
  readonly items: RichTextDraft = [];
  private run: { text: string; marks: Marks } | null = null;
  /** The mention tag whose content is being skipped, if any. */
  skipping: string | null = null;
  /** Open `<span>` tags: the underline and colour they add. */
  readonly spans: Partial<Marks>[] = [];

  private withSpans(marks: Marks): Marks {
    return Object.assign({}, marks, ...this.spans) as Marks;
  }

  text(text: string, given: Marks): void {
    if (this.skipping || text === '') return;
    const marks = this.withSpans(given);
    if (this.run && sameMarks(this.run.marks, marks)) {
      this.run.text += text;
      return;
    }
    this.flush();
    this.run = { text, marks };
  }

  item(item: Record<string, unknown>, marks: Marks): void {
    if (this.skipping) return;
    this.flush();
    this.items.push({ ...item, annotations: annotations(this.withSpans(marks)) });
  }

  flush(): void {
    if (!this.run) return;
    const { text, marks } = this.run;
    this.run = null;
    // Text items hold at most MAX_TEXT characters: long runs become several items.
    for (let i = 0; i < text.length; i += MAX_TEXT) {
      const content = text.slice(i, i + MAX_TEXT);
      this.items.push({
        type: 'text',
        text: { content, link: marks.link ? { url: marks.link } : null },
        annotations: annotations(marks),
      });
    }
  }
}

function sameMarks(a: Marks, b: Marks): boolean {
  return (
    a.bold === b.bold &&
    a.italic === b.italic &&
    a.strikethrough === b.strikethrough &&
    a.code === b.code &&
    a.link === b.link &&
    a.underline === b.underline &&
    a.color === b.color
  );
}

function annotations(m: Marks) {
  return {
    bold: m.bold,
    italic: m.italic,
    strikethrough: m.strikethrough,
    code: m.code,
    ...(m.underline ? { underline: true } : {}),
    ...(m.color ? { color: m.color } : {}),
  };
}

/**
 * Rich text request items for inline markdown already parsed (one block's phrasing content), as
 * the page-markdown converter finds it (domain/markdown-blocks-in.ts).
 */
export function phrasingToRichText(nodes: readonly PhrasingContent[]): RichTextDraft {
  const out = new Builder();
  for (const node of nodes) inline(node, PLAIN, out);
  out.flush();
  return out.items;
}

/** The rich text a markdown string stands for, as request items. */
export function markdownToRichText(markdown: string): RichTextDraft {
  const out = new Builder();
  appendMarkdown(markdown, out, { first: true });
  out.flush();
  return out.items;
}

function appendMarkdown(markdown: string, out: Builder, state: { first: boolean }): void {
  const tree = fromMarkdown(markdown, {
    extensions: [gfm(), math()],
    mdastExtensions: [gfmFromMarkdown(), mathFromMarkdown()],
  });
  const block = (node: Nodes): void => {
    if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'tableCell') {
      if (!state.first) out.text('\n', PLAIN);
      state.first = false;
      for (const child of node.children) inline(child, PLAIN, out);
    } else if (node.type === 'html') {
      if (!state.first) out.text('\n', PLAIN);
      state.first = false;
      // A line that starts with a tag opens an HTML block, which runs to the next blank line:
      // the markdown around its mention tags is parsed again (each part is shorter: no loop).
      // A part that starts on a new line is a new line of the comment.
      html(node.value, PLAIN, out, (part) => appendMarkdown(part, out, { first: !/^[ \t]*\n/.test(part) }));
    } else if (node.type === 'code' || node.type === 'math') {
      if (!state.first) out.text('\n', PLAIN);
      state.first = false;
      inline(node, PLAIN, out);
    } else if ('children' in node) {
      for (const child of node.children) block(child);
    }
  };
  block(tree);
}

function inline(node: Nodes, marks: Marks, out: Builder): void {
  switch (node.type) {
    case 'text':
      out.text(node.value, marks);
      return;
    case 'break':
      out.text('\n', marks);
      return;
    case 'inlineCode':
    case 'code':
      out.text(node.value, { ...marks, code: true });
      return;
    case 'inlineMath':
    case 'math':
      out.item({ type: 'equation', equation: { expression: node.value } }, marks);
      return;
    case 'html':
      html(node.value, marks, out);
      return;
    case 'strong':
    case 'emphasis':
    case 'delete':
    case 'link': {
      const next =
        node.type === 'strong'
          ? { ...marks, bold: true }
          : node.type === 'emphasis'
            ? { ...marks, italic: true }
            : node.type === 'delete'
              ? { ...marks, strikethrough: true }
              : { ...marks, link: node.url };
      for (const child of node.children) inline(child, next, out);
      return;
    }
    case 'image':
      out.text(node.alt ?? '', marks);
      return;
    default:
      if ('children' in node) for (const child of node.children) inline(child as Nodes, marks, out);
      else if ('value' in node && typeof node.value === 'string') out.text(node.value, marks);
  }
}

/**
 * HTML: mention tags become mentions; any other markup stays as the text it is. In an HTML
 * block, the text around mention tags is markdown (`between`); a block without any is text.
 */
function html(value: string, marks: Marks, out: Builder, between?: (part: string) => void): void {
  const tags = [...value.matchAll(TAG)];
  const text = (part: string) => {
    if (between && tags.length > 0 && part.trim() !== '') between(part);
    else spansIn(part, marks, out);
  };
  let at = 0;
  for (const m of tags) {
    text(value.slice(at, m.index));
    at = m.index + m[0].length;
    const [, closing, name, attrs, selfClosing] = m;
    if (closing) {
      if (out.skipping === name) out.skipping = null;
      continue;
    }
    out.item(mentionOf(name!, attributes(attrs ?? '')), marks);
    if (!selfClosing) out.skipping = name!;
  }
  text(value.slice(at));
}

/** Text of an HTML node: `<span …>` opens marks, `</span>` closes them, `<br>` is a line break. */
function spansIn(value: string, marks: Marks, out: Builder): void {
  let at = 0;
  for (const m of value.matchAll(SPAN)) {
    out.text(value.slice(at, m.index), marks);
    at = m.index + m[0].length;
    if (m[0].startsWith('<br')) out.text('\n', marks);
    else if (m[1]) out.spans.pop();
    else {
      const attrs = attributes(m[2] ?? '');
      const color = attrs.get('color');
      out.spans.push({
        ...(attrs.get('underline') === 'true' ? { underline: true } : {}),
        ...(color ? { color } : {}),
      });
    }
  }
  out.text(value.slice(at), marks);
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, key, raw] of text.matchAll(ATTRIBUTE)) out.set(key!, unescapeAttribute(raw!));
  return out;
}

function unescapeAttribute(s: string): string {
  return s.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/**
 * The id a mention tag's URL names: the last UUID in it (Notion URLs end with the id). A tag
 * without one is refused here, naming the markdown, rather than as a rich-text item the client
 * never wrote.
 */
function idIn(name: string, url: string): string {
  const id = normalizeId([...url.matchAll(HEX_ID)].at(-1)?.[1]);
  if (!id) throw bodyError(['markdown'], `should have an id in the url of every \`<${name}>\` tag`, url);
  return id;
}

function mentionOf(name: string, attrs: Map<string, string>): Record<string, unknown> {
  const url = attrs.get('url') ?? '';
  const idOf = () => idIn(name, url);
  switch (name) {
    case 'mention-user':
      return { type: 'mention', mention: { user: { id: idOf() } } };
    case 'mention-database':
      return { type: 'mention', mention: { database: { id: idOf() } } };
    case 'mention-date': {
      const end = attrs.get('end');
      return {
        type: 'mention',
        mention: { date: { start: attrs.get('start') ?? '', ...(end ? { end } : {}) } },
      };
    }
    default:
      return { type: 'mention', mention: { page: { id: idOf() } } };
  }
}
