/**
 * The automations dispatcher: reads the change-event outbox and decides which page-triggered
 * automations fire for which events. One look reads the outbox once for every automation at the
 * same cursor (after a while, all of them), so its cost grows with the events and the
 * automations that match them, not with events × automations × queries: each automation's cheap
 * tests (trigger type, data source, its condition) come first, the visibility check (a query)
 * only for what passed them, and pages, schemas and parsed filters are read once per look.
 */
import { randomUUID } from 'node:crypto';
import type { Schema } from '../domain/properties/types.ts';
import { aggregateEvents } from '../events/aggregate.ts';
import type { RecordedEvent } from '../events/types.ts';
import { isPreparedStatementGone } from '../lib/constraint.ts';
import type { Logger } from '../lib/log.ts';
import type { OpEnv } from '../ops/env.ts';
import { canSeeEvent } from '../ops/events.ts';
import { computedKinds, conditionHolds } from '../ops/formulas.ts';
import { actorOf } from '../ops/integrations.ts';
import { filterReadsComputed, rowPasses } from '../ops/query.ts';
import { derivedRow, storedOf } from '../ops/rows.ts';
import type { RowSource } from '../present/page.present.ts';
import { propertyValue } from '../present/property-values.present.ts';
import { valueColumn } from '../query/columns.ts';
import { evaluateFilter } from '../query/evaluate.ts';
import { parseFilterAt } from '../query/parse.ts';
import type { AutomationRow, BlockView, IntegrationRow, Store, StoreTx } from '../store/store.ts';
import { API_VERSIONS } from '../wire/versions.ts';
import { conditionFormula, type Definition, pageTrigger } from './definition.ts';
import { plainValue } from './template.ts';

type Filter = ReturnType<typeof parseFilterAt>;

/** Events read per look and cursor. */
const BATCH = 500;
/** How long a look may hold its automations before another process may take them. */
const DISPATCH_LEASE_MS = 30_000;
const VERSION = API_VERSIONS[API_VERSIONS.length - 1]!;

/** Result kinds of formulas do not depend on who reads: computed with the workspace's sight. */
const LOOK_ENV = (): OpEnv => ({
  actor: {
    integrationId: '',
    integrationName: 'automations',
    botUserId: '',
    capabilities: new Set(),
    seesEverything: true,
  },
  now: new Date().toISOString(),
  publicUrl: '',
});

/** A run to start: which automation, for which event and page, how deep in a chain. */
export interface Firing {
  automation: AutomationRow;
  event: RecordedEvent;
  pageId: string;
  depth: number;
}

export interface DispatchDeps {
  store: Store;
  publicUrl: string;
  aggregationMs: number;
  /** Records the runs and hands them to the queue. */
  start(firings: readonly Firing[]): Promise<unknown>;
  log?: Logger | undefined;
}

/** The automation's definition, parsed once per row version. */
const definitions = new Map<string, { text: string; def: Definition }>();
/** The automation's definition, parsed once while its stored text stays the same (read-only). */
export function definitionOf(row: AutomationRow): Definition {
  const known = definitions.get(row.id);
  if (known?.text === row.definition) return known.def;
  const def = JSON.parse(row.definition) as Definition;
  if (definitions.size > 10_000) definitions.clear();
  definitions.set(row.id, { text: row.definition, def });
  return def;
}

/**
 * Definitions by automation id, with the `updated_time` they were read at: a look lists the
 * automations without them and reads only those it does not hold (new or changed), so a poll
 * over many automations does not carry every definition's text each time.
 */
const heldDefinitions = new Map<string, { updated: string; definition: string }>();

/** Every automation, as `list` answers, its definition read only when new or changed. */
async function listAutomations(tx: StoreTx): Promise<AutomationRow[]> {
  const heads = await tx.automations.listHeads();
  const missing = heads.filter((h) => heldDefinitions.get(h.id)?.updated !== h.updated_time).map((h) => h.id);
  if (missing.length > 0) {
    for (const d of await tx.automations.definitions(missing))
      heldDefinitions.set(d.id, { updated: d.updated_time, definition: d.definition });
  }
  if (heldDefinitions.size > heads.length + 1000) {
    const live = new Set(heads.map((h) => h.id));
    for (const id of heldDefinitions.keys()) if (!live.has(id)) heldDefinitions.delete(id);
  }
  const all: AutomationRow[] = [];
  for (const h of heads) {
    const held = heldDefinitions.get(h.id);
    // Deleted between the two statements (outside a transaction's snapshot): passed over.
    if (held?.updated === h.updated_time) all.push({ ...h, definition: held.definition });
  }
  return all;
}

