/**
 * A daily report page with computed figures: reads every row of the Tasks data source
 * `input.tasks` (a `Status` select or status, an `Estimate` number, a `Due` date) and writes a
 * page under `input.parent` titled `Report YYYY-MM-DD`: rows per status, the open estimate, the
 * overdue rows. Made to run every morning from an automation:
 *
 *   trigger: { type: schedule, cron: "0 8 * * *", timezone: Europe/Paris }
 *   actions:
 *     - type: run_script
 *       file: /srv/octavo/scripts/daily-report.ts
 *       input: { tasks: "…", parent: "…", day: "{{trigger.time}}" }
 */
import type { Client } from '@notionhq/client';

interface Ctx {
  notion: Client;
  input: { tasks: string; parent: string; day?: string };
  log: (...args: unknown[]) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: property values read loosely
type Prop = any;

const bullet = (content: string) => ({
  type: 'bulleted_list_item' as const,
  bulleted_list_item: { rich_text: [{ type: 'text' as const, text: { content } }] },
});

export default async ({ notion, input, log }: Ctx) => {
  const day = (input.day ?? new Date().toISOString()).slice(0, 10);
  const byStatus: Record<string, number> = {};
  let openEstimate = 0;
  const overdue: string[] = [];
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await notion.dataSources.query({ data_source_id: input.tasks, start_cursor: cursor });
    for (const row of page.results as Prop[]) {
      total++;
      const p = row.properties;
      const status: string = p.Status?.select?.name ?? p.Status?.status?.name ?? 'No status';
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      const open = status !== 'Done';
      if (open) openEstimate += p.Estimate?.number ?? 0;
      const due: string | undefined = p.Due?.date?.start;
      const title = (Object.values(p).find((x: Prop) => x.type === 'title') as Prop).title
        .map((t: { plain_text: string }) => t.plain_text)
        .join('');
      if (open && due && due.slice(0, 10) < day) overdue.push(title);
    }
    cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
  } while (cursor);
  const statuses = Object.entries(byStatus).sort(([x], [y]) => x.localeCompare(y));
  const report = await notion.pages.create({
    parent: { page_id: input.parent },
    properties: { title: { title: [{ text: { content: `Report ${day}` } }] } },
    children: [
      {
        type: 'heading_2',
        heading_2: { rich_text: [{ type: 'text', text: { content: 'Tasks by status' } }] },
      },
      ...statuses.map(([s, n]) => bullet(`${s}: ${n}`)),
      { type: 'heading_2', heading_2: { rich_text: [{ type: 'text', text: { content: 'Figures' } }] } },
      bullet(`Tasks: ${total}`),
      bullet(`Open estimate: ${openEstimate} h`),
      bullet(`Overdue: ${overdue.length}${overdue.length ? ` (${overdue.join(', ')})` : ''}`),
    ],
  });
  log(`report ${report.id}: ${total} tasks`);
  return {
    page_id: report.id,
    total,
    by_status: Object.fromEntries(statuses),
    open_estimate: openEstimate,
    overdue,
  };
};
