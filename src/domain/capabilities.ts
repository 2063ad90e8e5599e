/**
 * Integration capabilities and the policy table that maps each operation to the capability it
 * needs. Missing capability → 403 restricted_resource; not shared → 404 (decided elsewhere).
 */
export const CAPABILITIES = [
  'read_content',
  'update_content',
  'insert_content',
  'read_comments',
  'insert_comments',
  'read_users',
  'read_user_emails',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const ALL_CAPABILITIES: readonly Capability[] = CAPABILITIES;

export function isCapability(s: string): s is Capability {
  return (CAPABILITIES as readonly string[]).includes(s);
}

/** Reading emails implies reading users. */
export function normalizeCapabilities(caps: readonly Capability[]): Capability[] {
  const set = new Set(caps);
  if (set.has('read_user_emails')) set.add('read_users');
  return CAPABILITIES.filter((c) => set.has(c));
}

/** What each operation needs; `null` means any integration may call it. */
export const OPERATION_CAPABILITY = {
  'users.me': null,
  'users.list': 'read_users',
  'users.retrieve': 'read_users',
  'pages.create': 'insert_content',
  'pages.retrieve': 'read_content',
  'pages.properties.retrieve': 'read_content',
  'pages.update': 'update_content',
  'pages.move': 'update_content',
  'pages.markdown.retrieve': 'read_content',
  'pages.markdown.update': 'update_content',
  'blocks.retrieve': 'read_content',
  'blocks.update': 'update_content',
  'blocks.delete': 'update_content',
  'blocks.children.list': 'read_content',
  'blocks.children.append': 'insert_content',
  'databases.create': 'insert_content',
  'databases.retrieve': 'read_content',
  'databases.update': 'update_content',
  'databases.query': 'read_content',
  'data_sources.create': 'insert_content',
  'data_sources.retrieve': 'read_content',
  'data_sources.update': 'update_content',
  'data_sources.query': 'read_content',
  'data_sources.templates': 'read_content',
  // An integration sees only its own uploads; making one is inserting content.
  'file_uploads.create': 'insert_content',
  'file_uploads.send': 'insert_content',
  'file_uploads.complete': 'insert_content',
  'file_uploads.retrieve': null,
  'file_uploads.list': null,
  // Results are limited to what the integration can see; without read_content they are partial.
  search: null,
  'comments.create': 'insert_comments',
  'comments.list': 'read_comments',
  'comments.retrieve': 'read_comments',
  // Changing or deleting a comment is writing comments (the integration's own, see ops/comments).
  'comments.update': 'insert_comments',
  'comments.delete': 'insert_comments',
  // Views are part of a database's content: reading them is reading content.
  'views.list': 'read_content',
  'views.retrieve': 'read_content',
  'views.create': 'insert_content',
  'views.update': 'update_content',
  'views.delete': 'update_content',
  'views.queries.create': 'read_content',
  'views.queries.results': 'read_content',
  'views.queries.delete': 'read_content',
  // The workspace's custom emojis are no one's content; any integration may list them.
  'custom_emojis.list': null,
  // A task is its creator's: only the integration that started it can read it (ops/async-tasks).
  'async_tasks.retrieve': null,
} as const satisfies Record<string, Capability | null>;
export type Operation = keyof typeof OPERATION_CAPABILITY;

/** The integration acting on a request. */
export interface Actor {
  integrationId: string;
  integrationName: string;
  botUserId: string;
  capabilities: ReadonlySet<Capability>;
  /**
   * The workspace's own administration (the command line), which acts on every object: nothing
   * is hidden from it. Integrations never have it.
   */
  seesEverything?: true;
  /**
   * A workspace member signed in to the browser app: `botUserId` is the person's own user id,
   * so writes are authored by them; `integrationId` is empty (no integration acts).
   */
  person?: true;
}

export function can(actor: Actor, cap: Capability): boolean {
  return actor.capabilities.has(cap);
}