/** One look: every enabled page-triggered automation behind the outbox, a group per cursor. */
export async function dispatchOnce(deps: DispatchDeps): Promise<void> {
  const { all, end } = await deps.store.transaction(async (tx) => ({
    all: await listAutomations(tx),
    end: await tx.events.endCursor(),
  }));
  const groups = new Map<string, AutomationRow[]>();
  for (const a of all) {
    if (a.enabled !== 1 || a.cursor === end || !pageTrigger(definitionOf(a).trigger)) continue;
    const group = groups.get(a.cursor);
    if (group) group.push(a);
    else groups.set(a.cursor, [a]);
  }
  for (const [from, parts] of byReadPosition(groups)) await dispatchUnit(deps, from, parts, all);
}

/** What one look reads once and every automation of it shares. */
class Look {
  private pages = new Map<string, Promise<BlockView | undefined>>();
  private schemas = new Map<string, Promise<{ schema: Schema; raw: string }>>();
  private kinds = new Map<
    string,
    Promise<{ source: RowSource; kinds: Awaited<ReturnType<typeof computedKinds>> }>
  >();
  /** Page states the stateful triggers saw in this look, by `automation page`. */
  readonly states = new Map<string, string>();
  private rows = new Map<string, ReturnType<typeof derivedRow>>();
  private depths = new Map<string, Promise<number>>();
  readonly byIntegration: Map<string, AutomationRow>;
  readonly tx: StoreTx;
  private integrations: Promise<Map<string, IntegrationRow>> | undefined;

  constructor(tx: StoreTx, all: AutomationRow[]) {
    this.tx = tx;
    this.byIntegration = new Map(all.map((a) => [a.integration_id, a]));
  }

  /** An integration (all of them read once, at the first automation weighed against an event). */
  async integration(id: string): Promise<IntegrationRow | undefined> {
    this.integrations ??= this.tx.integrations.list().then((list) => new Map(list.map((i) => [i.id, i])));
    return (await this.integrations).get(id);
  }

