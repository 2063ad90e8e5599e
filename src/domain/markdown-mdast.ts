/**
 * Standard markdown blocks (as micromark parses them, with GFM and math) to block requests:
 * paragraphs, headings, lists and to-dos, quotes, code, equations, dividers, GFM tables and
 * images. Used by markdown-blocks-in.ts for every line that is not one of Notion's tags.
 */
import type { Nodes, PhrasingContent, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { mathFromMarkdown } from 'mdast-util-math';
import { gfm } from 'micromark-extension-gfm';
import { math } from 'micromark-extension-math';
import { CODE_LANGUAGES } from '../wire/block-payloads.ts';
import { MAX_TEXT } from '../wire/common.schema.ts';
import { markdownToRichText, phrasingToRichText, type RichTextDraft } from './markdown-rich-text.ts';

/** A block parsed from markdown: a new block (request form), or an existing one named by URL. */
export type ParsedBlock =
  | { kind: 'new'; type: string; payload: Record<string, unknown>; children: ParsedBlock[] }
  | { kind: 'existing'; id: string; tag: string };

/** Parses markdown text with CommonMark, GFM and math. */
export function parseMdast(markdown: string) {
  return fromMarkdown(markdown, {
    extensions: [gfm(), math()],
    mdastExtensions: [gfmFromMarkdown(), mathFromMarkdown()],
  });
}

/** A new block. */
export function newBlock(type: string, payload: Record<string, unknown>, children: ParsedBlock[] = []) {
  return { kind: 'new' as const, type, payload, children };
}

/** Plain text as rich text items of at most MAX_TEXT characters. */
export function plainRichText(text: string): RichTextDraft {
  const out: RichTextDraft = [];
  for (let i = 0; i < text.length; i += MAX_TEXT) {
    out.push({ type: 'text', text: { content: text.slice(i, i + MAX_TEXT) } });
  }
  return out;
}

const LANGUAGES = new Set<string>(CODE_LANGUAGES);
const ALIASES: Record<string, string> = {
  js: 'javascript',
  ts: 'typescript',
  py: 'python',
  sh: 'shell',
  yml: 'yaml',
  md: 'markdown',
  text: 'plain text',
  txt: 'plain text',
};

/** A fence's info string as one of Notion's languages (`plain text` when unknown). */
function languageOf(lang: string | null | undefined, meta: string | null | undefined): string {
  const info = [lang, meta].filter(Boolean).join(' ').trim().toLowerCase();
  if (LANGUAGES.has(info)) return info;
  const first = info.split(/\s/)[0] ?? '';
  return LANGUAGES.has(first) ? first : (ALIASES[first] ?? 'plain text');
}

function richText(children: readonly PhrasingContent[]): RichTextDraft {
  return phrasingToRichText(children);
}

/** The text and the remaining children of a container whose first child may be a paragraph. */
function leadText(children: readonly RootContent[]): [RichTextDraft, ParsedBlock[]] {
  const [first, ...rest] = children;
  if (first?.type === 'paragraph') return [richText(first.children), rest.flatMap(blocksOf)];
  return [[], children.flatMap(blocksOf)];
}

/** The blocks one markdown node stands for. */
export function blocksOf(node: RootContent): ParsedBlock[] {
  switch (node.type) {
    case 'paragraph': {
      const only = node.children.length === 1 ? node.children[0] : undefined;
      if (only?.type === 'image') {
        return [
          newBlock('image', { external: { url: only.url }, caption: markdownToRichText(only.alt ?? '') }),
        ];
      }
      return [newBlock('paragraph', { rich_text: richText(node.children) })];
    }
    case 'heading':
      return [newBlock(`heading_${Math.min(node.depth, 4)}`, { rich_text: richText(node.children) })];
    case 'thematicBreak':
      return [newBlock('divider', {})];
    case 'code':
      return [
        newBlock('code', {
          rich_text: plainRichText(node.value),
          language: languageOf(node.lang, node.meta),
        }),
      ];
    case 'math':
      return [newBlock('equation', { expression: node.value })];
    case 'blockquote': {
      const [text, rest] = leadText(node.children);
      return [newBlock('quote', { rich_text: text }, rest)];
    }
    case 'list':
      return node.children.map((item) => {
        const [text, rest] = leadText(item.children);
        if (typeof item.checked === 'boolean') {
          return newBlock('to_do', { rich_text: text, checked: item.checked }, rest);
        }
        return newBlock(
          node.ordered ? 'numbered_list_item' : 'bulleted_list_item',
          { rich_text: text },
          rest,
        );
      });
    case 'table': {
      const width = Math.max(1, ...node.children.map((r) => r.children.length));
      const rows = node.children.map((row) => {
        const cells = Array.from({ length: width }, (_, i) => richText(row.children[i]?.children ?? []));
        return newBlock('table_row', { cells });
      });
      return [newBlock('table', { table_width: width, has_column_header: true }, rows)];
    }
    case 'html':
      return [newBlock('paragraph', { rich_text: markdownToRichText(node.value) })];
    default:
      return 'children' in node ? (node.children as Nodes[]).flatMap((c) => blocksOf(c as RootContent)) : [];
  }
}
