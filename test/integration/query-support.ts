/**
 * The rows the query suites filter and sort: four live rows and one trashed, with values chosen
 * so every filter family has matches, misses and empties. Dates are relative to today (UTC).
 */
import type { Client } from '@notionhq/client';
import type { Harness } from '../helpers/harness.ts';
import {
  createDb,
  type Db,
  hasDataSources,
  plain,
  type QueryResult,
  queryRows,
  type RowPage,
  rowClient,
  rowParent,
  text,
  type Version,
} from './rows-support.ts';

const DAY = 86_400_000;

/** The UTC calendar day `offset` days from today, as `YYYY-MM-DD`. */
export function day(offset: number): string {
  return new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
}

export interface Seeded {
  db: Db;
  targets: Db;
  /** Row pages by name; Epsilon is in the trash. */
  rows: Record<'Alpha' | 'beta_1' | 'Gamma' | 'delta' | 'Epsilon', RowPage>;
  /** Target pages t1, t2. */
  t1: string;
  t2: string;
  adminId: string;
  botId: string;
}

export async function seedRows(h: Harness, version: Version): Promise<Seeded> {
  const client = rowClient(h, version);
  const adminId = (await client.users.list({})).results.find((u) => u.type === 'person')!.id;
  const botId = (await client.users.me({})).id;
  const targets = await createDb(h, version, 'Refs', { Name: { title: {} } });
  const ref = hasDataSources(version)
    ? { data_source_id: targets.dataSourceId }
    : { database_id: targets.databaseId };
  const db = await createDb(h, version, 'Queried', {
    Name: { title: {} },
    Notes: { rich_text: {} },
    Score: { number: {} },
    Done: { checkbox: {} },
    Level: { select: { options: [{ name: 'Low' }, { name: 'Mid' }, { name: 'High' }] } },
    Stage: { status: {} },
    Tags: { multi_select: { options: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } },
    Due: { date: {} },
    Owner: { people: {} },
    Docs: { files: {} },
    Ref: { relation: { ...ref, single_property: {} } },
    Site: { url: {} },
    ID: { unique_id: { prefix: 'Q' } },
    Created: { created_time: {} },
    Creator: { created_by: {} },
  });
  const add = async (parent: Db, properties: Record<string, unknown>) =>
    (await client.pages.create({ parent: rowParent(version, parent), properties } as never)) as RowPage;
  const t1 = (await add(targets, { Name: { title: text('t1') } })).id;
  const t2 = (await add(targets, { Name: { title: text('t2') } })).id;
  const rows = {} as Seeded['rows'];
  rows.Alpha = await add(db, {
    Name: { title: text('Alpha') },
    Notes: { rich_text: text('Contains 100% pure') },
    Score: { number: 10 },
    Done: { checkbox: true },
    Level: { select: { name: 'High' } },
    Stage: { status: { name: 'Done' } },
    Tags: { multi_select: [{ name: 'a' }, { name: 'b' }] },
    Due: { date: { start: day(-3) } },
    Owner: { people: [{ id: adminId }] },
    Docs: { files: [{ name: 'a.txt', external: { url: 'https://example.com/a.txt' } }] },
    Ref: { relation: [{ id: t1 }] },
    Site: { url: 'https://alpha.example' },
  });
  rows.beta_1 = await add(db, {
    Name: { title: text('beta_1') },
    Notes: { rich_text: text('under_score here') },
    Score: { number: 5 },
    Level: { select: { name: 'Low' } },
    Stage: { status: { name: 'In progress' } },
    Tags: { multi_select: [{ name: 'b' }] },
    Due: { date: { start: day(3) } },
    Owner: { people: [{ id: botId }] },
    Ref: { relation: [{ id: t2 }] },
  });
  rows.Gamma = await add(db, {
    Name: { title: text('Gamma') },
    Notes: { rich_text: text('plain') },
    Score: { number: -2.5 },
    Level: { select: { name: 'Mid' } },
    Stage: { status: { name: 'Not started' } },
    Due: { date: { start: day(20) } },
  });
  rows.delta = await add(db, {
    Name: { title: text('delta') },
    Done: { checkbox: true },
    Tags: { multi_select: [{ name: 'c' }] },
    Due: { date: { start: '2020-01-15' } },
  });
  rows.Epsilon = await add(db, { Name: { title: text('Epsilon') }, Score: { number: 100 } });
  await client.pages.update({ page_id: rows.Epsilon.id, in_trash: true });
  return { db, targets, rows, t1, t2, adminId, botId };
}

/** Names of the rows a query answers, in order. */
export async function namesOf(
  client: Client,
  version: Version,
  db: Db,
  body: Record<string, unknown>,
): Promise<string[]> {
  const res: QueryResult = await queryRows(client, version, db, body);
  return res.results.map((r) => plain(r.properties.Name!.title));
}