  /**
   * Reads the pages of `ids` not read yet, up to 100 a statement, for `page` to answer: a look
   * weighs many events, and reading their pages one at a time cost a statement per event.
   */
  async prefetch(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.pages.has(id));
    for (let i = 0; i < missing.length; i += 100) {
      const chunk = missing.slice(i, i + 100);
      // Read, then remembered as settled: a pending promise per id would each reject unhandled
      // when the read fails (and Node ends the process on an unhandled rejection).
      const found = new Map((await this.tx.blocks.getMany(chunk)).map((b) => [b.id, b]));
      for (const id of chunk) this.pages.set(id, Promise.resolve(found.get(id)));
    }
  }

  page(id: string): Promise<BlockView | undefined> {
    let p = this.pages.get(id);
    if (!p) {
      p = this.tx.blocks.get(id);
      this.pages.set(id, p);
    }
    return p;
  }

  /** A data source's schema, and its stored text (which says whether it changed). */
  schema(dataSourceId: string): Promise<{ schema: Schema; raw: string }> {
    let s = this.schemas.get(dataSourceId);
    if (!s) {
      s = this.page(dataSourceId).then((ds) => {
        const raw = ds?.properties ?? '[]';
        return { schema: JSON.parse(raw) as Schema, raw };
      });
      this.schemas.set(dataSourceId, s);
    }
    return s;
  }

  /** The row source of a data source, and its formulas' and rollups' result kinds (for parsing). */
  computed(
    dataSourceId: string,
  ): Promise<{ source: RowSource; kinds: Awaited<ReturnType<typeof computedKinds>> }> {
    let c = this.kinds.get(dataSourceId);
    if (!c) {
      c = (async () => {
        const [{ schema }, ds] = await Promise.all([this.schema(dataSourceId), this.page(dataSourceId)]);
        const source: RowSource = { schema, dataSourceId, databaseId: ds?.parent_id ?? '' };
        return { source, kinds: await computedKinds(this.tx, LOOK_ENV(), source) };
      })();
      this.kinds.set(dataSourceId, c);
    }
    return c;
  }

  /** What a stateful trigger saw of a page: written by this look, else as stored. */
  async pageState(automationId: string, pageId: string): Promise<string | undefined> {
    const key = `${automationId} ${pageId}`;
    return this.states.has(key) ? this.states.get(key) : this.tx.automations.pageState(automationId, pageId);
  }

  /** Kept until the look's cursors move, then written with them. */
  setPageState(automationId: string, pageId: string, state: string) {
    this.states.set(`${automationId} ${pageId}`, state);
  }

  /** The page's derived row under the data source's schema, or null when it is gone or trashed. */
  async row(dataSourceId: string, schema: Schema, pageId: string) {
    const page = await this.page(pageId);
    if (!page || page.in_trash) return null;
    const key = `${dataSourceId}:${pageId}`;
    let row = this.rows.get(key);
    if (!row) {
      row = derivedRow(schema, page);
      this.rows.set(key, row);
    }
    return row;
  }

  /** Whether the page (as it is now, not trashed) passes `filter`. */
  async passes(filter: Filter, dataSourceId: string, schema: Schema, pageId: string, now: Date) {
    const row = await this.row(dataSourceId, schema, pageId);
    return row !== null && evaluateFilter(filter, row, { now });
  }

  private byValue = new WeakMap<readonly RecordedEvent[], Map<string, Promise<Map<unknown, number[]>>>>();

  /**
   * The positions in `events` by the value their page's row holds in `column` (read as under
   * `dataSourceId`'s schema; gone and trashed pages and empty values left out), built once a look
   * per list and column.
   */
  positionsByValue(
    events: readonly RecordedEvent[],
    dataSourceId: string,
    column: string,
  ): Promise<Map<unknown, number[]>> {
    let byColumn = this.byValue.get(events);
    if (!byColumn) {
      byColumn = new Map();
      this.byValue.set(events, byColumn);
    }
    let made = byColumn.get(`${dataSourceId} ${column}`);
    if (!made) {
      made = (async () => {
        const { schema } = await this.schema(dataSourceId);
        const map = new Map<unknown, number[]>();
        for (const [i, event] of events.entries()) {
          const pageId = event.entity.type === 'comment' ? (event.data.page_id ?? null) : event.entity.id;
          if (pageId === null) continue;
          const v = (await this.row(dataSourceId, schema, pageId))?.[column] ?? null;
          if (v === null) continue;
          const at = map.get(v);
          if (at) at.push(i);
          else map.set(v, [i]);
        }
        return map;
      })();
      byColumn.set(`${dataSourceId} ${column}`, made);
    }
    return made;
  }

  /** The chain depth of a run started by a write of `integrationId` (0 unless an automation wrote). */
  depth(integrationId: string | null | undefined): Promise<number> {
    const writer = integrationId ? this.byIntegration.get(integrationId) : undefined;
    if (!writer) return Promise.resolve(0);
    let d = this.depths.get(writer.id);
    if (!d) {
      d = this.tx.automations
        .lastRunBefore(writer.id, new Date().toISOString())
        .then((run) => (run?.depth ?? 0) + 1);
      this.depths.set(writer.id, d);
    }
    return d;
  }
}

/**
 * The automations of a look that act on none of its events keep their cursor (the next look reads
 * on after what this one read, `quietReads`) until the oldest of those events is this old or a
 * batch has gathered. Moving a group's cursors costs a row update per automation: with 1,000
 * automations on a data source, a write that fires one of them, or a burst of writes that fire
 * nothing (automation runs' own writes), then costs the looks reads and the acting rows only.
 */
const QUIET_LOOK_MS = 5000;

/** What a look remembers of a group left at its cursor (`quietReads`). */
interface QuietRead {
  /** The group's automations, their ids and `updated_time`s. */
  members: string;
  /** The events after the group's cursor up to here fired nothing for them. */
  next: string;
  /**
   * The id of the event at `next` (none when `next` is the group's cursor): a look reading from
   * `next` first checks it is still that event, since a SQLite snapshot restore numbers events
   * again from the snapshot's last one, and a remembered position could then skip new events.
   */
  nextId: string | undefined;
  /** How many events that was, and the oldest one's time. */
  count: number;
  oldest: string | undefined;
}

