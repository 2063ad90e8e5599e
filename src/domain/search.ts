/**
 * What POST /v1/search matches: the title of each page, database and data source, lowercased
 * once when it is written (full Unicode `toLowerCase`, as the data-source text columns do), and
 * the words a query is split into. A title matches when it contains every word of the query.
 */
import { matchableText, type RichText } from './rich-text.ts';

/** The kinds of object search can return, as stored in the search index. */
export type SearchObject = 'page' | 'database' | 'data_source';

/** The search-index entry of a stored block, or null for blocks search never returns. */
export interface SearchEntry {
  object: SearchObject;
  title: string;
}

/** The fields of a `blocks` row the entry is computed from. */
export interface SearchSource {
  type: string;
  properties: string | null;
  data: string;
}

/** The search-index entry of `row` (a page's title property; a database's or data source's title). */
export function searchEntryOf(row: SearchSource): SearchEntry | null {
  if (row.type === 'page') {
    const props = JSON.parse(row.properties ?? '{}') as Record<string, { type?: string; title?: RichText }>;
    const title = Object.values(props).find((p) => p.type === 'title')?.title ?? [];
    return { object: 'page', title: matchableText(title).toLowerCase() };
  }
  if (row.type === 'database' || row.type === 'data_source') {
    const data = JSON.parse(row.data) as { title?: RichText };
    return { object: row.type, title: matchableText(data.title ?? []).toLowerCase() };
  }
  return null;
}

/** The lowercased words of a query, each of which a matching title contains (none: everything). */
export function queryWords(query: string | undefined): string[] {
  const words = (query ?? '').toLowerCase().split(/\s+/u).filter(Boolean);
  return [...new Set(words)];
}

/** Relevance tiers, best first: the title starts with the query, contains it, has its words. */
export const RELEVANCE_TIERS = 3;

/** The relevance tier of a (lowercased) title for a (lowercased) phrase. */
export function relevanceTier(title: string, phrase: string): number {
  if (title.startsWith(phrase)) return 0;
  if (title.includes(phrase)) return 1;
  return 2;
}
