/**
 * Mentions as each reader sees them. A page, database or user mention is stored with the text its
 * writer saw; what a reader is shown is decided again for that reader when a response goes out
 * (api/middleware/mentions.ts), from the objects' current titles and names and the reader's
 * access: a page the reader cannot see reads as one that does not exist. This file walks a
 * presented body: it collects the targets and writes back their text. Pure.
 */
import { pageUrl } from './page.present.ts';

/** What a reader may be told of the objects that mentions in one response name. */
export interface MentionTargets {
  /** Titles of the pages, databases and data sources the reader can see, by id. */
  titles: ReadonlyMap<string, string>;
  /** Names of the users the reader may know, by id; a user not here reads as "@Anonymous". */
  userNames: ReadonlyMap<string, string>;
}

/** Ids that mentions in `body` name, by the kind of object they point at. */
export interface MentionIds {
  objects: Set<string>;
  users: Set<string>;
}

type Json = Record<string, unknown>;

interface MentionItem {
  type: 'mention';
  mention: { type: string; [kind: string]: unknown };
  plain_text: string;
  href: string | null;
}

const OBJECT_KINDS = new Set(['page', 'database', 'data_source']);

function isMentionItem(value: Json): value is Json & MentionItem {
  const m = value.mention as Json | undefined;
  return value.type === 'mention' && typeof m === 'object' && m !== null && typeof m.type === 'string';
}

/** The id a page, database, data source or user mention points at (null for other kinds). */
function targetOf(item: MentionItem): { kind: 'object' | 'user'; id: string } | null {
  const kind = item.mention.type;
  const payload = item.mention[kind] as { id?: unknown } | undefined;
  if (typeof payload?.id !== 'string') return null;
  if (kind === 'user') return { kind: 'user', id: payload.id };
  return OBJECT_KINDS.has(kind) ? { kind: 'object', id: payload.id } : null;
}

function visit(value: unknown, onMention: (item: MentionItem) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) visit(v, onMention);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const obj = value as Json;
  if (isMentionItem(obj)) {
    onMention(obj);
    return;
  }
  for (const key in obj) visit(obj[key], onMention);
}

/** Every object and user that a mention in `body` names. */
export function collectMentionIds(body: unknown): MentionIds {
  const ids: MentionIds = { objects: new Set(), users: new Set() };
  visit(body, (item) => {
    const target = targetOf(item);
    if (target) (target.kind === 'user' ? ids.users : ids.objects).add(target.id);
  });
  return ids;
}

/**
 * Rewrites the `plain_text` and `href` of every page, database, data source and user mention in
 * `body` (in place) for the reader `targets` were resolved for. An object the reader cannot see,
 * or that does not exist, reads the same: "Untitled", linking to its bare id.
 */
export function applyMentionTargets(body: unknown, targets: MentionTargets, publicUrl: string): void {
  visit(body, (item) => {
    const target = targetOf(item);
    if (!target) return;
    if (target.kind === 'user') {
      item.plain_text = `@${targets.userNames.get(target.id) ?? 'Anonymous'}`;
      return;
    }
    const title = targets.titles.get(target.id);
    item.plain_text = title || 'Untitled';
    item.href = pageUrl(publicUrl, target.id, title ?? '');
  });
}
