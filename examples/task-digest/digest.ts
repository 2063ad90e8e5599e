/**
 * A sample Notion integration, the kind Octavo's test helper is for: it posts a digest page of
 * the tasks due in the coming week that are not done. It knows nothing of Octavo; its tests
 * (digest.test.ts) run it against an in-process Octavo.
 */
import { type Client, collectPaginatedAPI, isFullPage } from '@notionhq/client';

export interface DigestOptions {
  /** The Tasks data source (Name: title, Due: date, Status: select). */
  tasks: string;
  /** The page the digest is written under. */
  parent: string;
}

function titleOf(page: { properties: Record<string, unknown> }): string {
  const name = page.properties.Name as { title: { plain_text: string }[] } | undefined;
  return name?.title.map((t) => t.plain_text).join('') ?? '';
}

/** Writes "Due next week" under `parent` listing the open tasks due next week; returns it. */
export async function postDigest(notion: Client, options: DigestOptions) {
  const rows = await collectPaginatedAPI(notion.dataSources.query, {
    data_source_id: options.tasks,
    filter: {
      and: [
        { property: 'Due', date: { next_week: {} } },
        { property: 'Status', select: { does_not_equal: 'Done' } },
      ],
    },
    sorts: [{ property: 'Due', direction: 'ascending' }],
  });
  const names = rows.filter(isFullPage).map(titleOf);
  const page = await notion.pages.create({
    parent: { page_id: options.parent },
    properties: { title: { title: [{ text: { content: 'Due next week' } }] } },
    children: names.map((name) => ({
      bulleted_list_item: { rich_text: [{ text: { content: name } }] },
    })),
  });
  return { pageId: page.id, tasks: names };
}
