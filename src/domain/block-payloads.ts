/**
 * Block payloads in their stored (response) form: defaults per type, Notion's key order, and the
 * normalizing of request fields (rich text, icons, media sources, link targets) shared by create
 * and update.
 */
import type { RichTextItemRequest } from '../wire/common.schema.ts';
import { bodyError, type PathSegment } from '../wire/validation.ts';
import { storedFile } from './file-uploads.ts';
import { type MentionResolver, normalizeRichText } from './rich-text.ts';

type Payload = Record<string, unknown>;

const TEXT = { order: ['rich_text', 'color'], defaults: { rich_text: [], color: 'default' } };
const HEADING = {
  order: ['rich_text', 'is_toggleable', 'color'],
  defaults: { rich_text: [], is_toggleable: false, color: 'default' },
};
const WITH_ICON = {
  order: ['rich_text', 'icon', 'color'],
  defaults: { rich_text: [], icon: null, color: 'default' },
};
const MEDIA = { order: ['caption', 'type', 'external', 'file'], defaults: { caption: [] } };
const LINKED = { order: ['caption', 'url'], defaults: { caption: [] } };
const EMPTY = { order: [], defaults: {} };

/** Response key order and defaults of every creatable type. */
const SHAPES: Record<string, { order: string[]; defaults: Payload }> = {
  paragraph: WITH_ICON,
  heading_1: HEADING,
  heading_2: HEADING,
  heading_3: HEADING,
  heading_4: HEADING,
  bulleted_list_item: TEXT,
  numbered_list_item: TEXT,
  quote: TEXT,
  toggle: TEXT,
  to_do: {
    order: ['rich_text', 'checked', 'color'],
    defaults: { rich_text: [], checked: false, color: 'default' },
  },
  template: { order: ['rich_text'], defaults: { rich_text: [] } },
  // Notion's docs show callouts created without an icon with a default emoji; the recordings
  // hold none, so Octavo answers `icon: null` like a paragraph.
  callout: WITH_ICON,
  code: { order: ['caption', 'rich_text', 'language'], defaults: { caption: [], rich_text: [] } },
  equation: { order: ['expression'], defaults: {} },
  divider: EMPTY,
  breadcrumb: EMPTY,
  column_list: EMPTY,
  tab: EMPTY,
  table_of_contents: { order: ['color'], defaults: { color: 'default' } },
  link_to_page: { order: ['type', 'page_id', 'database_id', 'comment_id'], defaults: {} },
  embed: LINKED,
  bookmark: LINKED,
  image: MEDIA,
  video: MEDIA,
  audio: MEDIA,
  pdf: MEDIA,
  file: { order: [...MEDIA.order, 'name'], defaults: { caption: [] } },
  table: {
    order: ['table_width', 'has_column_header', 'has_row_header'],
    defaults: { has_column_header: false, has_row_header: false },
  },
  table_row: { order: ['cells'], defaults: { cells: [] } },
  column: { order: ['width_ratio'], defaults: {} },
  synced_block: { order: ['synced_from'], defaults: { synced_from: null } },
};

function ordered(type: string, data: Payload): Payload {
  const order = SHAPES[type]?.order;
  if (!order) return data;
  return Object.fromEntries(order.filter((k) => data[k] !== undefined).map((k) => [k, data[k]]));
}

/** A `{file_upload: {id}}` request (at `path`) attached and in its stored form. */
export async function attachedFile(
  resolver: MentionResolver,
  ref: { id: string },
  path: PathSegment[],
): Promise<ReturnType<typeof storedFile>> {
  if (!resolver.attachUpload) throw bodyError(path, 'should be not present', ref);
  return storedFile(await resolver.attachUpload(ref.id, path));
}

