/**
 * Rich text: requests normalized to the stored (response) form, with `plain_text`, `href` and
 * full annotations computed once at write time.
 */
import type { RichTextItemRequest } from '../wire/common.schema.ts';
import { errors } from '../wire/errors.ts';
import type { RichTextItemResponse } from '../wire/responses.ts';
import type { PathSegment } from '../wire/validation.ts';
import type { HostedFileRef } from './file-uploads.ts';

export type RichText = RichTextItemResponse[];

/** What normalizing a mention needs to know about the objects it points at. */
export interface MentionResolver {
  userName(id: string): Promise<string | null>;
  /** Title and URL of a page or database, or null when unknown. */
  pageInfo(id: string): Promise<{ title: string; url: string } | null>;
  /** The acting user for `@me` template mentions. */
  readonly actorName: string;
  /**
   * Attaches a file upload a request names (`{file_upload: {id}}` at `path`); the operation
   * checks it is this integration's and uploaded. Absent where uploads cannot be named.
   */
  attachUpload?(id: string, path: PathSegment[]): Promise<HostedFileRef>;
  /** The upload behind a file URL this server signed, for re-submitted `{file: {url}}` objects. */
  hostedFile?(url: string, path: PathSegment[]): Promise<HostedFileRef>;
  /** The stored form of a `custom_emoji` icon naming `id` (at `path`); absent where none can be named. */
  customEmoji?(id: string, path: PathSegment[]): Promise<Record<string, unknown>>;
}

const DEFAULT_ANNOTATIONS = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: 'default',
} as const;

function annotationsOf(item: { annotations?: Partial<RichTextItemResponse['annotations']> | undefined }) {
  return { ...DEFAULT_ANNOTATIONS, ...(item.annotations ?? {}) } as RichTextItemResponse['annotations'];
}

/** A plain text item with default annotations. */
export function textItem(content: string): RichTextItemResponse {
  return {
    type: 'text',
    text: { content, link: null },
    annotations: { ...DEFAULT_ANNOTATIONS },
    plain_text: content,
    href: null,
  };
}

export function plainText(rt: readonly RichTextItemResponse[]): string {
  return rt.map((r) => r.plain_text).join('');
}

/** Mention kinds whose text is the mentioned object's title or name, which depends on the reader. */
const READER_DEPENDENT = new Set(['page', 'database', 'data_source', 'user']);

/**
 * The text that filters and search match: the plain text without what mentions of pages,
 * databases and users show. That text is the title or name as one reader saw it; matching on it
 * would let another reader learn, by trying words, the title of a page it cannot see.
 */
export function matchableText(rt: readonly unknown[]): string {
  let out = '';
  for (const item of rt as {
    type?: unknown;
    plain_text?: unknown;
    mention?: { type?: unknown };
    text?: { content?: unknown };
  }[]) {
    if (item?.type === 'mention' && READER_DEPENDENT.has(item.mention?.type as string)) continue;
    if (typeof item?.plain_text === 'string') out += item.plain_text;
    else if (typeof item?.text?.content === 'string') out += item.text.content;
  }
  return out;
}

function dateText(d: { start: string; end?: string | null | undefined }): string {
  return d.end ? `${d.start} → ${d.end}` : d.start;
}

/** Normalizes request items to their stored form. */
export async function normalizeRichText(
  items: readonly RichTextItemRequest[],
  resolver: MentionResolver,
): Promise<RichText> {
  const invalidLinks = items.filter(
    (i) => 'text' in i && i.text.link && !URL.canParse(i.text.link.url),
  ).length;
  if (invalidLinks > 0) {
    // Notion's wording: one line per link it refused.
    throw errors.validation(
      `Content creation Failed. Fix the following: \n${Array(invalidLinks).fill('Invalid URL for link.').join('\n')}`,
    );
  }
  const out: RichText = [];
  for (const item of items) out.push(await normalizeItem(item, resolver));
  return out;
}

async function normalizeItem(
  item: RichTextItemRequest,
  resolver: MentionResolver,
): Promise<RichTextItemResponse> {
  const annotations = annotationsOf(item);
  if ('text' in item) {
    const link = item.text.link ? { url: item.text.link.url } : null;
    return {
      type: 'text',
      text: { content: item.text.content, link },
      annotations,
      plain_text: item.text.content,
      href: link?.url ?? null,
    };
  }
  if ('equation' in item) {
    return {
      type: 'equation',
      equation: { expression: item.equation.expression },
      annotations,
      plain_text: item.equation.expression,
      href: null,
    };
  }
  const m = item.mention;
  if ('user' in m) {
    const name = await resolver.userName(m.user.id);
    return {
      type: 'mention',
      mention: { type: 'user', user: { object: 'user', id: m.user.id } },
      annotations,
      plain_text: `@${name ?? 'Anonymous'}`,
      href: null,
    };
  }
  if ('page' in m || 'database' in m) {
    const kind = 'page' in m ? 'page' : 'database';
    const id = 'page' in m ? m.page.id : m.database.id;
    const info = await resolver.pageInfo(id);
    const mention =
      kind === 'page'
        ? ({ type: 'page', page: { id } } as const)
        : ({ type: 'database', database: { id } } as const);
    return {
      type: 'mention',
      mention,
      annotations,
      plain_text: info?.title || 'Untitled',
      href: info?.url ?? null,
    };
  }
  if ('date' in m) {
    const date = { start: m.date.start, end: m.date.end ?? null, time_zone: m.date.time_zone ?? null };
    return {
      type: 'mention',
      mention: { type: 'date', date },
      annotations,
      plain_text: dateText(date),
      href: null,
    };
  }
  if ('link_preview' in m) {
    const url = m.link_preview.url;
    return {
      type: 'mention',
      mention: { type: 'link_preview', link_preview: { url } },
      annotations,
      plain_text: url,
      href: url,
    };
  }
  const t = m.template_mention;
  const plain =
    'template_mention_user' in t ? '@me' : t.template_mention_date === 'today' ? '@Today' : '@Now';
  const template_mention =
    'template_mention_user' in t
      ? ({ type: 'template_mention_user', template_mention_user: 'me' } as const)
      : ({ type: 'template_mention_date', template_mention_date: t.template_mention_date } as const);
  return {
    type: 'mention',
    mention: { type: 'template_mention', template_mention },
    annotations,
    plain_text: plain,
    href: null,
  };
}