/**
 * What a look left unmoved, by cursor: the events after it up to `next` fired nothing for the
 * automations still there. The group's next look reads only after `next` (with every other group
 * reading from there: one read for all) and weighs only the new events, deciding over all of them
 * whether to move it; a look that moves it moves it past all of them. A different membership (an
 * automation added, changed, gone, or left there by another process) reads from the cursor again.
 */
const quietReads = new Map<string, QuietRead>();

/** A group of automations at one cursor, and what a look remembers of it. */
interface Part {
  cursor: string;
  group: AutomationRow[];
  before: QuietRead | undefined;
}

const membersOf = (group: readonly AutomationRow[]) =>
  group.map((a) => `${a.id}/${a.updated_time}`).join(' ');

/** The groups by where their reading starts: their cursor, or after what a look remembers. */
function byReadPosition(groups: Map<string, AutomationRow[]>): Map<string, Part[]> {
  for (const cursor of quietReads.keys()) if (!groups.has(cursor)) quietReads.delete(cursor);
  const units = new Map<string, Part[]>();
  for (const [cursor, group] of groups) {
    const known = quietReads.get(cursor);
    const before = known?.members === membersOf(group) ? known : undefined;
    const from = before?.next ?? cursor;
    const unit = units.get(from);
    if (unit) unit.push({ cursor, group, before });
    else units.set(from, [{ cursor, group, before }]);
  }
  return units;
}

/**
 * Reads the events after `from` once for the automations of `parts` (groups at their cursors, all
 * read from there), starts their runs and moves cursors. Only the automations that act (start
 * runs, learn page states, or cannot be weighed) are leased and moved at once; the rest of a group
 * stays where it is, remembered, until its unmoved events are `QUIET_LOOK_MS` old or a batch, and
 * then moves in one statement per 500. Automations another process holds are left to it; one whose
 * definition no longer fits its data source (a property deleted) is logged and stays where it is.
 */
