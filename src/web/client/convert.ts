/**
 * Notion blocks ↔ the web editor's BlockNote document, and the plan of API calls that turns a
 * stored block tree into an edited one (sync.ts). Pure: no DOM, no network; loads in the browser
 * bundle and in Node tests. The mapping table, the read-only types and the lossy points are in
 * docs/ARCHITECTURE.md ("Web editor: block conversion").
 *
 * - `toEditor(blocks)`: blocks as the API returns them, each with a `children` array when it has
 *   children → editor blocks (editor id = Notion id).
 * - `fromEditor(blocks)` → write bodies for PATCH /v1/blocks/{id}/children (nested children
 *   included; an update body is the same without `children`).
 * - `planSync(stored, edited)` → ordered steps (update / append / delete) lives in sync.ts,
 *   which imports this module (this module does not import it).
 */
import { notionLanguage } from './languages.ts';
import { fromInline, joinColor, plainText, richTextRequest, splitColor, toInline } from './rich-text.ts';

type Json = Record<string, unknown>;

/** A Notion block as the API returns it, with its `children` added when it has any. */
export type NotionBlock = Json & {
  id: string;
  type: string;
  has_children?: boolean;
  children?: NotionBlock[];
};

/** A BlockNote block of the editor schema (schema.ts), in the loose form the converter handles. */
export interface EditorBlock {
  id: string;
  type: string;
  props: Json;
  content?: unknown;
  children: EditorBlock[];
}

/** A block write body: `{type, [type]: payload}`, the payload holding `children` when nested. */
export type WriteBody = Json & { type: string };

/** Notion types whose blocks hold any children in the editor (headings only when toggleable). */
const TEXT_TYPES: Record<string, string> = {
  paragraph: 'paragraph',
  bulleted_list_item: 'bulletListItem',
  numbered_list_item: 'numberedListItem',
  to_do: 'checkListItem',
  toggle: 'toggleListItem',
  quote: 'quote',
  callout: 'callout',
};
const TEXT_TYPES_BACK = Object.fromEntries(Object.entries(TEXT_TYPES).map(([n, e]) => [e, n]));
const MEDIA = { image: 'image', video: 'video', audio: 'audio', file: 'file', pdf: 'file' } as const;
const MEDIA_BACK = new Set(['image', 'video', 'audio', 'file']);

/** Reads the hidden `notion` prop (JSON of fields the editor does not model). */
function notionOf(props: Json): Json {
  const raw = props.notion;
  if (typeof raw !== 'string' || raw === '') return {};
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return {};
  }
}

/** Writes the hidden `notion` prop: empty when there is nothing to keep. */
function notionProp(fields: Json): string {
  const kept = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return Object.keys(kept).length === 0 ? '' : JSON.stringify(kept);
}

const block = (id: string, type: string, props: Json, content?: unknown, children: EditorBlock[] = []) =>
  content === undefined ? { id, type, props, children } : { id, type, props, content, children };

/** Notion blocks → editor blocks (see the module comment). */
export function toEditor(blocks: readonly NotionBlock[]): EditorBlock[] {
  return blocks.map(toEditorBlock);
}

