/**
 * Notion-flavoured markdown to blocks (page create and PATCH /v1/pages/{id}/markdown). Notion's
 * format puts one block per line and a block's children on the lines below it, one tab deeper;
 * blocks plain markdown lacks are tags (`<details>`, `<callout>`, `<columns>`, `<table>`,
 * `<synced_block>`, `<page url>`, `<video src>`, …) with a small grammar of their own. This
 * module reads that outer layer — indentation, tags, fenced code and pipe tables kept whole —
 * and hands every piece of markdown to micromark (markdown-mdast.ts, markdown-rich-text.ts).
 * The reverse is markdown-blocks-out.ts.
 */
import { normalizeId } from '../lib/ids.ts';
import { bodyError } from '../wire/validation.ts';
import { blocksOf, newBlock, type ParsedBlock, parseMdast } from './markdown-mdast.ts';
import { markdownToRichText, type RichTextDraft } from './markdown-rich-text.ts';

export type { ParsedBlock } from './markdown-mdast.ts';

interface Line {
  depth: number;
  text: string;
  /** 1-based line number, for messages. */
  at: number;
}

const TAG_LINE = /^<([a-z_-]+)((?:\s+[a-z_-]+="[^"]*")*)\s*(\/?)>(.*)$/;
const ATTRIBUTE = /([a-z_-]+)="([^"]*)"/g;
/** Notion's block attribute list at the end of a line: ` {color="red" toggle="true"}`. */
const BLOCK_ATTRIBUTES = /\s*\{((?:\s*[a-z_-]+="[^"]*")+)\s*\}\s*$/;
const FENCE = /^(`{3,}|~{3,}|\$\$)/;
const HEX_ID = /([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})(?![0-9a-f])/gi;
const CONTAINERS = new Set(['details', 'callout', 'columns', 'column', 'table', 'tr', 'synced_block']);
const MEDIA = new Set(['video', 'audio', 'file', 'pdf']);

type Attrs = Map<string, string>;

function attributesOf(text: string): Attrs {
  const out: Attrs = new Map();
  for (const [, key, raw] of text.matchAll(ATTRIBUTE)) {
    out.set(
      key!,
      raw!.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'),
    );
  }
  return out;
}

function fail(line: Line, expectation: string, value: string): never {
  throw bodyError(['markdown'], `${expectation} (line ${line.at})`, value);
}

/** The id a tag's URL names: the last UUID in it (Notion URLs end with the id). */
function idOf(line: Line, name: string, attrs: Attrs): string {
  const url = attrs.get('url') ?? '';
  const id = normalizeId([...url.matchAll(HEX_ID)].at(-1)?.[1]);
  if (!id) fail(line, `should have an id in the url of every \`<${name}>\` tag`, url);
  return id;
}

function splitLines(markdown: string): Line[] {
  return markdown.split(/\r?\n/).map((raw, i) => {
    const depth = raw.length - raw.replace(/^\t+/, '').length;
    return { depth, text: raw.slice(depth), at: i + 1 };
  });
}

const blank = (line: Line) => line.text.trim() === '';

/** Rich text of a tag's content or a summary: inline markdown. */
function inlineText(text: string): RichTextDraft {
  return text.trim() === '' ? [] : markdownToRichText(text);
}

/** Reads the blocks of `lines`; children are the deeper lines that follow a block. */
function readBlocks(lines: Line[]): ParsedBlock[] {
  const out: ParsedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (blank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line.text)?.[1];
    if (fence) {
      let j = i + 1;
      while (j < lines.length && !lines[j]!.text.trimStart().startsWith(fence)) j++;
      if (j >= lines.length) fail(line, `should close the fence \`${fence}\``, line.text);
      const inner = lines.slice(i + 1, j).map((l) => '\t'.repeat(Math.max(0, l.depth - line.depth)) + l.text);
      out.push(...markdownBlocks([line.text, ...inner, lines[j]!.text.trim()].join('\n')));
      i = j + 1;
      continue;
    }
    if (line.text.startsWith('|')) {
      let j = i + 1;
      while (j < lines.length && lines[j]!.depth === line.depth && lines[j]!.text.startsWith('|')) j++;
      out.push(
        ...markdownBlocks(
          lines
            .slice(i, j)
            .map((l) => l.text)
            .join('\n'),
        ),
      );
      i = j;
      continue;
    }
    const tagMatch = TAG_LINE.exec(line.text);
    const name = tagMatch?.[1];
    if (tagMatch && name && CONTAINERS.has(name) && !tagMatch[3] && tagMatch[4]!.trim() === '') {
      let j = i + 1;
      while (j < lines.length && !(lines[j]!.depth <= line.depth && lines[j]!.text.trim() === `</${name}>`))
        j++;
      if (j >= lines.length) fail(line, `should close \`<${name}>\``, line.text);
      out.push(container(line, name, attributesOf(tagMatch[2] ?? ''), lines.slice(i + 1, j)));
      i = j + 1;
      continue;
    }
    // One line and its children: the deeper (or blank) lines after it.
    let j = i + 1;
    while (j < lines.length && (blank(lines[j]!) || lines[j]!.depth > line.depth)) j++;
    const kids = readBlocks(lines.slice(i + 1, j));
    const own = tagMatch && name ? singleTag(line, name, attributesOf(tagMatch[2] ?? ''), tagMatch) : null;
    const blocks = own ? [own] : lineBlocks(line.text);
    const last = blocks.at(-1);
    if (last?.kind === 'new' && holdsChildren(last)) last.children.push(...kids);
    else blocks.push(...kids);
    out.push(...blocks);
    i = j;
  }
  return out;
}

