/**
 * The data set of `npm run bench:query`: a data source of ten typed properties and a
 * deterministic generator of its rows in the POST /v1/pages request form.
 */
import { Client } from '@notionhq/client';
import { retryingFetch, VERSION } from './common.ts';
import type { BenchServer } from './server.ts';

export const STAGES = ['Backlog', 'Todo', 'Doing', 'Review', 'Done'];
const STATUSES = ['Not started', 'In progress', 'Done'];
const TAGS = ['red', 'green', 'blue', 'amber', 'violet', 'teal'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

/** The data source's properties, in the POST /v1/databases `initial_data_source` form. */
export const PROPERTIES = {
  Name: { title: {} },
  Notes: { rich_text: {} },
  Amount: { number: {} },
  Stage: { select: { options: STAGES.map((name) => ({ name })) } },
  Tags: { multi_select: { options: TAGS.map((name) => ({ name })) } },
  Status: { status: {} },
  Due: { date: {} },
  Done: { checkbox: {} },
  Link: { url: {} },
  Owner: { people: {} },
};

/** A small linear congruential generator: the same rows on every run. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const text = (content: string) => [{ type: 'text', text: { content } }];

/** Row `i` of the data set: every property set (Tags may be empty), the date always present. */
export function rowBody(i: number, rand: () => number, people: readonly string[]) {
  const tags = TAGS.filter(() => rand() < 0.2);
  const due = new Date(START + Math.floor(rand() * 730) * DAY).toISOString().slice(0, 10);
  return {
    properties: {
      Name: { title: text(`${pick(rand, WORDS)} ${pick(rand, WORDS)} ${i}`) },
      Notes: { rich_text: text(`Note ${pick(rand, WORDS)} for row ${i}`) },
      Amount: { number: Math.floor(rand() * 1000) },
      Stage: { select: { name: pick(rand, STAGES) } },
      Tags: { multi_select: tags.map((name) => ({ name })) },
      Status: { status: { name: pick(rand, STATUSES) } },
      Due: { date: { start: due } },
      Done: { checkbox: rand() < 0.3 },
      Link: { url: `https://example.com/items/${i}` },
      Owner: { people: [{ id: pick(rand, people) }] },
    },
  };
}

/** Rows `from` … `from + count - 1` with their line numbers, generated lazily. */
export function* rowLines(from: number, count: number, people: readonly string[], seed = 42) {
  const rand = rng(seed + from);
  for (let i = from; i < from + count; i++) yield { line: i - from + 1, body: rowBody(i, rand, people) };
}

/**
 * Creates the benchmark's database on a running server through the SDK: answers the client, the
 * workspace's user ids (for people values) and the new data source's id.
 */
export async function createBenchDataSource(server: BenchServer, title: string) {
  const client = new Client({
    auth: server.token!,
    baseUrl: server.url,
    notionVersion: VERSION,
    fetch: retryingFetch,
  });
  const people = (await client.users.list({})).results.map((u) => u.id);
  const db = (await client.databases.create({
    parent: { type: 'page_id', page_id: server.pageId },
    title: [{ type: 'text', text: { content: title } }],
    initial_data_source: { properties: PROPERTIES as never },
  })) as unknown as { data_sources: { id: string }[] };
  return { client, people, dsId: db.data_sources[0]!.id };
}
