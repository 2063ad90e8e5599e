/**
 * Two-way relations: when a page's dual relation changes, the pages it gained or lost update
 * their synced property in the same transaction.
 */
import { payloadOf, type Schema } from '../domain/properties/types.ts';
import type { StoredValues } from '../domain/properties/values.ts';
import type { StoreTx } from '../store/store.ts';
import type { OpEnv } from './env.ts';
import { syncRows } from './rows.ts';

interface DualConfig {
  data_source_id: string;
  type: string;
  dual_property?: { synced_property_id: string };
}

function ids(values: StoredValues, propId: string): string[] {
  const v = values[propId];
  return v?.type === 'relation' ? ((v.relation as { id: string }[]) ?? []).map((r) => r.id) : [];
}

/** The data sources `schema`'s two-way relations write into. */
export function dualTargets(schema: Schema): string[] {
  return schema.flatMap((p) => {
    if (p.type !== 'relation') return [];
    const cfg = payloadOf<DualConfig>(p);
    return cfg.type === 'dual_property' ? [cfg.data_source_id] : [];
  });
}

/**
 * Thrown inside `Store.transaction` to have the transaction rolled back and run again, as after a
 * deadlock: it carries the code of Postgres's serialization_failure, which the retry looks for.
 */
export class TransactionConflict extends Error {
  readonly code = '40001';
}

type DataSourceView = Awaited<ReturnType<StoreTx['blocks']['get']>>;

/**
 * How a transaction holds a data source's lock: `exclusive` (schema changes, and row writes that
 * add options, assign unique ids or write two-way relations) or `shared` (other row writes, which
 * may run side by side, each holding its own row's lock).
 */
export type RowLock = 'shared' | 'exclusive';

/** The data sources each transaction locked, and how (a StoreTx is bound to one transaction). */
const lockedBy = new WeakMap<StoreTx, Map<string, RowLock>>();

/**
 * Data sources whose shared lock a transaction of this process had to give up for the exclusive
 * one (until when, ms): while noted, row writes of them lock exclusively from the start, so the
 * transaction run again (TransactionConflict) does not meet the same need.
 */
const exclusiveWanted = new Map<string, number>();
const EXCLUSIVE_HINT_MS = 2000;

function locksOf(tx: StoreTx): Map<string, RowLock> {
  let locked = lockedBy.get(tx);
  if (!locked) {
    locked = new Map();
    lockedBy.set(tx, locked);
  }
  return locked;
}

/** How this transaction holds `dataSourceId`'s lock (undefined: not at all). */
export function heldLock(tx: StoreTx, dataSourceId: string): RowLock | undefined {
  return lockedBy.get(tx)?.get(dataSourceId);
}

/**
 * Gives up: the transaction holds `dataSourceId` shared and needs it exclusive. Upgrading in place
 * could deadlock two shared holders that both want it, so the transaction is run again from the
 * start (store.transaction's retry), and this process's row writes of the data source lock it
 * exclusively for a moment.
 */
export function upgradeConflict(dataSourceId: string): never {
  exclusiveWanted.set(dataSourceId, Date.now() + EXCLUSIVE_HINT_MS);
  throw new TransactionConflict(`the row write needs data source ${dataSourceId} locked exclusively`);
}

/** Whether a transaction of this process recently needed `dataSourceId` exclusively. */
export function exclusiveHinted(dataSourceId: string): boolean {
  const until = exclusiveWanted.get(dataSourceId);
  if (until === undefined) return false;
  if (until > Date.now()) return true;
  exclusiveWanted.delete(dataSourceId);
  return false;
}

/**
 * Takes the write locks a write of `dataSourceId`'s rows or schema needs: its own data source,
 * every data source its two-way relations write into, and `also`. They are taken in id order so
 * that writers on either side of a relation queue up instead of deadlocking or overwriting each
 * other's mirrored values. The schema is read again once locked: a relation added meanwhile
 * adds its target to the locks. Answers the data source as read once every lock is held.
 *
 * `shared`: the data source alone, with a shared lock (no `also`): what a row write that changes
 * no schema, assigns no unique id and writes no two-way relation takes (pages.ts decides). Shared
 * holders write side by side, each under its own row's lock; every exclusive lock (a schema
 * change, the writers of two-way relations into this data source) waits for them and they for
 * it. Where writes are serial (SQLite) the lock is noted as exclusive.
 */
export async function lockRowWriters(
  tx: StoreTx,
  dataSourceId: string,
  also: readonly string[] = [],
  mode: RowLock = 'exclusive',
): Promise<DataSourceView | undefined> {
  // Locks are held until the transaction ends: one taken earlier in it is not asked for again
  // (an update_page reads the data source once more here instead of locking it twice).
  const locked = locksOf(tx);
  if (mode === 'shared' && also.length === 0 && !exclusiveHinted(dataSourceId)) {
    if (!locked.has(dataSourceId)) {
      await tx.blocks.lockRowWriters(dataSourceId, 'share');
      locked.set(dataSourceId, tx.blocks.rowLocks ? 'shared' : 'exclusive');
    }
    return tx.blocks.get(dataSourceId);
  }
  for (;;) {
    const ds = await tx.blocks.get(dataSourceId);
    const schema = (ds?.properties ? JSON.parse(ds.properties) : []) as Schema;
    const wanted = [...new Set([dataSourceId, ...also, ...dualTargets(schema)])]
      .filter((id) => locked.get(id) !== 'exclusive')
      .sort();
    // The data source as read with every lock held.
    if (wanted.length === 0) return ds;
    const upgrade = wanted.find((id) => locked.get(id) === 'shared');
    if (upgrade) upgradeConflict(upgrade);
    for (const id of wanted) {
      await tx.blocks.lockRowWriters(id, 'exclusive');
      locked.set(id, 'exclusive');
    }
  }
}

/** Mirrors changes of `pageId`'s dual relations onto the related pages. */
export async function syncDualRelations(
  tx: StoreTx,
  env: OpEnv,
  schema: Schema,
  pageId: string,
  before: StoredValues,
  after: StoredValues,
): Promise<void> {
  for (const prop of schema) {
    if (prop.type !== 'relation') continue;
    const cfg = payloadOf<DualConfig>(prop);
    const synced = cfg.dual_property?.synced_property_id;
    if (cfg.type !== 'dual_property' || !synced) continue;
    const old = new Set(ids(before, prop.id));
    const now = new Set(ids(after, prop.id));
    const changed: [string, boolean][] = [
      ...[...now].filter((id) => !old.has(id)).map((id): [string, boolean] => [id, true]),
      ...[...old].filter((id) => !now.has(id)).map((id): [string, boolean] => [id, false]),
    ];
    if (changed.length === 0) continue;
    const target = await tx.blocks.get(cfg.data_source_id);
    if (!target?.properties) continue;
    const targetSchema = JSON.parse(target.properties) as Schema;
    const updated = [];
    for (const [otherId, add] of changed) {
      const other = await tx.blocks.get(otherId);
      if (!other) continue;
      const stored = (other.properties ? JSON.parse(other.properties) : {}) as StoredValues;
      const list = ids(stored, synced).filter((id) => id !== pageId);
      if (add) list.push(pageId);
      stored[synced] = { type: 'relation', relation: list.map((id) => ({ id })) };
      const patch = {
        properties: JSON.stringify(stored),
        last_edited_time: env.now,
        last_edited_by: env.actor.botUserId,
      };
      await tx.blocks.update(other.id, patch);
      updated.push({ ...other, ...patch });
    }
    await syncRows(tx, target.id, targetSchema, updated);
  }
}
