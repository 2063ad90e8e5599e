/**
 * Facts about Notion block types shared by the conversion (convert.ts) and the sync plan
 * (sync.ts). Its own module so that neither of those imports the other while loading.
 */

/** Notion types the API cannot create: recreating them (after a move) is impossible. */
export const NOT_WRITABLE: ReadonlySet<string> = new Set([
  'child_page',
  'child_database',
  'link_preview',
  'unsupported',
  'meeting_notes',
  'transcription',
]);