async function dispatchUnit(deps: DispatchDeps, from: string, parts: Part[], all: AutomationRow[]) {
  const { store } = deps;
  const token = randomUUID();
  const now = Date.now();
  // The reading and weighing come first, outside a write transaction (on SQLite, writers are not
  // held up by a look); leases are then taken only when there is something to write.
  const read = await store.read(async (tx) => {
    const expected = new Set(parts.flatMap((p) => (p.before?.nextId ? [p.before.nextId] : [])));
    if (expected.size > 1 || (expected.size === 1 && !expected.has((await tx.events.idAt(from)) ?? '')))
      return null;
    const held = Math.max(...parts.map((p) => p.before?.count ?? 0));
    const raw = await tx.events.readAfter(from, BATCH - held);
    const { events, cursor: next } = aggregateEvents(raw.events, from, deps.aggregationMs, now);
    const look = new Look(tx, all);
    const index = indexEvents(events);
    // The pages of the events the group's automations will weigh, in a few statements.
    // (Many automations of a data source get the same list: each list is gone through once.)
    const lists = new Set<readonly RecordedEvent[]>();
    for (const part of parts)
      for (const automation of part.group) {
        try {
          lists.add(eventsFor(index, definitionOf(automation).trigger));
        } catch {} // weighed (and reported) below
      }
    const pages = new Set<string>();
    for (const list of lists) for (const e of list) if (e.entity.type === 'page') pages.add(e.entity.id);
    await look.prefetch(pages);
    const firings: Firing[] = [];
    const stuck: string[] = [];
    for (const part of parts)
      for (const automation of part.group) {
        try {
          const mayFire = await narrow(look, automation, eventsFor(index, definitionOf(automation).trigger));
          if (mayFire.length > 0) firings.push(...(await weigh(tx, look, deps, automation, mayFire, now)));
        } catch (err) {
          // A prepared statement the server refused (its table changed shape) is the read's, not
          // the automation's: the read runs again as a whole (Store.read).
          if (isPreparedStatementGone(err)) throw err;
          stuck.push(automation.id);
          deps.log?.error({ err, automation: automation.name }, 'automation dispatch failed');
        }
      }
    return {
      firings,
      next,
      stuck,
      states: look.states,
      read: raw.events.length,
      first: raw.events[0]?.timestamp,
      nextId: raw.events.find((e) => e.cursor === next)?.id,
    };
  });
  if (read === null) {
    // What was remembered names other events now: the groups read from their cursors again.
    for (const part of parts) quietReads.delete(part.cursor);
    return;
  }
  // The event at the position remembered for a part: this look's, or (none read) what was there.
  const nextIdOf = (part: Part) =>
    read.nextId ?? (read.next === part.cursor ? undefined : part.before?.nextId);
  const acting = new Set<string>([...read.firings.map((f) => f.automation.id), ...read.stuck]);
  for (const key of read.states.keys()) acting.add(key.slice(0, key.indexOf(' ')));
  // Per group: whether its non-acting automations may stay (their unmoved events recent and fewer
  // than a batch), and which of it act.
  const plans = parts.map((part) => {
    const count = (part.before?.count ?? 0) + read.read;
    const oldest = part.before?.oldest ?? read.first;
    const stays = count < BATCH && (oldest === undefined || now - Date.parse(oldest) < QUIET_LOOK_MS);
    return {
      part,
      count,
      oldest,
      stays,
      acting: part.group.filter((a) => acting.has(a.id)).map((a) => a.id),
    };
  });
  const moves = plans.some((p) => p.acting.length > 0 || !p.stays);
  if (!moves) {
    for (const p of plans)
      quietReads.set(p.part.cursor, {
        members: membersOf(p.part.group),
        next: read.next,
        nextId: nextIdOf(p.part),
        count: p.count,
        oldest: p.oldest,
      });
    return;
  }
  // The leases of the acting automations, still at their cursor and held by no other process. What
  // was weighed for those another process holds or moved is dropped (it weighs them itself).
  const claimedOf = new Map<Part, string[]>();
  if (acting.size > 0)
    await store.transaction(async (tx) => {
      for (const p of plans)
        if (p.acting.length > 0)
          claimedOf.set(
            p.part,
            await tx.automations.claimDispatchMany(
              p.acting,
              p.part.cursor,
              token,
              now,
              now + DISPATCH_LEASE_MS,
            ),
          );
    });
  const mine = new Set([...claimedOf.values()].flat());
  const firings = read.firings.filter((f) => mine.has(f.automation.id));
  const stuck = new Set(read.stuck.filter((id) => mine.has(id)));
  try {
    if (firings.length > 0) await deps.start(firings);
  } catch (err) {
    // Starting a run failed part way: every automation gives its lease back at the old cursor and
    // the next look weighs the batch again (a run started twice is the at-least-once of runs).
    await store.transaction(async (tx) => {
      for (const [part, ids] of claimedOf) await tx.automations.finishDispatchMany(ids, token, part.cursor);
    });
    for (const p of plans) quietReads.delete(p.part.cursor);
    throw err;
  }
  // What the stateful triggers saw, and the cursors, move together: of a group that stays, the
  // acting automations this look holds; of one that does not, those and every non-acting one (an
  // acting one another process holds stays).
  await store.transaction(async (tx) => {
    for (const [key, state] of read.states) {
      const [automationId, pageId] = key.split(' ') as [string, string];
      if (mine.has(automationId)) await tx.automations.setPageState(automationId, pageId, state);
    }
    for (const p of plans) {
      const claimed = claimedOf.get(p.part) ?? [];
      if (p.stays) {
        const moved = claimed.filter((id) => !stuck.has(id));
        if (moved.length > 0) await tx.automations.finishDispatchMany(moved, token, read.next);
      } else {
        const moved = p.part.group
          .map((a) => a.id)
          .filter((id) => !stuck.has(id) && (mine.has(id) || !acting.has(id)));
        await tx.automations.moveDispatchMany(moved, p.part.cursor, read.next, token, now);
      }
      const back = claimed.filter((id) => stuck.has(id));
      if (back.length > 0) await tx.automations.finishDispatchMany(back, token, p.part.cursor);
    }
  });
  // What stays is remembered when it is exactly the non-acting rest (no acting one left there).
  for (const p of plans) {
    if (!p.stays || (p.acting.length > 0 && stuckOrUnclaimed(p.acting, mine, stuck))) {
      quietReads.delete(p.part.cursor);
      continue;
    }
    const rest = p.part.group.filter((a) => !acting.has(a.id));
    if (rest.length === 0) quietReads.delete(p.part.cursor);
    else
      quietReads.set(p.part.cursor, {
        members: membersOf(rest),
        next: read.next,
        nextId: nextIdOf(p.part),
        count: p.count,
        oldest: p.oldest,
      });
  }
}

