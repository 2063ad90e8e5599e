/**
 * A statement counter for tests and benchmarks: wraps the drivers' own entry points
 * (`pg.Client.prototype.query`, better-sqlite3's `Statement` methods) while it is on, so every
 * round trip is seen, BEGIN and COMMIT included. `which` picks the Postgres connections counted
 * (the store's pool and pg-boss's are both `pg.Client`s); SQLite statements are all counted.
 */
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

export interface StatementCounter {
  /** Statements seen since the start (or the last reset). */
  readonly count: number;
  /** Their text, when `keepText` was asked for. */
  readonly texts: string[];
  reset(): void;
  stop(): void;
}

type PgClient = InstanceType<typeof pg.Client> & { connectionParameters?: { options?: string } };

/** Whether a Postgres connection runs with `search_path` set to `schema` (the store's pool). */
export const storeConnection =
  (schema: string) =>
  (client: PgClient): boolean =>
    (client.connectionParameters?.options ?? '').includes(`search_path=${schema}`);

export function countStatements(
  options: { which?: (client: PgClient) => boolean; keepText?: boolean } = {},
): StatementCounter {
  let count = 0;
  const texts: string[] = [];
  const seen = (text: unknown) => {
    count++;
    if (options.keepText)
      texts.push(typeof text === 'string' ? text : String((text as { text?: string })?.text));
  };
  const clientProto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = clientProto.query;
  clientProto.query = function (this: PgClient, ...args: unknown[]) {
    if (!options.which || options.which(this))
      seen(
        options.keepText
          ? `${String((args[0] as { text?: string })?.text ?? args[0])} -- ${JSON.stringify((args[0] as { values?: unknown })?.values ?? args[1] ?? '').slice(0, 200)}`
          : args[0],
      );
    return query.apply(this, args);
  };
  const probe = new SqliteDatabase(':memory:');
  const stmtProto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const original = stmtProto[name] as (...args: unknown[]) => unknown;
    originals.set(name, original);
    stmtProto[name] = function (this: { source: string }, ...args: unknown[]) {
      seen(this.source);
      return original.apply(this, args);
    };
  }
  return {
    get count() {
      return count;
    },
    texts,
    reset() {
      count = 0;
      texts.length = 0;
    },
    stop() {
      clientProto.query = query;
      for (const [name, original] of originals) stmtProto[name] = original;
    },
  };
}