function toEditorBlock(b: NotionBlock): EditorBlock {
  const p = (b[b.type] ?? {}) as Json;
  const kids = () => toEditor(b.children ?? []);
  const textType = TEXT_TYPES[b.type];
  if (textType) {
    const props: Json = { ...splitColor(p.color) };
    if (b.type === 'to_do') props.checked = p.checked === true;
    if (b.type === 'callout') props.icon = p.icon ? JSON.stringify(p.icon) : '';
    const extra: Json = {};
    if (b.type === 'paragraph' && p.icon) extra.icon = p.icon;
    if (b.type === 'numbered_list_item') {
      extra.list_start_index = p.list_start_index;
      extra.list_format = p.list_format;
    }
    props.notion = notionProp(extra);
    return block(b.id, textType, props, toInline(p.rich_text), kids());
  }
  const heading = /^heading_([1-4])$/.exec(b.type);
  if (heading) {
    const props = {
      ...splitColor(p.color),
      level: Number(heading[1]),
      isToggleable: p.is_toggleable === true,
      notion: '',
    };
    return block(b.id, 'heading', props, toInline(p.rich_text), kids());
  }
  if (b.type in MEDIA) return mediaToEditor(b, p);
  switch (b.type) {
    case 'code': {
      const rich = richTextRequest(p.rich_text);
      const plainOnly = rich.every((r) => r.type === 'text' && isPlain(r));
      const notion = notionProp({
        caption: Array.isArray(p.caption) && p.caption.length > 0 ? richTextRequest(p.caption) : undefined,
        rich_text: plainOnly ? undefined : rich,
      });
      const text = plainText(p.rich_text);
      return block(b.id, 'codeBlock', { language: String(p.language ?? 'plain text'), notion }, [
        ...(text ? [{ type: 'text', text, styles: {} }] : []),
      ]);
    }
    case 'equation':
      return block(b.id, 'equation', { expression: String(p.expression ?? ''), notion: '' });
    case 'divider':
      return block(b.id, 'divider', { notion: '' });
    case 'bookmark':
    case 'embed':
      return block(b.id, b.type, {
        url: String(p.url ?? ''),
        caption: plainText(p.caption),
        notion: captionNotion(p.caption),
      });
    case 'table':
      return tableToEditor(b, p);
    case 'table_of_contents':
      return block(b.id, 'tableOfContents', { ...splitColor(p.color), notion: '' });
    case 'breadcrumb':
      return block(b.id, 'breadcrumb', { notion: '' });
    case 'link_to_page': {
      const targetType = String(p.type ?? Object.keys(p)[0] ?? 'page_id');
      return block(b.id, 'linkToPage', { targetType, targetId: String(p[targetType] ?? ''), notion: '' });
    }
    case 'child_page':
    case 'child_database':
      return block(b.id, 'childPage', {
        kind: b.type === 'child_page' ? 'page' : 'database',
        title: String(p.title ?? ''),
        notion: '',
      });
    default:
      return readOnlyBlock(b, p);
  }
}

const isPlain = (r: Json) => {
  const a = r.annotations as Json;
  const link = (r.text as Json).link;
  return !link && Object.entries(a).every(([k, v]) => (k === 'color' ? v === 'default' : v === false));
};

function captionNotion(caption: unknown): string {
  if (!Array.isArray(caption) || caption.length === 0) return '';
  const rich = richTextRequest(caption);
  return rich.every((r) => r.type === 'text' && isPlain(r)) ? '' : notionProp({ caption: rich });
}

function mediaToEditor(b: NotionBlock, p: Json): EditorBlock {
  const source = String(p.type ?? ('external' in p ? 'external' : 'file'));
  const url = String(((p[source] ?? {}) as Json).url ?? '');
  const captionKept = captionNotion(p.caption);
  const notion = notionProp({
    ...(captionKept ? (JSON.parse(captionKept) as Json) : {}),
    kind: b.type === 'pdf' ? 'pdf' : undefined,
    hosted: source === 'file' ? url : undefined,
  });
  const props: Json = { url, caption: plainText(p.caption), notion };
  if (b.type === 'file' || b.type === 'pdf') props.name = String(p.name ?? '');
  return block(b.id, MEDIA[b.type as keyof typeof MEDIA], props);
}

function tableToEditor(b: NotionBlock, p: Json): EditorBlock {
  const rows = (b.children ?? []).filter((r) => r.type === 'table_row');
  const width = Number(p.table_width ?? 0);
  const content: Json = {
    type: 'tableContent',
    columnWidths: Array.from({ length: width }, () => undefined),
    rows: rows.map((r) => ({
      cells: ((r.table_row as Json).cells as unknown[]).map((cell) => ({
        type: 'tableCell',
        props: {
          backgroundColor: 'default',
          textColor: 'default',
          textAlignment: 'left',
          colspan: 1,
          rowspan: 1,
        },
        content: toInline(cell),
      })),
    })),
  };
  if (p.has_column_header === true) content.headerRows = 1;
  if (p.has_row_header === true) content.headerCols = 1;
  // BlockNote's table keeps no extra props: sync.ts maps rows to the stored rows by position.
  return block(b.id, 'table', { textColor: 'default', notion: '' }, content);
}

function readOnlyBlock(b: NotionBlock, p: Json): EditorBlock {
  const text = plainText(p.rich_text) || String(p.title ?? p.url ?? p.block_type ?? '');
  return block(b.id, 'notionReadOnly', { notionType: b.type, text, raw: JSON.stringify(b) });
}

/** Editor types whose blocks may hold children in Notion. */
function holdsChildren(b: EditorBlock): boolean {
  if (b.type === 'heading') return b.props.isToggleable === true;
  return b.type in TEXT_TYPES_BACK;
}