/** Whether any of `ids` stays at its cursor: not leased by this look, or given back stuck. */
function stuckOrUnclaimed(ids: readonly string[], mine: Set<string>, stuck: Set<string>): boolean {
  return ids.some((id) => !mine.has(id) || stuck.has(id));
}

/** A look's events by what they may fire: page events by data source (and kind), comments. */
interface EventIndex {
  /** `data source id` → its page events, in order. */
  pages: Map<string, RecordedEvent[]>;
  /** `data source id kind` → its page events of that kind, in order. */
  kinds: Map<string, RecordedEvent[]>;
  comments: RecordedEvent[];
}

function indexEvents(events: readonly RecordedEvent[]): EventIndex {
  const index: EventIndex = { pages: new Map(), kinds: new Map(), comments: [] };
  const push = (map: Map<string, RecordedEvent[]>, key: string, e: RecordedEvent) => {
    const list = map.get(key);
    if (list) list.push(e);
    else map.set(key, [e]);
  };
  for (const e of events) {
    if (e.type === 'comment.created') index.comments.push(e);
    const ds = e.entity.type === 'page' ? e.data.parent?.data_source_id : undefined;
    if (!ds) continue;
    push(index.pages, ds, e);
    push(index.kinds, `${ds} ${e.type}`, e);
  }
  return index;
}

/**
 * The events of a look that `weigh` may act on for trigger `t`, in order: what `matches` could
 * accept, and for stateful triggers the creations they learn values from. With many automations
 * on a data source, most are passed over here without looking at each event.
 */
function eventsFor(index: EventIndex, t: Definition['trigger']): readonly RecordedEvent[] {
  if (t.type === 'comment_created') return index.comments;
  if (!pageTrigger(t)) return [];
  const stateful = t.type === 'page_matches' || (t.type === 'page_updated' && t.change !== undefined);
  if (stateful) return index.pages.get(t.data_source_id) ?? [];
  const kind = t.type === 'page_created' ? 'page.created' : 'page.properties_updated';
  return index.kinds.get(`${t.data_source_id} ${kind}`) ?? [];
}

/**
 * How a condition (or a `page_matches` filter) is judged: a filter reading only stored
 * properties by the in-memory evaluator on the page's derived row (`plain`); one reading formulas
 * or rollups as a query would, computed for the page (`computed`, ops/query.ts `rowPasses`); a
 * condition formula computed for the page (`formula`).
 */
type Judge =
  | { mode: 'plain'; filter: Filter }
  | { mode: 'computed'; raw: unknown }
  | { mode: 'formula'; expression: string };

/**
 * A value the page's derived row must hold in one column for a filter to pass (one of `values`):
 * a positive `equals` on a number, a non-empty text or a select/status, alone or in an `and`.
 */
interface Needs {
  column: string;
  values: readonly (string | number)[];
}

/** What `filter` needs of a row (see Needs), or null when it needs no one value. */
export function needsOf(filter: Filter): Needs | null {
  if (filter.kind === 'and' || filter.kind === 'or') {
    if (filter.kind === 'or') return null;
    for (const f of filter.filters) {
      const needs = needsOf(f);
      if (needs) return needs;
    }
    return null;
  }
  if ('target' in filter && filter.target.source === 'expr') return null;
  if (filter.kind === 'number' && filter.op === 'equals')
    return { column: valueColumn(filter.target), values: [filter.value] };
  if (filter.kind === 'text' && filter.op === 'equals' && filter.value !== '')
    return { column: valueColumn(filter.target), values: [filter.value] };
  if (filter.kind === 'option' && filter.op === 'equals')
    return { column: valueColumn(filter.target), values: filter.values };
  return null;
}

/** The judges of an automation, kept while it and its schema stay; `needs` of a plain condition. */
const parsedJudges = new Map<
  string,
  { key: string; condition: Judge | null; trigger: Judge | null; needs: Needs | null }
>();

/** Whether a page trigger keeps what it saw of pages (its condition is judged after that). */
function statefulTrigger(t: Definition['trigger']): boolean {
  return t.type === 'page_matches' || (t.type === 'page_updated' && t.change !== undefined);
}