/** Whether a parsed block may take the children indented below it. */
function holdsChildren(block: Extract<ParsedBlock, { kind: 'new' }>): boolean {
  if (block.type.startsWith('heading_')) return block.payload.is_toggleable === true;
  return [
    'paragraph',
    'bulleted_list_item',
    'numbered_list_item',
    'to_do',
    'quote',
    'toggle',
    'callout',
  ].includes(block.type);
}

function markdownBlocks(text: string): ParsedBlock[] {
  return parseMdast(text).children.flatMap(blocksOf);
}

/** A markdown line, with Notion's ` {color="…" toggle="true"}` applied to its block. */
function lineBlocks(text: string): ParsedBlock[] {
  const attrs = BLOCK_ATTRIBUTES.exec(text);
  const blocks = markdownBlocks(attrs ? text.slice(0, attrs.index) : text);
  const first = blocks[0];
  if (attrs && first?.kind === 'new') {
    const a = attributesOf(attrs[1]!);
    const color = a.get('color');
    if (color) first.payload.color = color;
    if (a.get('toggle') === 'true' && first.type.startsWith('heading_')) first.payload.is_toggleable = true;
  }
  return blocks;
}

/** Tags that stand alone on their line. */
function singleTag(line: Line, name: string, attrs: Attrs, m: RegExpExecArray): ParsedBlock | null {
  const selfClosing = m[3] === '/';
  const rest = m[4] ?? '';
  const close = `</${name}>`;
  if (!selfClosing && !rest.trimEnd().endsWith(close)) return null;
  const content = selfClosing ? '' : rest.trimEnd().slice(0, -close.length);
  if (name === 'empty-block') return newBlock('paragraph', { rich_text: [] });
  if (name === 'table_of_contents') return newBlock('table_of_contents', colorOf(attrs));
  if (name === 'page' || name === 'database' || name === 'unknown') {
    return { kind: 'existing', id: idOf(line, name, attrs), tag: name };
  }
  if (name === 'synced_block_reference') {
    return newBlock('synced_block', { synced_from: { block_id: idOf(line, name, attrs) } });
  }
  const caption = inlineText(content);
  if (MEDIA.has(name)) return newBlock(name, { external: { url: attrs.get('src') ?? '' }, caption });
  if (name === 'bookmark' || name === 'embed')
    return newBlock(name, { url: attrs.get('url') ?? '', caption });
  return null;
}

function colorOf(attrs: Attrs): Record<string, unknown> {
  const color = attrs.get('color');
  return color ? { color } : {};
}

/** A tag whose content is the lines up to its closing tag. */
function container(line: Line, name: string, attrs: Attrs, inner: Line[]): ParsedBlock {
  switch (name) {
    case 'details': {
      const first = inner.findIndex((l) => !blank(l));
      const summary = first >= 0 ? /^<summary>(.*)<\/summary>\s*$/.exec(inner[first]!.text) : null;
      const rest = summary ? inner.slice(first + 1) : inner;
      return newBlock(
        'toggle',
        { rich_text: inlineText(summary?.[1] ?? ''), ...colorOf(attrs) },
        readBlocks(rest),
      );
    }
    case 'callout': {
      const kids = readBlocks(inner);
      const lead = kids[0]?.kind === 'new' && kids[0].type === 'paragraph' ? kids.shift() : undefined;
      const icon = attrs.get('icon');
      const iconReq = icon ? (URL.canParse(icon) ? { external: { url: icon } } : { emoji: icon }) : undefined;
      const text = lead?.kind === 'new' ? lead.payload.rich_text : [];
      const leadKids = lead?.kind === 'new' ? lead.children : [];
      return newBlock(
        'callout',
        { rich_text: text, ...(iconReq ? { icon: iconReq } : {}), ...colorOf(attrs) },
        [...leadKids, ...kids],
      );
    }
    case 'columns': {
      const columns = readBlocks(inner);
      if (columns.some((c) => c.kind !== 'new' || c.type !== 'column')) {
        fail(line, 'should hold only `<column>` tags inside `<columns>`', line.text);
      }
      return newBlock('column_list', {}, columns);
    }
    case 'column': {
      const width = attrs.get('width');
      return newBlock('column', width ? { width_ratio: Number(width) } : {}, readBlocks(inner));
    }
    case 'table':
      return table(line, attrs, inner);
    case 'synced_block':
      return newBlock('synced_block', { synced_from: null }, readBlocks(inner));
    default:
      return fail(line, `should be inside a \`<table>\` tag: \`<${name}>\``, line.text);
  }
}

function table(line: Line, attrs: Attrs, inner: Line[]): ParsedBlock {
  const rows: RichTextDraft[][] = [];
  let row: RichTextDraft[] | null = null;
  for (const l of inner) {
    const text = l.text.trim();
    if (text === '') continue;
    if (text === '<tr>') row = [];
    else if (text === '</tr>' && row) {
      rows.push(row);
      row = null;
    } else {
      const cell = /^<td>(.*)<\/td>$/.exec(text);
      if (!cell || !row) fail(l, 'should be `<tr>`, `<td>…</td>` or `</tr>` inside `<table>`', text);
      row.push(inlineText(cell[1]!));
    }
  }
  const width = Math.max(0, ...rows.map((r) => r.length));
  if (width === 0) fail(line, 'should hold at least one `<tr>` with a `<td>`', line.text);
  const children = rows.map((cells) =>
    newBlock('table_row', { cells: [...cells, ...Array(width - cells.length).fill([])] }),
  );
  return newBlock(
    'table',
    {
      table_width: width,
      has_column_header: attrs.get('header-row') === 'true',
      has_row_header: attrs.get('header-column') === 'true',
    },
    children,
  );
}

/** The blocks a Notion-flavoured markdown document stands for, in order. */
export function markdownToBlocks(markdown: string): ParsedBlock[] {
  return readBlocks(splitLines(markdown));
}
