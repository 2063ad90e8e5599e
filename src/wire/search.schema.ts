/** The request body of POST /v1/search, per Notion-Version (§4.7 of the contract). */
import { z } from 'zod';
import { pickByKey } from './pick.ts';
import { hasDataSources, perVersion } from './versions.ts';

const TimestampSort = z.strictObject({
  timestamp: z.literal('last_edited_time'),
  direction: z.enum(['ascending', 'descending']),
});
const RelevanceSort = z.strictObject({ property: z.literal('relevance') });

/** `page_size` and `start_cursor` are checked by the shared pagination reader (api/kit.ts). */
export const searchBody = perVersion((version) => {
  const kinds = hasDataSources(version)
    ? (['page', 'data_source'] as const)
    : (['page', 'database'] as const);
  return z.strictObject({
    query: z.string().optional(),
    filter: z
      .strictObject({
        property: z.literal('object').optional(),
        value: z.enum(kinds).optional(),
        in_trash: z.boolean().optional(),
      })
      .optional(),
    sort: pickByKey({ timestamp: TimestampSort, property: RelevanceSort }, TimestampSort).optional(),
    start_cursor: z.unknown().optional(),
    page_size: z.unknown().optional(),
  });
});

export type SearchBody = z.output<ReturnType<typeof searchBody>>;
