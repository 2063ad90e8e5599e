/**
 * Reset and named snapshots of the whole workspace (Octavo as a test double): the rules on
 * names and the errors the CLI and the admin API share. The work itself is the store's
 * (`Store.snapshots`, store/snapshots.ts), each engine its own way.
 */
import type { SnapshotInfo, Store } from '../store/store.ts';
import { ApiError } from '../wire/errors.ts';

/** Lower-case letters, digits and `_`, up to 30: a name that is also a Postgres schema suffix. */
export const SNAPSHOT_NAME = /^[a-z0-9_]{1,30}$/;

/** `name` when it can name a snapshot, else a validation_error saying what names may be. */
export function checkSnapshotName(name: string): string {
  if (!SNAPSHOT_NAME.test(name))
    throw new ApiError(
      'validation_error',
      `A snapshot name is 1 to 30 lower-case letters, digits or underscores, not ${JSON.stringify(name)}.`,
    );
  return name;
}

const missing = (name: string) => new ApiError('object_not_found', `Could not find snapshot: ${name}.`);

/** Saves the workspace as it is now under `name`, replacing a snapshot of that name. */
export function saveSnapshot(store: Store, name: string, now: string): Promise<SnapshotInfo> {
  return store.snapshots.save(checkSnapshotName(name), now);
}

/** Puts the workspace back as it was when `name` was saved, all at once. */
export async function restoreSnapshot(store: Store, name: string): Promise<void> {
  if (!(await store.snapshots.restore(checkSnapshotName(name)))) throw missing(name);
}

export async function deleteSnapshot(store: Store, name: string): Promise<void> {
  if (!(await store.snapshots.delete(checkSnapshotName(name)))) throw missing(name);
}

export function listSnapshots(store: Store): Promise<SnapshotInfo[]> {
  return store.snapshots.list();
}

/**
 * Empties the workspace: every page, block, database, user, integration, comment, upload and
 * event goes; the workspace's id, its signing key and the admin token stay.
 */
export function resetWorkspace(store: Store): Promise<void> {
  return store.snapshots.reset();
}