/**
 * Of the events an automation may act on, those whose page can pass its condition, found by the
 * value the condition needs (Needs) in an index of the look's events by that value: with many
 * automations on one data source, each conditioned on its own value of a property, a look reads
 * each automation's own events instead of judging every event for each. Only for a trigger that
 * judges its condition before anything else (not stateful) and a condition already parsed for
 * the current schema: an event left out is one `weigh` would pass over (its page gone, trashed,
 * or without the value), so what fires is the same.
 */
async function narrow(look: Look, automation: AutomationRow, events: readonly RecordedEvent[]) {
  if (events.length === 0) return events;
  const t = definitionOf(automation).trigger;
  const parsed = parsedJudges.get(automation.id);
  if (!parsed?.needs || !pageTrigger(t) || statefulTrigger(t)) return events;
  const { raw } = await look.schema(t.data_source_id);
  if (parsed.key !== `${automation.updated_time} ${raw}`) return events;
  const { column, values } = parsed.needs;
  const at = await look.positionsByValue(events, t.data_source_id, column);
  if (values.length === 1) return (at.get(values[0]) ?? []).map((i) => events[i]!);
  const positions = [...new Set(values.flatMap((v) => at.get(v) ?? []))].sort((a, b) => a - b);
  return positions.map((i) => events[i]!);
}

async function judgeOf(look: Look, dataSourceId: string, raw: unknown, path: string[], meUserId: string) {
  const { schema } = await look.schema(dataSourceId);
  const byName = Object.fromEntries(schema.map((p) => [p.name, p]));
  const hasComputed = schema.some((p) => p.type === 'formula' || p.type === 'rollup');
  const k = hasComputed ? (await look.computed(dataSourceId)).kinds : null;
  const quantified = new Map();
  const filter = parseFilterAt(raw, path, byName, {
    version: VERSION,
    meUserId,
    ...(k ? { computed: k.kinds, rolled: k.rolled, rolledKinds: k.rolledKinds, quantified } : {}),
  });
  return quantified.size > 0 || filterReadsComputed(filter, schema)
    ? ({ mode: 'computed', raw } as const)
    : ({ mode: 'plain', filter } as const);
}

/** Whether the page (as it is now, not trashed) satisfies `judge`, as `env` sees related pages. */
async function judge(look: Look, env: OpEnv, j: Judge, dataSourceId: string, pageId: string, now: Date) {
  if (j.mode === 'plain') {
    const { schema } = await look.schema(dataSourceId);
    return look.passes(j.filter, dataSourceId, schema, pageId, now);
  }
  const page = await look.page(pageId);
  if (!page || page.in_trash) return false;
  const { source } = await look.computed(dataSourceId);
  return j.mode === 'formula'
    ? conditionHolds(look.tx, env, source, page, j.expression)
    : rowPasses(look.tx, env, source, page, j.raw, VERSION);
}

