/**
 * Rich text between Notion and the editor. Notion's annotations become BlockNote styles (bold,
 * italic, strike, underline, code, textColor / backgroundColor), links become link content;
 * mentions and inline equations become the schema's `mention` and `inlineEquation` inline
 * content, which keep the Notion item (annotations included) so that it is written back as it
 * was. Pure: no DOM, loads in the browser bundle and in Node.
 */
import { COLOR_NAMES } from '../../wire/names.ts';

/** A Notion rich text item as the API returns it (or a request item). */
export type NotionRichText = Record<string, unknown> & { type?: string; plain_text?: string };

/** BlockNote styles as the schema defines them. */
export type EditorStyles = Partial<{
  bold: true;
  italic: true;
  underline: true;
  strike: true;
  code: true;
  textColor: string;
  backgroundColor: string;
}>;

export type StyledText = { type: 'text'; text: string; styles: EditorStyles };
export type EditorInline =
  | StyledText
  | { type: 'link'; href: string; content: StyledText[] }
  | { type: 'mention'; props: { raw: string; text: string } }
  | { type: 'inlineEquation'; props: { expression: string; annotations: string } };

export type Annotations = {
  bold: boolean;
  italic: boolean;
  strikethrough: boolean;
  underline: boolean;
  code: boolean;
  color: string;
};

/** Notion's ten colour names; a `<name>_background` variant exists for each. */
export const NOTION_COLORS = COLOR_NAMES;
const COLOR_SET = new Set<string>(NOTION_COLORS);

/** Longest `text.content` Notion accepts in one item. */
export const MAX_TEXT = 2000;

/** Splits a Notion colour (`red`, `red_background`) into the editor's text and background colours. */
export function splitColor(color: unknown): { textColor: string; backgroundColor: string } {
  const c = typeof color === 'string' ? color : 'default';
  if (c.endsWith('_background')) {
    const base = c.slice(0, -'_background'.length);
    return { textColor: 'default', backgroundColor: COLOR_SET.has(base) ? base : 'default' };
  }
  return { textColor: COLOR_SET.has(c) ? c : 'default', backgroundColor: 'default' };
}

/**
 * The one Notion colour for an editor text and background colour. Notion holds one of the two:
 * when both are set the background wins (a documented lossy point). Unknown names read as default.
 */
export function joinColor(textColor: unknown, backgroundColor: unknown): string {
  const bg =
    typeof backgroundColor === 'string' && COLOR_SET.has(backgroundColor) ? backgroundColor : 'default';
  if (bg !== 'default') return `${bg}_background`;
  return typeof textColor === 'string' && COLOR_SET.has(textColor) ? textColor : 'default';
}

function fullAnnotations(a: unknown): Annotations {
  const x = (a ?? {}) as Partial<Annotations>;
  return {
    bold: x.bold === true,
    italic: x.italic === true,
    strikethrough: x.strikethrough === true,
    underline: x.underline === true,
    code: x.code === true,
    color: typeof x.color === 'string' ? x.color : 'default',
  };
}

function stylesOf(a: unknown): EditorStyles {
  const x = fullAnnotations(a);
  const s: EditorStyles = {};
  if (x.bold) s.bold = true;
  if (x.italic) s.italic = true;
  if (x.underline) s.underline = true;
  if (x.strikethrough) s.strike = true;
  if (x.code) s.code = true;
  const { textColor, backgroundColor } = splitColor(x.color);
  if (textColor !== 'default') s.textColor = textColor;
  if (backgroundColor !== 'default') s.backgroundColor = backgroundColor;
  return s;
}

function annotationsOf(s: EditorStyles): Annotations {
  return {
    bold: s.bold === true,
    italic: s.italic === true,
    strikethrough: s.strike === true,
    underline: s.underline === true,
    code: s.code === true,
    color: joinColor(s.textColor, s.backgroundColor),
  };
}

/** The plain text of a rich text array. */
export function plainText(rich: unknown): string {
  if (!Array.isArray(rich)) return '';
  return rich
    .map((item: NotionRichText) => {
      if (typeof item.plain_text === 'string') return item.plain_text;
      const t = item.text as { content?: string } | undefined;
      if (t?.content !== undefined) return t.content;
      const eq = item.equation as { expression?: string } | undefined;
      return eq?.expression ?? '';
    })
    .join('');
}

