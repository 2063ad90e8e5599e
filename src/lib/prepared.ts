/**
 * Postgres: known SQL texts run as named prepared statements on node-postgres clients, so the
 * server parses and plans each once per connection rather than for every run (about half of a
 * short statement's server time). Used by the store's pool (store/compiled.ts) and by pg-boss's
 * (jobs/postgres.ts), each with its own set of names.
 */
import { isPreparedStatementGone } from './constraint.ts';

/**
 * The texts one pool runs as prepared statements, each with its name (`prefix` and a number).
 * A text is named by `add`, or on first use when `admit` accepts it; at most `max` are named at
 * once. A text the server refused to run as prepared (its table changed under it) is never
 * named again: it runs unnamed from then on.
 */
export class PreparedNames {
  private readonly names = new Map<string, string>();
  private readonly refused = new Set<string>();
  private readonly prefix: string;
  private readonly max: number;
  private readonly admit: ((text: string) => boolean) | undefined;
  private count = 0;

  constructor(prefix: string, options: { max?: number; admit?: (text: string) => boolean } = {}) {
    this.prefix = prefix;
    this.max = options.max ?? Number.POSITIVE_INFINITY;
    this.admit = options.admit;
  }

  /** Names `text` from now on, unless it is named already, was refused, or the names are full. */
  add(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.refused.has(text)) return known;
    if (this.names.size >= this.max) return undefined;
    const name = `${this.prefix}${++this.count}`;
    this.names.set(text, name);
    return name;
  }

  /** The name `text` runs under, naming it first when `admit` accepts it; undefined: unnamed. */
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || !this.admit?.(text)) return known;
    return this.add(text);
  }

  /** The server refused `text` as prepared: unnamed from now on. */
  refuse(text: string): void {
    this.names.delete(text);
    this.refused.add(text);
  }
}

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;
type Callback = (e: unknown, result?: unknown) => void;

/**
 * Makes a node-postgres client run the texts `names` names as named (prepared) statements;
 * anything else goes as before. Statements come as (text, values) (Kysely; a checked-out client)
 * or (text, values, callback) (pg-pool's `pool.query`). Each client prepares a name on first use
 * (node-postgres remembers which it has).
 *
 * A statement the server refuses as prepared (its table changed shape under it, a migration by
 * another process: "cached plan must not change result type"; or its name is gone:
 * `isPreparedStatementGone`) is unnamed from then on. Run on its own (no transaction open on the
 * client) nothing was aborted, so it runs again at once, unnamed, and the caller sees nothing.
 * In a transaction the transaction is aborted: the error goes to the caller, who runs the
 * transaction again (Store.transaction) or the statement later (pg-boss's next fetch).
 */
export function runPrepared(client: { query: QueryFn }, names: PreparedNames): void {
  const proto = Object.getPrototypeOf(client) as { query: QueryFn };
  client.query = function (this: unknown, ...args: unknown[]) {
    const [text, values, callback] = args;
    const name =
      typeof text === 'string' &&
      args.length <= 3 &&
      (values === undefined || Array.isArray(values)) &&
      (callback === undefined || typeof callback === 'function')
        ? names.nameOf(text)
        : undefined;
    if (name === undefined) return proto.query.apply(this, args);
    // Whether the statement runs on its own: node-postgres runs a client's statements one after
    // another, and its callers here wait for each, so the status now is the one it will run under.
    const alone = (this as { getTransactionStatus?: () => string | null }).getTransactionStatus?.() === 'I';
    // True when the statement runs again unnamed (its answer goes to the caller from there).
    const again = (e: unknown) => {
      if (!isPreparedStatementGone(e)) return false;
      names.refuse(text as string);
      return alone;
    };
    const named = { name, text, values: values ?? [] };
    if (typeof callback === 'function')
      return proto.query.call(this, named, (e: unknown, result: unknown) => {
        if (e && again(e)) proto.query.apply(this, args);
        else (callback as Callback)(e, result);
      });
    return (proto.query.call(this, named) as Promise<unknown>).catch((e: unknown) => {
      if (again(e)) return proto.query.apply(this, args);
      throw e;
    });
  };
}
