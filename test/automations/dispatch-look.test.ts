/**
 * One dispatcher look, on both engines (automations/dispatch.ts):
 * - its leases with other processes about: a look leases and moves only the automations that act
 *   on its events (start runs, learn page states) and leaves the others where they are while the
 *   events are recent; an automation another process holds is left to it, acting or not, and what
 *   it would have started is started by the look after that lease is given back;
 * - the events it weighs for an automation whose condition needs one value of a property (found
 *   in an index of the look's events by that value): the same runs as judging every event;
 * - a quiet look (nothing fired, the events recent) moves no cursor, and the next look weighs only
 *   the events after what it read: an event is weighed once, with its page as it was then; a
 *   snapshot restore, after which that position names another event, makes it read from the
 *   cursor again.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AutomationRuntime, createAutomation, dispatchOnce } from '../../src/automations/runtime.ts';
import { sharePage } from '../../src/ops/integrations.ts';
import type { BootstrapResult } from '../../src/ops/workspace.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type LookBench, readableEnd, startLookBench } from './support.ts';

// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's objects loosely
type Loose = any;

describeEngines('automation dispatch look', (engine) => {
  let bench: LookBench;
  let store: KyselyStore;
  let boot: BootstrapResult;
  let sdk: Client;
  let rt: AutomationRuntime;
  beforeAll(async () => {
    bench = await startLookBench(engine);
    ({ store, boot, sdk, rt } = bench);
  });
  afterAll(() => bench?.close());

  const readable = () => readableEnd(store);

  it('a look leases only the automations that act; those another process holds wait for it', async () => {
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: boot.created!.pageId },
      title: [{ text: { content: 'Leases' } }],
      initial_data_source: {
        properties: { Name: { title: {} }, Bucket: { number: {} }, Note: { rich_text: {} } },
      },
    })) as Loose;
    const ds = db.data_sources[0].id as string;
    // fires, idle: free; heldIdle, heldFiring: leased by another process. A row in bucket 0 fires
    // `fires` and `heldFiring` only.
    const buckets = { fires: 0, idle: 1, heldIdle: 2, heldFiring: 0 };
    const ids: Record<string, string> = {};
    await store.transaction(async (tx) => {
      for (const [name, bucket] of Object.entries(buckets)) {
        const made = await createAutomation(
          tx,
          {
            name,
            trigger: { type: 'page_created', data_source_id: ds },
            condition: { property: 'Bucket', number: { equals: bucket } },
            actions: [
              { type: 'update_page', properties: { Note: { rich_text: [{ text: { content: name } }] } } },
            ],
          },
          new Date(),
        );
        ids[name] = made.id;
        await sharePage(tx, {
          pageId: boot.created!.pageId,
          integrationName: `automation: ${name}`,
          now: new Date().toISOString(),
        });
      }
    });
    const before = (await store.read((tx) => tx.automations.get(ids.fires!)))!.cursor;
    const now = Date.now();
    const held = await store.transaction((tx) =>
      tx.automations.claimDispatchMany([ids.heldIdle!, ids.heldFiring!], before, 'other', now, now + 60_000),
    );
    expect(held).toHaveLength(2);

    const row = await sdk.pages.create({
      parent: { data_source_id: ds },
      properties: { Name: { title: [{ text: { content: 'row' } }] }, Bucket: { number: 0 } },
    });
    const end = await readable();
    await dispatchOnce(rt);

    const state = async () => {
      const all = await store.read((tx) => tx.automations.list());
      const runs = await store.read((tx) => tx.automations.listRuns(null, 100));
      return Object.fromEntries(
        Object.entries(ids).map(([name, id]) => {
          const a = all.find((x) => x.id === id)!;
          const mine = runs.filter(
            (r) => r.automation_id === id && (JSON.parse(r.trigger) as Loose).page_id === row.id,
          );
          return [name, { cursor: a.cursor, token: a.dispatch_token, runs: mine.map((r) => r.status) }];
        }),
      );
    };
    // Only the acting one moved: the idle one stays (the events are recent), remembered.
    expect(await state()).toEqual({
      fires: { cursor: end, token: null, runs: ['succeeded'] },
      idle: { cursor: before, token: null, runs: [] },
      heldIdle: { cursor: before, token: 'other', runs: [] },
      heldFiring: { cursor: before, token: 'other', runs: [] },
    });

    // The other process gives its leases back without moving (it died, or failed to start a run):
    // the next look weighs those two again, and the run the held one missed starts now.
    await store.transaction((tx) =>
      tx.automations.finishDispatchMany([ids.heldIdle!, ids.heldFiring!], 'other', before),
    );
    const later = await readable();
    await dispatchOnce(rt);
    expect(await state()).toEqual({
      fires: { cursor: end, token: null, runs: ['succeeded'] },
      idle: { cursor: before, token: null, runs: [] },
      heldIdle: { cursor: before, token: null, runs: [] },
      heldFiring: { cursor: later, token: null, runs: ['succeeded'] },
    });
  });

  it('conditions needing one value fire for exactly the rows holding it, in order', async () => {
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: boot.created!.pageId },
      title: [{ text: { content: 'Values' } }],
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Bucket: { number: {} },
          Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } },
          Note: { rich_text: {} },
        },
      },
    })) as Loose;
    const ds = db.data_sources[0].id as string;
    const conditions: Record<string, unknown> = {
      high: { property: 'Priority', select: { equals: 'High' } },
      named: { property: 'Name', title: { equals: 'Alpha' } },
      both: {
        and: [
          { property: 'Bucket', number: { greater_than: 1 } },
          { property: 'Priority', select: { equals: 'Low' } },
        ],
      },
      either: {
        or: [
          { property: 'Bucket', number: { equals: 1 } },
          { property: 'Priority', select: { equals: 'High' } },
        ],
      },
      three: { property: 'Bucket', number: { equals: 3 } },
    };
    await store.transaction(async (tx) => {
      for (const [name, condition] of Object.entries(conditions)) {
        await createAutomation(
          tx,
          {
            name: `value ${name}`,
            trigger: { type: 'page_created', data_source_id: ds },
            condition,
            actions: [
              { type: 'update_page', properties: { Note: { rich_text: [{ text: { content: name } }] } } },
            ],
          },
          new Date(),
        );
        await sharePage(tx, {
          pageId: boot.created!.pageId,
          integrationName: `automation: value ${name}`,
          now: new Date().toISOString(),
        });
      }
    });
    const create = (name: string, bucket: number, priority: string | null) =>
      sdk.pages.create({
        parent: { data_source_id: ds },
        properties: {
          Name: { title: [{ text: { content: name } }] },
          Bucket: { number: bucket },
          Priority: { select: priority === null ? null : { name: priority } },
        },
      });
    // Two looks: the first parses the conditions (judging every event), the second finds them parsed.
    for (const round of [1, 2]) {
      const rows = [
        await create('Alpha', 1, 'High'),
        await create('alpha', 3, 'Low'),
        await create('Beta', 3, null),
        await create('Alpha', 2, 'Low'),
        await create('Gamma', 3, 'High'),
      ];
      // A row trashed before the look fires nothing.
      const trashed = await create('Alpha', 3, 'High');
      await sdk.pages.update({ page_id: trashed.id, in_trash: true });
      await readable();
      await dispatchOnce(rt);
      const runs = (await store.read((tx) => tx.automations.listRuns(null, 1000))).filter((r) =>
        [...rows, trashed].some((p) => (JSON.parse(r.trigger) as Loose).page_id === p.id),
      );
      const all = await store.read((tx) => tx.automations.list());
      const fired = Object.fromEntries(
        Object.keys(conditions).map((name) => {
          const id = all.find((a) => a.name === `value ${name}`)!.id;
          const pages = runs
            .filter((r) => r.automation_id === id)
            .map((r) => rows.findIndex((p) => p.id === (JSON.parse(r.trigger) as Loose).page_id));
          return [name, pages.sort()];
        }),
      );
      expect(fired, `round ${round}`).toEqual({
        high: [0, 4],
        // Text matching is case-insensitive.
        named: [0, 1, 3],
        both: [1, 3],
        either: [0, 4],
        three: [1, 2, 4],
      });
    }
  });

  /**
   * A data source with a `Bucket` number, and an automation that comments on each row created in
   * `bucket` (shared the root page); `create(b)` makes a row in bucket `b`.
   */
  async function bucketAutomation(title: string, name: string, bucket: number) {
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: boot.created!.pageId },
      title: [{ text: { content: title } }],
      initial_data_source: { properties: { Name: { title: {} }, Bucket: { number: {} } } },
    })) as Loose;
    const ds = db.data_sources[0].id as string;
    const made = await store.transaction(async (tx) => {
      const a = await createAutomation(
        tx,
        {
          name,
          trigger: { type: 'page_created', data_source_id: ds },
          condition: { property: 'Bucket', number: { equals: bucket } },
          actions: [{ type: 'add_comment', text: name }],
        },
        new Date(),
      );
      await sharePage(tx, {
        pageId: boot.created!.pageId,
        integrationName: `automation: ${name}`,
        now: new Date().toISOString(),
      });
      return a;
    });
    const create = (b: number) =>
      sdk.pages.create({
        parent: { data_source_id: ds },
        properties: { Name: { title: [{ text: { content: `${title} ${b}` } }] }, Bucket: { number: b } },
      });
    return { made, create };
  }

  it('a quiet look is not repeated: the next look weighs only the newer events, then moves past all', async () => {
    const { made, create } = await bucketAutomation('Quiet', 'quiet five', 5);
    const cursorOf = async () => (await store.read((tx) => tx.automations.get(made.id)))!.cursor;
    const runsOf = async () =>
      (await store.read((tx) => tx.automations.listRuns(null, 1000)))
        .filter((r) => r.automation_id === made.id)
        .map((r) => (JSON.parse(r.trigger) as Loose).page_id as string);
    const start = await cursorOf();
    // Created in bucket 1: the look fires nothing and, the event being recent, moves nothing.
    const first = await create(1);
    await readable();
    await dispatchOnce(rt);
    expect(await cursorOf()).toBe(start);
    // Moved to bucket 5 afterwards: its creation was weighed (with the page as it was), not again.
    await sdk.pages.update({ page_id: first.id, properties: { Bucket: { number: 5 } } });
    await readable();
    await dispatchOnce(rt);
    expect(await runsOf()).toEqual([]);
    expect(await cursorOf()).toBe(start);
    // A row created in bucket 5 fires, and the cursor moves past every event read.
    const second = await create(5);
    const end = await readable();
    await dispatchOnce(rt);
    expect(await runsOf()).toEqual([second.id]);
    expect(await cursorOf()).toBe(end);
  });

  it('a remembered position is dropped when a snapshot restore numbers events again', async () => {
    const { made, create } = await bucketAutomation('Restored', 'restored seven', 7);
    await readable();
    await dispatchOnce(rt);
    await store.snapshots.save('before rows', new Date().toISOString());
    // A quiet look: the group stays at its cursor, its read position remembered in this process.
    await create(0);
    await readable();
    await dispatchOnce(rt);
    expect(await store.snapshots.restore('before rows')).toBe(true);
    // On SQLite the next event takes the number the forgotten one had: it must still be weighed.
    const fires = await create(7);
    await readable();
    await dispatchOnce(rt);
    await dispatchOnce(rt);
    const runs = (await store.read((tx) => tx.automations.listRuns(null, 1000)))
      .filter((r) => r.automation_id === made.id)
      .map((r) => [(JSON.parse(r.trigger) as Loose).page_id as string, r.status]);
    expect(runs).toEqual([[fires.id, 'succeeded']]);
  });
});