/**
 * The editor document as Notion can hold it: children of a block that cannot have any in Notion
 * (a divider, an image, a heading that is not toggleable, …) follow it as siblings instead.
 */
export function normalizeEditor(blocks: readonly EditorBlock[]): EditorBlock[] {
  const out: EditorBlock[] = [];
  for (const b of blocks) {
    const children = normalizeEditor(b.children ?? []);
    if (holdsChildren(b) || children.length === 0)
      out.push({ ...b, children: holdsChildren(b) ? children : [] });
    else out.push({ ...b, children: [] }, ...children);
  }
  return out;
}

/** Editor blocks → Notion write bodies with nested children (see the module comment). */
export function fromEditor(blocks: readonly EditorBlock[]): WriteBody[] {
  return normalizeEditor(blocks).map(writeBody);
}

function writeBody(b: EditorBlock): WriteBody {
  const { type, payload } = payloadOf(b);
  const children = b.type === 'notionReadOnly' ? undefined : fromEditor(b.children);
  if (children && children.length > 0) payload.children = children;
  return { type, [type]: payload };
}

/**
 * The Notion type and write payload (children excluded, except a read-only block's own) of one
 * editor block. Exported for sync.ts, which compares payloads to find the blocks that changed.
 */
export function payloadOf(b: EditorBlock): { type: string; payload: Json } {
  const props = b.props ?? {};
  const notion = notionOf(props);
  const color = joinColor(props.textColor, props.backgroundColor);
  const textType = TEXT_TYPES_BACK[b.type];
  if (textType) {
    const payload: Json = { rich_text: fromInline(b.content), color };
    if (textType === 'to_do') payload.checked = props.checked === true;
    if (textType === 'callout' && typeof props.icon === 'string' && props.icon) {
      const icon = iconRequest(JSON.parse(props.icon));
      if (icon) payload.icon = icon;
    }
    if (textType === 'paragraph' && notion.icon) {
      const icon = iconRequest(notion.icon);
      if (icon) payload.icon = icon;
    }
    return { type: textType, payload };
  }
  switch (b.type) {
    case 'heading': {
      const level = Math.min(4, Math.max(1, Number(props.level ?? 1)));
      return {
        type: `heading_${level}`,
        payload: { rich_text: fromInline(b.content), color, is_toggleable: props.isToggleable === true },
      };
    }
    case 'codeBlock': {
      const text = plainText(fromInline(b.content));
      const kept = Array.isArray(notion.rich_text) ? (notion.rich_text as Json[]) : null;
      const rich_text = kept && plainText(kept) === text ? kept : fromInline(text);
      const payload: Json = { rich_text, language: codeLanguage(props.language) };
      payload.caption = Array.isArray(notion.caption) ? notion.caption : [];
      return { type: 'code', payload };
    }
    case 'equation':
      return { type: 'equation', payload: { expression: String(props.expression ?? '') } };
    case 'divider':
      return { type: 'divider', payload: {} };
    case 'bookmark':
    case 'embed':
      return { type: b.type, payload: { url: String(props.url ?? ''), caption: captionOf(props, notion) } };
    case 'table':
      return tablePayload(b);
    case 'tableOfContents':
      return { type: 'table_of_contents', payload: { color } };
    case 'breadcrumb':
      return { type: 'breadcrumb', payload: {} };
    case 'linkToPage': {
      const targetType = String(props.targetType ?? 'page_id');
      return {
        type: 'link_to_page',
        payload: { type: targetType, [targetType]: String(props.targetId ?? '') },
      };
    }
    case 'childPage':
      return {
        type: props.kind === 'database' ? 'child_database' : 'child_page',
        payload: { title: String(props.title ?? '') },
      };
    case 'notionReadOnly':
      return rawRequest(JSON.parse(String(props.raw)) as NotionBlock);
    default:
      if (MEDIA_BACK.has(b.type)) return mediaPayload(b, props, notion);
      return { type: 'paragraph', payload: { rich_text: fromInline(b.content), color: 'default' } };
  }
}

/** Notion's name for the editor's language (BlockNote's default `text` is `plain text`). */
const codeLanguage = notionLanguage;

/** The caption to write: the kept rich caption while its text is unchanged, else the plain text. */
function captionOf(props: Json, notion: Json): Json[] {
  const text = String(props.caption ?? '');
  const kept = Array.isArray(notion.caption) ? (notion.caption as Json[]) : null;
  return kept && plainText(kept) === text ? kept : fromInline(text);
}

