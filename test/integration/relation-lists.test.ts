/**
 * List functions over a relation's pages in SQL, through the official SDK on both engines:
 * formulas that are rollups written as formulas (`prop("Tasks").map(current.prop("Estimate"))
 * .sum()`, `.filter(…).length()`, `.every(…)`, `.some(…)`, `.empty()`, `.max()` of a related
 * formula, `.mean()`, `.first().prop(…)`, `.last()` in the relation's order, a select compared
 * by name) are filtered and
 * sorted on in SQL (the plan reads no row in the evaluator),
 * give the pages, in the order, that the same server answering by the evaluator gives and that
 * the values computed here give; a change to a related page shows in the next query; and an
 * integration that cannot see the related data source is answered by the evaluator, which reads
 * the pages it cannot see as absent (the SQL would count them).
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { schemaOf } from '../../src/ops/databases.ts';
import { planQuery } from '../../src/ops/query.ts';
import { administrationEnv } from '../../src/ops/templates.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';
import { createDb, type Db, evaluatorClient, rowClient, rowParent, text } from './rows-support.ts';

const DAY = 86_400_000;
const clock = new Date('2026-05-13T10:00:00.000Z');

/** Tasks: estimate, done, due (days from the clock; null: none), stage. */
const TASKS: { estimate: number | null; done: boolean; due: number | null; stage: string | null }[] = [
  { estimate: 3, done: true, due: -2, stage: 'Review' },
  { estimate: 5, done: false, due: 4, stage: 'Draft' },
  { estimate: null, done: false, due: null, stage: null },
  { estimate: 8, done: true, due: -10, stage: 'review' },
  { estimate: 2, done: false, due: 1, stage: 'Review' },
  { estimate: 13, done: true, due: 7, stage: 'Draft' },
  { estimate: 1, done: true, due: -1, stage: null },
  { estimate: 0.5, done: false, due: 3, stage: 'Review' },
];
/** Projects: the tasks each one relates, by index. */
const PROJECTS: number[][] = [[0, 1, 2], [3], [], [4, 5, 6, 7], [1, 5], [2], [0, 3, 6]];

const FORMULAS = {
  Total: 'prop("Tasks").map(current.prop("Estimate")).sum()',
  Open: 'prop("Tasks").filter(!current.prop("Done")).length()',
  Finished: 'prop("Tasks").every(current.prop("Done"))',
  Late: 'prop("Tasks").some(current.prop("Due") < now())',
  Peak: 'prop("Tasks").map(current.prop("Points")).max()',
  Mean: 'prop("Tasks").map(current.prop("Estimate")).mean()',
  Idle: 'prop("Tasks").empty()',
  Count: 'prop("Tasks").length()',
  First: 'prop("Tasks").first().prop("Estimate")',
  LastName: 'prop("Tasks").filter(current.prop("Done")).map(current.prop("Name")).last()',
  InReview: 'prop("Tasks").filter(current.prop("Stage") == "Review").length()',
};

