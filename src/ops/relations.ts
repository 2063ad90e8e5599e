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

type DataSourceView = Awaited<ReturnType<StoreTx['blocks']['get']>>;

/** The data sources each transaction locked (a StoreTx is bound to one transaction). */
const lockedBy = new WeakMap<StoreTx, Set<string>>();

/**
 * Takes the write locks a write of `dataSourceId`'s rows or schema needs: its own data source,
 * every data source its two-way relations write into, and `also`. They are taken in id order so
 * that writers on either side of a relation queue up instead of deadlocking or overwriting each
 * other's mirrored values. The schema is read again once locked: a relation added meanwhile
 * adds its target to the locks. Answers the data source as read once every lock is held.
 */
export async function lockRowWriters(
  tx: StoreTx,
  dataSourceId: string,
  also: readonly string[] = [],
): Promise<DataSourceView | undefined> {
  // Locks are held until the transaction ends: one taken earlier in it is not asked for again
  // (an update_page reads the data source once more here instead of locking it twice).
  let locked = lockedBy.get(tx);
  if (!locked) {
    locked = new Set<string>();
    lockedBy.set(tx, locked);
  }
  for (;;) {
    const ds = await tx.blocks.get(dataSourceId);
    const schema = (ds?.properties ? JSON.parse(ds.properties) : []) as Schema;
    const wanted = [...new Set([dataSourceId, ...also, ...dualTargets(schema)])]
      .filter((id) => !locked.has(id))
      .sort();
    // The data source as read with every lock held.
    if (wanted.length === 0) return ds;
    for (const id of wanted) {
      await tx.blocks.lockChildren(id);
      locked.add(id);
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
