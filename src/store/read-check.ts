/**
 * Postgres reads of several statements checked rather than wrapped in a transaction
 * (`ReadOptions.checked`): BEGIN and COMMIT are two round trips of a data-source query's five.
 *
 * What the transaction gave a read is that a snapshot restore (store/snapshots.ts: every table
 * locked, emptied and filled again in one transaction) could not commit between two of its
 * statements: the tables a statement had read stayed locked until COMMIT. Under READ COMMITTED
 * it gave nothing else; every statement sees the commits made before it starts either way.
 *
 * A checked read runs its statements on the pool, one by one. Its first statement reads a block
 * by id (`BlockRepo.getVisible`), and with it that row's version: the `xmin` of its tuple, which
 * any write of the row changes, and which a restore changes for every row (the restore inserts
 * them all again). The page's statement reads the same row's version again alongside its rows
 * (`RowRepo.queryBlocks`); when the read ends on another statement (an empty page, a formula's
 * reads after the page) or on an error, one more statement reads it (`KyselyStore.read`). When
 * the two agree, no restore committed in between (nor any write of that row), so what the
 * statements read in between is what a transaction would have read, and the answer or the error
 * stands. When they differ, it is dropped and the read runs again in a transaction.
 */
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/** The column under which a statement reads the first row's version again. */
export const READ_VERSION = 'octavo_read_version';

/** Thrown into a checked read whose first row changed since its first statement read it. */
export class ReadRaced extends Error {}

/**
 * The check of one read: sees every statement's result (as a plugin of the read's query builder)
 * and keeps whether the last one confirmed the first row's version.
 */
export class ReadCheck implements KyselyPlugin {
  /** Statements run so far. */
  statements = 0;
  /** The row the first statement read, and its version then. */
  anchor: { id: string; version: string } | undefined;
  /** Whether the last statement read the anchor's version and found it unchanged. */
  confirmed = false;
  /** Whether a statement found the anchor's version changed (or the row gone). */
  raced = false;

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.statements++;
    const first = args.result.rows[0];
    if (this.anchor && first && READ_VERSION in first) {
      this.confirmed = first[READ_VERSION] === this.anchor.version;
      if (!this.confirmed) this.raced = true;
    } else {
      this.confirmed = false;
    }
    return args.result;
  }
}
