/**
 * Reading the outbox while writers commit out of order: a consumer that resumes from its cursor
 * misses nothing committed and reads nothing twice, with no lock among writers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EventCursor, START_CURSOR } from '../../src/events/cursor.ts';
import type { RecordedEvent } from '../../src/events/types.ts';
import { ChangeLog, recordEvents } from '../../src/store/events-repo.ts';
import { describeEngines, eventsReadable } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const title = (content: string) => ({ title: { title: [{ type: 'text' as const, text: { content } }] } });

describeEngines('change events read in order', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  const read = (cursor: EventCursor, limit = 1000) =>
    h.store.transaction((tx) => tx.events.readAfter(cursor, limit));
  /** Reads until a read returns nothing: everything readable now, and the cursor after it. */
  async function drain(from: EventCursor): Promise<{ events: RecordedEvent[]; next: EventCursor }> {
    const events: RecordedEvent[] = [];
    let next = from;
    for (;;) {
      const page = await read(next, 50);
      if (page.events.length === 0) return { events, next };
      events.push(...page.events);
      next = page.next;
    }
  }
  const settled = () => eventsReadable(engine, h.store.db);
  const createPage = (name: string) =>
    h.client().pages.create({ parent: { page_id: h.rootPageId }, properties: title(name) });
  /**
   * A transaction that (un)locks `page` and records its event through recordEvents, then waits for
   * `hold` before it commits: its event numbers are taken long before they become visible.
   */
  const lockInOpenTransaction = (page: string, locked: number, hold: (seq: number) => Promise<unknown>) =>
    h.store.db.transaction().execute(async (trx) => {
      const log = new ChangeLog();
      await log.updatingBlock(trx, page, { is_locked: locked });
      await trx.updateTable('blocks').set({ is_locked: locked }).where('id', '=', page).execute();
      await recordEvents(trx, log);
      const own = await trx.selectFrom('events').select('seq').where('entity_id', '=', page).execute();
      await hold(Math.max(...own.map((r) => Number(r.seq))));
    });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it.runIf(engine === 'postgres')(
    'holds back a later transaction’s events while an earlier one that took smaller numbers is open',
    async () => {
      const page = (await createPage('A')).id;
      await settled();
      let cursor = (await drain(START_CURSOR)).next;
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let numbered: (seq: number) => void = () => {};
      const aNumbered = new Promise<number>((r) => {
        numbered = r;
      });
      // Transaction A: a real change and its events through recordEvents, then it stays open.
      const a = lockInOpenTransaction(page, 1, (seq) => {
        numbered(seq);
        return gate;
      });
      const aSeq = await aNumbered;
      // Transaction B commits a larger number while A is open: by seq alone a reader would
      // return it and move its cursor past A's.
      const b = (await createPage('B')).id;
      const bRow = await h.store.db
        .selectFrom('events')
        .select('seq')
        .where('entity_id', '=', b)
        .executeTakeFirstOrThrow();
      expect(Number(bRow.seq)).toBeGreaterThan(aSeq);
      for (let i = 0; i < 3; i++) {
        const during = await read(cursor);
        expect(during.events).toEqual([]);
        expect(during.next).toBe(cursor);
      }
      release();
      await a;
      // Resumed reads (other test files' transactions may hold the horizon back for a moment).
      const seen: RecordedEvent[] = [];
      const deadline = Date.now() + 10_000;
      while (seen.length < 2 && Date.now() < deadline) {
        const after = await read(cursor);
        seen.push(...after.events);
        cursor = after.next;
        if (after.events.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen.map((e) => [e.type, e.entity.id])).toEqual([
        ['page.locked', page],
        ['page.created', b],
      ]);
      expect((await read(cursor)).events).toEqual([]);
    },
  );

  it('a reader polling beside 20 concurrent writers, round after round, sees every event once', async () => {
    // Half the writers are API page creations; half (un)lock a page and hold their commit for a
    // random few milliseconds after taking their numbers, so commits come out of number order.
    const targets = (await Promise.all(Array.from({ length: 10 }, (_, i) => createPage(`t${i}`)))).map(
      (p) => p.id,
    );
    await settled();
    const before = new Set((await h.store.db.selectFrom('events').select('id').execute()).map((r) => r.id));
    let cursor = (await drain(START_CURSOR)).next;
    const seen: RecordedEvent[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) {
        // A small limit, so reads also stop inside one transaction's events and resume there.
        const page = await read(cursor, 7);
        seen.push(...page.events);
        cursor = page.next;
        if (page.events.length === 0) await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const created: string[] = [];
    let toggles = 0;
    try {
      for (let round = 0; round < 5; round++) {
        const [pages] = await Promise.all([
          Promise.all(Array.from({ length: 10 }, (_, i) => createPage(`r${round}-${i}`))),
          Promise.all(
            targets.map((t) => lockInOpenTransaction(t, (round + 1) % 2, () => sleep(Math.random() * 15))),
          ),
        ]);
        created.push(...pages.map((p) => p.id));
        toggles += targets.length;
      }
    } finally {
      writing = false;
      await reader;
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rest = await drain(cursor);
      seen.push(...rest.events);
      cursor = rest.next;
      if (seen.length >= created.length + toggles || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const committed = (await h.store.db.selectFrom('events').select('id').execute())
      .map((r) => r.id)
      .filter((id) => !before.has(id));
    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...committed].sort());
    expect(ids).toHaveLength(created.length + toggles);
    const made = seen.filter((e) => e.type === 'page.created').map((e) => e.entity.id);
    expect(made.sort()).toEqual([...created].sort());
  });
});