/** An icon request in its response form. */
async function normalizeIcon(
  icon: Payload,
  resolver: MentionResolver,
  path: PathSegment[],
): Promise<Payload> {
  if ('emoji' in icon) return { type: 'emoji', emoji: icon.emoji };
  if ('external' in icon) return { type: 'external', external: { url: (icon.external as Payload).url } };
  if ('icon' in icon) {
    const i = icon.icon as { name: string; color?: string };
    return { type: 'icon', icon: { name: i.name, color: i.color ?? 'gray' } };
  }
  if ('custom_emoji' in icon) {
    const id = (icon.custom_emoji as { id: string }).id;
    if (!resolver.customEmoji)
      throw bodyError([...path, 'custom_emoji'], 'should be not present', icon.custom_emoji);
    return resolver.customEmoji(id, [...path, 'custom_emoji']);
  }
  return attachedFile(resolver, icon.file_upload as { id: string }, [...path, 'file_upload']);
}

function normalizeLink(target: Payload): Payload {
  for (const key of ['page_id', 'database_id', 'comment_id']) {
    if (key in target) return { type: key, [key]: target[key] };
  }
  return {};
}

/** The last path segment of a URL, which Notion shows as an external file's name. */
function fileNameOf(url: string): string {
  try {
    const segment = new URL(url).pathname.split('/').filter(Boolean).pop();
    return segment ? decodeURIComponent(segment) : url;
  } catch {
    return url;
  }
}

type RichTextInput = readonly RichTextItemRequest[];

/** Normalizes the fields present in `payload`; `path` locates the payload in the request. */
async function normalizeFields(
  type: string,
  payload: Payload,
  resolver: MentionResolver,
  path: PathSegment[],
): Promise<Payload> {
  if (type === 'link_to_page') return normalizeLink(payload);
  const out: Payload = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined) continue;
    if (key === 'rich_text' || key === 'caption') {
      out[key] = await normalizeRichText(value as RichTextInput, resolver);
    } else if (key === 'cells') {
      const cells = [];
      for (const cell of value as RichTextInput[]) cells.push(await normalizeRichText(cell, resolver));
      out.cells = cells;
    } else if (key === 'icon') {
      out.icon = await normalizeIcon(value as Payload, resolver, [...path, 'icon']);
    } else if (key === 'external') {
      out.type = 'external';
      out.external = { url: (value as Payload).url };
    } else if (key === 'file_upload') {
      Object.assign(out, await attachedFile(resolver, value as { id: string }, [...path, 'file_upload']));
    } else if (key === 'hosted_url' && resolver.hostedFile) {
      // A file URL this server signed, written back (page markdown): the upload it names.
      const url = value as string;
      Object.assign(out, storedFile(await resolver.hostedFile(url, [...path, 'external', 'url'])));
    } else if (key === 'synced_from') {
      out.synced_from = value === null ? null : { type: 'block_id', block_id: (value as Payload).block_id };
    } else if (key !== 'type') {
      out[key] = value;
    }
  }
  return out;
}

/** A new block's payload in response form, defaults filled in. */
export async function createPayload(
  type: string,
  payload: Payload,
  resolver: MentionResolver,
  path: PathSegment[],
): Promise<Payload> {
  const data = {
    ...(SHAPES[type]?.defaults ?? {}),
    ...(await normalizeFields(type, payload, resolver, path)),
  };
  if (type === 'file' && data.name === undefined && data.external) {
    data.name = fileNameOf((data.external as { url: string }).url);
  }
  if (type === 'file' && data.name === undefined && data.file) {
    data.name = (data.file as { filename: string }).filename;
  }
  return ordered(type, data);
}

/** The stored payload after applying an update's fields; a link_to_page target is replaced whole. */
export async function updatePayload(
  type: string,
  current: Payload,
  patch: Payload,
  resolver: MentionResolver,
  path: PathSegment[],
): Promise<Payload> {
  const fields = await normalizeFields(type, patch, resolver, path);
  if (type === 'link_to_page') return ordered(type, fields);
  const merged = { ...current, ...fields };
  if (fields.type === 'external') delete merged.file;
  if (fields.type === 'file') delete merged.external;
  return ordered(type, merged);
}