describeEngines('list functions over related pages in SQL', (engine) => {
  let h: Harness;
  let sqlClient: Client;
  let evalClient: Client;
  let tasks: Db;
  let projects: Db;
  const taskIds: string[] = [];
  const projectIds: string[] = [];

  beforeAll(async () => {
    h = await startHarness(engine, { clock: () => clock });
    sqlClient = rowClient(h, '2025-09-03');
    evalClient = evaluatorClient(h, () => clock);
    tasks = await createDb(h, '2025-09-03', 'Tasks', {
      Name: { title: {} },
      Estimate: { number: {} },
      Done: { checkbox: {} },
      Due: { date: {} },
      Stage: { select: { options: [{ name: 'Draft' }, { name: 'Review' }, { name: 'review' }] } },
      Points: { formula: { expression: 'prop("Estimate") * 2 + if(prop("Done"), 1, 0)' } },
    });
    projects = await createDb(h, '2025-09-03', 'Projects', {
      Name: { title: {} },
      Tasks: { relation: { data_source_id: tasks.dataSourceId, single_property: {} } },
    });
    await sqlClient.dataSources.update({
      data_source_id: projects.dataSourceId,
      properties: Object.fromEntries(
        Object.entries(FORMULAS).map(([name, expression]) => [name, { formula: { expression } }]),
      ) as never,
    });
    for (const [i, t] of TASKS.entries()) {
      const page = await sqlClient.pages.create({
        parent: rowParent('2025-09-03', tasks),
        properties: {
          Name: { title: text(`t${i}`) },
          Estimate: { number: t.estimate },
          Done: { checkbox: t.done },
          Due: {
            date: t.due === null ? null : { start: new Date(clock.getTime() + t.due * DAY).toISOString() },
          },
          Stage: { select: t.stage === null ? null : { name: t.stage } },
        } as never,
      });
      taskIds.push(page.id);
    }
    for (const [i, related] of PROJECTS.entries()) {
      const page = await sqlClient.pages.create({
        parent: rowParent('2025-09-03', projects),
        properties: {
          Name: { title: text(`p${i}`) },
          Tasks: { relation: related.map((k) => ({ id: taskIds[k]! })) },
        } as never,
      });
      projectIds.push(page.id);
    }
  });
  afterAll(() => h.close());

  /** All pages of a query, three at a time, as ids. */
  async function ids(client: Client, body: Record<string, unknown>, source = projects): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.dataSources.query({
        data_source_id: source.dataSourceId,
        page_size: 3,
        ...body,
        ...(cursor ? { start_cursor: cursor } : {}),
      } as never);
      out.push(...page.results.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** The projects whose value of `f` (computed here from TASKS) passes `test`, as ids. */
  function expected(
    f: (xs: (typeof TASKS)[number][]) => number | boolean | null,
    test: (v: number | boolean | null) => boolean,
  ): string[] {
    return PROJECTS.flatMap((related, i) =>
      test(f(related.map((k) => TASKS[k]!))) ? [projectIds[i]!] : [],
    ).sort();
  }

  const numbers = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  const CASES: {
    body: Record<string, unknown>;
    want?: () => string[];
    /** The formula the body sorts by, in the direction of the sort (checked on the values). */
    sorted?: { name: string; descending: boolean };
  }[] = [
    {
      body: {
        filter: { property: 'Total', formula: { number: { greater_than: 6 } } },
        sorts: [{ property: 'Total', direction: 'descending' }],
      },
      want: () =>
        expected(
          (xs) => numbers(xs.map((x) => x.estimate)).reduce((a, b) => a + b, 0),
          (v) => (v as number) > 6,
        ),
      sorted: { name: 'Total', descending: true },
    },
    {
      body: {
        filter: { property: 'Open', formula: { number: { greater_than_or_equal_to: 1 } } },
        sorts: [{ property: 'Open', direction: 'ascending' }],
      },
      want: () =>
        expected(
          (xs) => xs.filter((x) => !x.done).length,
          (v) => (v as number) >= 1,
        ),
      sorted: { name: 'Open', descending: false },
    },
    {
      body: { filter: { property: 'Finished', formula: { checkbox: { equals: true } } } },
      // Every task of none is done: a project without tasks is finished.
      want: () =>
        expected(
          (xs) => xs.every((x) => x.done),
          (v) => v === true,
        ),
    },
    {
      body: {
        filter: { property: 'Late', formula: { checkbox: { equals: true } } },
        sorts: [{ property: 'Mean', direction: 'ascending' }],
      },
      want: () =>
        expected(
          (xs) => xs.some((x) => x.due !== null && x.due < 0),
          (v) => v === true,
        ),
      sorted: { name: 'Mean', descending: false },
    },
    {
      body: {
        filter: { property: 'Peak', formula: { number: { greater_than: 10 } } },
        sorts: [{ property: 'Peak', direction: 'descending' }],
      },
      want: () =>
        expected(
          (xs) => {
            const points = numbers(xs.map((x) => (x.estimate ?? 0) * 2 + (x.done ? 1 : 0)));
            return points.length ? Math.max(...points) : null;
          },
          (v) => v !== null && (v as number) > 10,
        ),
      sorted: { name: 'Peak', descending: true },
    },
    {
      body: { filter: { property: 'Mean', formula: { number: { is_empty: true } } } },
      want: () =>
        expected(
          (xs) => (numbers(xs.map((x) => x.estimate)).length ? 1 : null),
          (v) => v === null,
        ),
    },
    {
      body: {
        filter: {
          or: [
            { property: 'Idle', formula: { checkbox: { equals: true } } },
            { property: 'Count', formula: { number: { greater_than: 3 } } },
          ],
        },
        sorts: [{ property: 'Count', direction: 'descending' }],
      },
      want: () =>
        expected(
          (xs) => xs.length === 0 || xs.length > 3,
          (v) => v === true,
        ),
      sorted: { name: 'Count', descending: true },
    },
    {
      body: {
        filter: { property: 'First', formula: { number: { greater_than: 2 } } },
        sorts: [{ property: 'First', direction: 'ascending' }],
      },
      want: () =>
        expected(
          (xs) => xs[0]?.estimate ?? null,
          (v) => v !== null && (v as number) > 2,
        ),
      sorted: { name: 'First', descending: false },
    },
    {
      body: {
        filter: { property: 'LastName', formula: { string: { ends_with: '6' } } },
        sorts: [{ property: 'LastName', direction: 'descending' }],
      },
      // The last done task's name is t6 (projects 3 and 6; project 0's is t0).
      want: () => [projectIds[3]!, projectIds[6]!].sort(),
    },
    {
      body: {
        filter: { property: 'InReview', formula: { number: { greater_than: 0 } } },
        sorts: [{ property: 'InReview', direction: 'descending' }],
      },
      // "Review" exactly: a task in "review" does not count.
      want: () =>
        expected(
          (xs) => xs.filter((x) => x.stage === 'Review').length,
          (v) => (v as number) > 0,
        ),
      sorted: { name: 'InReview', descending: true },
    },
  ];

  /** The number value of formula `name` on each page of `pageIds` (null: empty). */
  async function values(name: string, pageIds: string[]): Promise<(number | null)[]> {
    const out: (number | null)[] = [];
    for (const id of pageIds) {
      const page = (await sqlClient.pages.retrieve({ page_id: id })) as unknown as {
        properties: Record<string, { formula: { number?: number | null } }>;
      };
      out.push(page.properties[name]!.formula.number ?? null);
    }
    return out;
  }

  it('plans these formulas in SQL, and answers as the evaluator and the values computed here do', async () => {
    const source = await h.store.transaction(async (tx) => {
      const schema = schemaOf((await tx.blocks.get(projects.dataSourceId))!);
      return { schema, dataSourceId: projects.dataSourceId, databaseId: projects.databaseId };
    });
    const keyed = Object.fromEntries(source.schema.map((p) => [p.name, p]));
    for (const { body, want, sorted } of CASES) {
      const plan = await h.store.transaction(async (tx) =>
        planQuery(tx, await administrationEnv(tx, clock.toISOString(), BASE_URL), source, (context) =>
          parseQuery(body, keyed, { version: '2025-09-03', meUserId: null, ...context }),
        ),
      );
      expect(plan.computed, `in SQL: ${JSON.stringify(body)}`).toBeNull();
      const got = await ids(sqlClient, body);
      expect(got, JSON.stringify(body)).toEqual(await ids(evalClient, body));
      if (want) expect([...got].sort(), JSON.stringify(body)).toEqual(want());
      expect(got.length, JSON.stringify(body)).toBeGreaterThan(0);
      expect(got.length, JSON.stringify(body)).toBeLessThan(PROJECTS.length);
      if (sorted) {
        const vs = await values(sorted.name, got);
        const ordered = [...vs].sort((a, b) =>
          a === null ? 1 : b === null ? -1 : sorted.descending ? b - a : a - b,
        );
        expect(vs, JSON.stringify(body)).toEqual(ordered);
      }
    }
  });

  it('shows a change to a related page in the next query', async () => {
    const big = { filter: { property: 'Total', formula: { number: { greater_than: 100 } } } };
    const early = { filter: { property: 'Finished', formula: { checkbox: { equals: true } } } };
    expect(await ids(sqlClient, big)).toEqual([]);
    const finishedBefore = await ids(sqlClient, early);
    expect(finishedBefore).not.toContain(projectIds[0]);
    // Task 1 (in projects 0 and 4) grows; tasks 1 and 2 (project 0's open ones) get done.
    await sqlClient.pages.update({
      page_id: taskIds[1]!,
      properties: { Estimate: { number: 500 } } as never,
    });
    for (const k of [1, 2])
      await sqlClient.pages.update({
        page_id: taskIds[k]!,
        properties: { Done: { checkbox: true } } as never,
      });
    const after = await ids(sqlClient, big);
    expect([...after].sort()).toEqual([projectIds[0]!, projectIds[4]!].sort());
    expect(after).toEqual(await ids(evalClient, big));
    const finished = await ids(sqlClient, early);
    expect(finished).toContain(projectIds[0]);
    expect(finished).toEqual(await ids(evalClient, early));
    // A related page moved to the trash no longer counts.
    await sqlClient.pages.update({ page_id: taskIds[1]!, in_trash: true } as never);
    expect(await ids(sqlClient, big)).toEqual([]);
  });

  it('leaves a related data source the integration cannot see to the evaluator (its pages absent)', async () => {
    const writerToken = await h.newIntegration('Writer');
    const readerToken = await h.newIntegration('Reader');
    const open = await h.newRootPage('Open', ['Writer', 'Reader']);
    const hidden = await h.newRootPage('Hidden', ['Writer']);
    const writer = h.client({ token: writerToken, version: '2025-09-03' });
    const reader = h.client({ token: readerToken, version: '2025-09-03' });
    const db = async (parent: string, title: string, properties: Record<string, unknown>): Promise<Db> => {
      const made = (await writer.databases.create({
        parent: { type: 'page_id', page_id: parent },
        title: text(title) as never,
        initial_data_source: { properties: properties as never },
      })) as unknown as { id: string; data_sources: { id: string }[] };
      return { databaseId: made.id, dataSourceId: made.data_sources[0]!.id };
    };
    const secret = await db(hidden, 'Secret', { Name: { title: {} }, Code: { number: {} } });
    const visible = await db(open, 'Visible', {
      Name: { title: {} },
      Rel: { relation: { data_source_id: secret.dataSourceId, single_property: {} } },
      Sum: { formula: { expression: 'prop("Rel").map(current.prop("Code")).sum()' } },
      Any: { formula: { expression: 'prop("Rel").some(current.prop("Code") > 10)' } },
    });
    const s = await writer.pages.create({
      parent: { data_source_id: secret.dataSourceId },
      properties: { Name: { title: text('s') }, Code: { number: 42 } },
    } as never);
    const row = await writer.pages.create({
      parent: { data_source_id: visible.dataSourceId },
      properties: { Name: { title: text('v') }, Rel: { relation: [{ id: s.id }] } },
    } as never);
    const sum = { filter: { property: 'Sum', formula: { number: { greater_than: 0 } } } };
    const any = { filter: { property: 'Any', formula: { checkbox: { equals: true } } } };
    expect(await ids(writer, sum, visible)).toEqual([row.id]);
    expect(await ids(writer, any, visible)).toEqual([row.id]);
    expect(await ids(reader, sum, visible)).toEqual([]);
    expect(await ids(reader, any, visible)).toEqual([]);
    expect(
      await ids(reader, { filter: { property: 'Sum', formula: { number: { equals: 0 } } } }, visible),
    ).toEqual([row.id]);
  });
});