/** A file URL naming an upload to attach: `…#file_upload=<id>` (set by the editor's uploader). */
const UPLOAD_REF = /#file_upload=([0-9a-fA-F-]{32,36})$/;

function mediaPayload(b: EditorBlock, props: Json, notion: Json): { type: string; payload: Json } {
  const type = b.type === 'file' && notion.kind === 'pdf' ? 'pdf' : b.type;
  const url = String(props.url ?? '');
  const payload: Json = {};
  const upload = UPLOAD_REF.exec(url);
  if (upload) payload.file_upload = { id: upload[1] };
  else if (url !== '' && !(typeof notion.hosted === 'string' && notion.hosted === url))
    payload.external = { url };
  payload.caption = captionOf(props, notion);
  if (type === 'file') payload.name = String(props.name ?? '');
  return { type, payload };
}

/**
 * True when a media payload has no source it can be created with: a Notion-hosted file, or a
 * file block still waiting for its file (no URL), which is not saved until it has one.
 */
export function lacksSource(type: string, payload: Json): boolean {
  return (
    ['image', 'video', 'audio', 'file', 'pdf'].includes(type) && !payload.external && !payload.file_upload
  );
}

function tablePayload(b: EditorBlock): { type: string; payload: Json } {
  const content = (b.content ?? {}) as Json;
  const rows = (Array.isArray(content.rows) ? content.rows : []) as Json[];
  const width = Math.max(
    Array.isArray(content.columnWidths) ? content.columnWidths.length : 0,
    ...rows.map((r) => (r.cells as unknown[]).length),
  );
  const payload: Json = {
    table_width: width,
    has_column_header: Number(content.headerRows ?? 0) > 0,
    has_row_header: Number(content.headerCols ?? 0) > 0,
    children: rows.map((r) => ({
      type: 'table_row',
      table_row: { cells: tableCells(r.cells as unknown[], width) },
    })),
  };
  return { type: 'table', payload };
}

function tableCells(cells: unknown[], width: number): Json[][] {
  const out = cells.map((cell) => {
    const c = cell as Json;
    return fromInline(Array.isArray(cell) ? cell : c.type === 'tableCell' ? c.content : []);
  });
  while (out.length < width) out.push([]);
  return out;
}

/** A Notion icon (response form) in request form; a Notion-hosted file icon cannot be written. */
function iconRequest(icon: unknown): Json | null {
  const i = (icon ?? {}) as Json;
  if (typeof i.emoji === 'string') return { type: 'emoji', emoji: i.emoji };
  if (i.external) return { type: 'external', external: { url: (i.external as Json).url } };
  if (i.icon) return { type: 'icon', icon: i.icon };
  if (i.custom_emoji) return { type: 'custom_emoji', custom_emoji: { id: (i.custom_emoji as Json).id } };
  if (i.file_upload) return { type: 'file_upload', file_upload: { id: (i.file_upload as Json).id } };
  return null;
}

/** Response fields Notion does not take back in a write. */
const RESPONSE_ONLY: Record<string, string[]> = { numbered_list_item: ['list_start_index', 'list_format'] };

/** A stored block of any type in request form (rich text, icons, sources, targets), children included. */
export function rawRequest(b: NotionBlock): { type: string; payload: Json } {
  const p = { ...((b[b.type] ?? {}) as Json) };
  const payload: Json = {};
  for (const [key, value] of Object.entries(p)) {
    if (RESPONSE_ONLY[b.type]?.includes(key)) continue;
    if (key === 'rich_text' || key === 'caption') payload[key] = richTextRequest(value);
    else if (key === 'cells') payload.cells = (value as unknown[]).map(richTextRequest);
    else if (key === 'icon') {
      const icon = value ? iconRequest(value) : null;
      if (icon) payload.icon = icon;
    } else if (key === 'synced_from')
      payload.synced_from = value ? { block_id: (value as Json).block_id } : null;
    else if (key === 'file') continue;
    else if (key === 'type' && ['image', 'video', 'audio', 'file', 'pdf'].includes(b.type)) continue;
    else payload[key] = value;
  }
  const children = (b.children ?? []).map((c) => {
    const r = rawRequest(c);
    return { type: r.type, [r.type]: r.payload };
  });
  if (children.length > 0 && !(b.type === 'synced_block' && p.synced_from)) payload.children = children;
  return { type: b.type, payload };
}