/** The runs `events` start for one automation (its integration's sight and its own writes considered). */
async function weigh(
  tx: StoreTx,
  look: Look,
  deps: DispatchDeps,
  automation: AutomationRow,
  events: readonly RecordedEvent[],
  nowMs: number,
): Promise<Firing[]> {
  const def = definitionOf(automation);
  const trig = def.trigger;
  const integration = await look.integration(automation.integration_id);
  if (!pageTrigger(trig) || !integration || integration.revoked_time) return [];
  const { schema, raw } = await look.schema(trig.data_source_id);
  const key = `${automation.updated_time} ${raw}`;
  let parsed = parsedJudges.get(automation.id);
  if (parsed?.key !== key) {
    const formula = conditionFormula(def);
    const me = integration.bot_user_id;
    const made: { key: string; condition: Judge | null; trigger: Judge | null } = {
      key,
      condition:
        formula !== null
          ? { mode: 'formula', expression: formula }
          : def.condition
            ? await judgeOf(look, trig.data_source_id, def.condition, ['condition'], me)
            : null,
      trigger:
        trig.type === 'page_matches'
          ? await judgeOf(look, trig.data_source_id, trig.filter, ['trigger', 'filter'], me)
          : null,
    };
    parsed = { ...made, needs: made.condition?.mode === 'plain' ? needsOf(made.condition.filter) : null };
    if (parsedJudges.size > 10_000) parsedJudges.clear();
    parsedJudges.set(automation.id, parsed);
  }
  const { condition, trigger: triggerJudge } = parsed;
  const stateful =
    trig.type === 'page_matches' || (trig.type === 'page_updated' && trig.change !== undefined);
  const env: OpEnv = {
    actor: actorOf(integration),
    now: new Date(nowMs).toISOString(),
    publicUrl: deps.publicUrl,
  };
  const now = new Date(nowMs);
  const firings: Firing[] = [];
  for (const event of events) {
    // The page an event is about: the entity, or for a comment the page it is on.
    const pageId = event.entity.type === 'comment' ? (event.data.page_id ?? null) : event.entity.id;
    if (pageId === null) continue;
    const commentRow =
      trig.type === 'comment_created' && event.type === 'comment.created'
        ? await look.page(pageId)
        : undefined;
    const hit = matches(def, event, schema, commentRow);
    // A page_updated trigger with `change` still learns values from creations.
    const learns =
      stateful && event.type === 'page.created' && event.data.parent?.data_source_id === trig.data_source_id;
    if (!hit && !learns) continue;
    // Its own writes never trigger it again.
    const own = event.integrationId === automation.integration_id;
    if (!stateful) {
      if (own) continue;
      // The condition before the visibility query: with many automations on one data source,
      // most are ruled out here. (What it decides is used only for a visible page.)
      if (condition && !(await judge(look, env, condition, trig.data_source_id, pageId, now))) continue;
      if (!(await canSeeEvent(tx, env, event))) continue;
    } else {
      if (!(await canSeeEvent(tx, env, event))) continue;
      // What it saw before, what it sees now; its own writes update what it saw, too.
      const page = await look.page(pageId);
      const before = await look.pageState(automation.id, pageId);
      let seen: unknown;
      if (triggerJudge) {
        seen = await judge(look, env, triggerJudge, trig.data_source_id, pageId, now);
      } else {
        const change = (trig as { change: { property: string } }).change;
        const prop = schema.find((p) => p.name === change.property || p.id === change.property);
        seen =
          page && prop
            ? String(plainValue(propertyValue(prop, storedOf(page)[prop.id], page as never)) ?? '')
            : '';
      }
      look.setPageState(automation.id, pageId, JSON.stringify(seen));
      const prev = before === undefined ? undefined : (JSON.parse(before) as unknown);
      if (own || !stateFires(trig, prev, seen, event)) continue;
      if (condition && !(await judge(look, env, condition, trig.data_source_id, pageId, now))) continue;
    }
    // A write made by another automation: one step deeper in that automation's chain.
    firings.push({ automation, event, pageId, depth: await look.depth(event.integrationId) });
  }
  return firings;
}

/** Whether `event` fires the page trigger of `def` (condition aside). */
function matches(
  def: Definition,
  event: RecordedEvent,
  schema: Schema,
  commentRow: BlockView | undefined,
): boolean {
  const t = def.trigger;
  if (t.type === 'comment_created') {
    return (
      event.type === 'comment.created' &&
      commentRow?.parent_type === 'data_source_id' &&
      commentRow.parent_id === t.data_source_id
    );
  }
  if (!pageTrigger(t) || event.entity.type !== 'page') return false;
  if (event.data.parent?.data_source_id !== t.data_source_id) return false;
  if (t.type === 'page_created') return event.type === 'page.created';
  if (t.type === 'page_matches') return true;
  if (event.type !== 'page.properties_updated') return false;
  if (!t.properties) return true;
  const changed = new Set(
    (event.data.updated_properties ?? []).map((p) => (typeof p === 'string' ? p : p.id)),
  );
  return t.properties.some((name) => {
    const prop = schema.find((p) => p.name === name || p.id === name);
    return prop !== undefined && changed.has(prop.id);
  });
}

/** Whether a stateful trigger fires, from what it saw before (`prev`) and sees now. */
function stateFires(t: Definition['trigger'], prev: unknown, now: unknown, event: RecordedEvent): boolean {
  if (t.type === 'page_matches') {
    const was = prev === true;
    if (was === now) return false;
    return t.on === 'both' || (t.on === 'start' ? now === true : now === false);
  }
  if (t.type !== 'page_updated' || !t.change || event.type !== 'page.properties_updated') return false;
  const { from, to } = t.change;
  if (prev === undefined) return from === undefined && to !== undefined && now === to;
  return prev !== now && (from === undefined || prev === from) && (to === undefined || now === to);
}