/** Notion rich text (response or request form) → the editor's inline content. */
export function toInline(rich: unknown): EditorInline[] {
  const out: EditorInline[] = [];
  for (const item of (Array.isArray(rich) ? rich : []) as NotionRichText[]) {
    const type = item.type ?? ('mention' in item ? 'mention' : 'equation' in item ? 'equation' : 'text');
    if (type === 'mention') {
      out.push({ type: 'mention', props: { raw: JSON.stringify(item), text: plainText([item]) } });
    } else if (type === 'equation') {
      const a = fullAnnotations(item.annotations);
      const plain = Object.values(a).every((v) => v === false || v === 'default');
      out.push({
        type: 'inlineEquation',
        props: {
          expression: (item.equation as { expression: string }).expression,
          annotations: plain ? '' : JSON.stringify(a),
        },
      });
    } else {
      const t = item.text as { content: string; link?: { url: string } | null };
      const styled: StyledText = { type: 'text', text: t.content, styles: stylesOf(item.annotations) };
      const href = t.link?.url;
      const last = out.at(-1);
      if (!href) out.push(styled);
      else if (last?.type === 'link' && last.href === href) last.content.push(styled);
      else out.push({ type: 'link', href, content: [styled] });
    }
  }
  return out;
}

const sameAnnotations = (a: Annotations, b: Annotations) =>
  a.bold === b.bold &&
  a.italic === b.italic &&
  a.strikethrough === b.strikethrough &&
  a.underline === b.underline &&
  a.code === b.code &&
  a.color === b.color;

type TextItem = {
  type: 'text';
  text: { content: string; link: { url: string } | null };
  annotations: Annotations;
};

function textItem(content: string, link: string | null, annotations: Annotations): TextItem {
  return { type: 'text', text: { content, link: link ? { url: link } : null }, annotations };
}

/** A stored mention in request form; kinds Notion will not take on input become linked text. */
function mentionRequest(raw: string, text: string): Record<string, unknown> {
  let item: NotionRichText;
  try {
    item = JSON.parse(raw) as NotionRichText;
  } catch {
    return textItem(text, null, fullAnnotations(undefined));
  }
  const annotations = fullAnnotations(item.annotations);
  const m = (item.mention ?? {}) as Record<string, unknown> & { type?: string };
  const kind = m.type ?? Object.keys(m).find((k) => k !== 'type') ?? '';
  const value = (m[kind] ?? {}) as Record<string, unknown>;
  let mention: Record<string, unknown> | null;
  if (kind === 'user' || kind === 'page' || kind === 'database')
    mention = { type: kind, [kind]: { id: value.id } };
  else if (kind === 'date') {
    const d: Record<string, unknown> = { start: value.start };
    if (value.end != null) d.end = value.end;
    if (value.time_zone != null) d.time_zone = value.time_zone;
    mention = { type: 'date', date: d };
  } else if (kind === 'template_mention' || kind === 'link_preview') mention = { type: kind, [kind]: value };
  else if (kind === 'custom_emoji') mention = { type: kind, custom_emoji: { id: value.id } };
  else mention = null;
  if (mention) return { type: 'mention', mention, annotations };
  const href = typeof item.href === 'string' ? item.href : typeof value.href === 'string' ? value.href : null;
  return textItem(plainText([item]) || text, href, annotations);
}

/**
 * The editor's inline content → Notion request rich text: adjacent text items with the same
 * annotations and link merged, long texts split at Notion's 2,000-character limit.
 */
export function fromInline(content: unknown): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  const pushText = (text: string, link: string | null, styles: EditorStyles) => {
    const a = annotationsOf(styles ?? {});
    let rest = text;
    while (rest !== '') {
      const last = items.at(-1) as TextItem | undefined;
      if (
        last?.type === 'text' &&
        (last.text.link?.url ?? null) === link &&
        sameAnnotations(last.annotations, a) &&
        last.text.content.length < MAX_TEXT
      ) {
        const room = MAX_TEXT - last.text.content.length;
        last.text.content += rest.slice(0, room);
        rest = rest.slice(room);
      } else {
        items.push(textItem(rest.slice(0, MAX_TEXT), link, a));
        rest = rest.slice(MAX_TEXT);
      }
    }
  };
  if (typeof content === 'string') pushText(content, null, {});
  for (const node of (Array.isArray(content) ? content : []) as EditorInline[]) {
    if (node.type === 'text') pushText(node.text, null, node.styles);
    else if (node.type === 'link') for (const t of node.content) pushText(t.text, node.href, t.styles);
    else if (node.type === 'mention') items.push(mentionRequest(node.props.raw, node.props.text));
    else if (node.type === 'inlineEquation') {
      const a = node.props.annotations
        ? fullAnnotations(JSON.parse(node.props.annotations))
        : fullAnnotations(undefined);
      items.push({ type: 'equation', equation: { expression: node.props.expression }, annotations: a });
    }
  }
  return items;
}

/** Notion rich text (response or request form) in the canonical request form `fromInline` writes. */
export function richTextRequest(rich: unknown): Record<string, unknown>[] {
  return fromInline(toInline(rich));
}
