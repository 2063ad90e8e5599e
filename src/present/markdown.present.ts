/** The `page_markdown` object of the page-markdown endpoints (the SDK's PageMarkdownResponse). */
import type { GetPageMarkdownResponse } from '../wire/responses.ts';

/** What the operations return, on the wire. */
export function presentPageMarkdown(md: {
  id: string;
  markdown: string;
  truncated: boolean;
  unknown_block_ids: string[];
}): GetPageMarkdownResponse {
  return {
    object: 'page_markdown',
    id: md.id,
    markdown: md.markdown,
    truncated: md.truncated,
    unknown_block_ids: md.unknown_block_ids,
  };
}
