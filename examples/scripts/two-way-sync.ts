/**
 * A two-way sync between two data sources: rows are matched by their title; a row found on one
 * side only is created on the other; a row found on both sides whose `input.fields` differ is
 * copied from the side edited last to the other (`last_edited_time`, which Notion rounds to the
 * minute: within the same minute `input.prefer`, `a` by default, wins). Run again, it finds
 * nothing to do, so a schedule can keep a team's copy and a partner's copy of a list in step.
 *
 *   npx octavo script run examples/scripts/two-way-sync.ts \
 *     --input '{"a": "…", "b": "…", "fields": ["Status", "Estimate"]}'
 */
import type { Client } from '@notionhq/client';

interface Ctx {
  notion: Client;
  input: { a: string; b: string; fields: string[]; prefer?: 'a' | 'b' };
  log: (...args: unknown[]) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: property values of every type, read loosely
type Prop = any;
interface Row {
  id: string;
  edited: string;
  title: string;
  titleProp: string;
  props: Record<string, Prop>;
}

/** A property value as a request takes it (the types this example copies). */
function writable(p: Prop): unknown {
  const plain = (rt: { plain_text: string }[]) => [
    { text: { content: rt.map((t) => t.plain_text).join('') } },
  ];
  switch (p?.type) {
    case 'title':
      return { title: plain(p.title) };
    case 'rich_text':
      return { rich_text: plain(p.rich_text) };
    case 'number':
      return { number: p.number };
    case 'select':
      return { select: p.select ? { name: p.select.name } : null };
    case 'status':
      return { status: p.status ? { name: p.status.name } : null };
    case 'checkbox':
      return { checkbox: p.checkbox };
    case 'date':
      return { date: p.date ? { start: p.date.start, end: p.date.end } : null };
    case 'url':
      return { url: p.url };
    default:
      return undefined;
  }
}

/** What is compared: the value as it would be written. */
const same = (x: Prop, y: Prop) => JSON.stringify(writable(x)) === JSON.stringify(writable(y));

async function rows(notion: Client, dataSource: string): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  let cursor: string | undefined;
  do {
    const page = await notion.dataSources.query({ data_source_id: dataSource, start_cursor: cursor });
    for (const r of page.results as Prop[]) {
      const [titleProp, title] = Object.entries(r.properties as Record<string, Prop>).find(
        ([, p]) => p.type === 'title',
      )!;
      const text = (title.title as { plain_text: string }[]).map((t) => t.plain_text).join('');
      out.set(text, { id: r.id, edited: r.last_edited_time, title: text, titleProp, props: r.properties });
    }
    cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
  } while (cursor);
  return out;
}

export default async ({ notion, input, log }: Ctx) => {
  const [a, b] = await Promise.all([rows(notion, input.a), rows(notion, input.b)]);
  const done = { created_in_a: 0, created_in_b: 0, updated_a: 0, updated_b: 0 };
  const copy = (from: Row, titleProp: string) => {
    const properties: Record<string, unknown> = {
      [titleProp]: { title: [{ text: { content: from.title } }] },
    };
    for (const f of input.fields) if (from.props[f]) properties[f] = writable(from.props[f]);
    return properties as never;
  };
  const titleOf = (m: Map<string, Row>, fallback: string) => m.values().next().value?.titleProp ?? fallback;
  for (const [title, row] of a) {
    const other = b.get(title);
    if (!other) {
      await notion.pages.create({
        parent: { data_source_id: input.b },
        properties: copy(row, titleOf(b, row.titleProp)),
      });
      done.created_in_b++;
    } else if (input.fields.some((f) => !same(row.props[f], other.props[f]))) {
      const aWins = row.edited === other.edited ? input.prefer !== 'b' : row.edited > other.edited;
      const [from, to, side] = aWins ? [row, other, 'updated_b'] : [other, row, 'updated_a'];
      await notion.pages.update({ page_id: to.id, properties: copy(from, to.titleProp) });
      done[side as 'updated_a' | 'updated_b']++;
    }
  }
  for (const [title, row] of b)
    if (!a.has(title)) {
      await notion.pages.create({
        parent: { data_source_id: input.a },
        properties: copy(row, titleOf(a, row.titleProp)),
      });
      done.created_in_a++;
    }
  log('synced', done);
  return done;
};
