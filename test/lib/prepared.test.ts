/**
 * lib/prepared.ts on a real Postgres: known texts run as named prepared statements, and a text
 * the server refuses as prepared (a `select *` whose table gained a column under it: "cached
 * plan must not change result type") runs unnamed from then on. On its own it runs again at
 * once, through a client (the store's Kysely pool) and through pg-pool's `pool.query` with a
 * callback (pg-boss's pool); in a transaction the error reaches the caller, who runs the
 * transaction again.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPreparedStatementGone } from '../../src/lib/constraint.ts';
import { PreparedNames, runPrepared } from '../../src/lib/prepared.ts';
import { ENGINES, PG_URL } from '../helpers/engines.ts';

describe('PreparedNames', () => {
  it('names added texts, admitted ones on first use, at most `max`, and never a refused one', () => {
    const names = new PreparedNames('t_', { max: 2, admit: (text) => text.startsWith('select') });
    expect(names.add('update a')).toBe('t_1');
    expect(names.add('update a')).toBe('t_1');
    expect(names.nameOf('update b')).toBeUndefined();
    expect(names.nameOf('select 1')).toBe('t_2');
    expect(names.nameOf('select 2')).toBeUndefined();
    names.refuse('update a');
    expect(names.nameOf('update a')).toBeUndefined();
    expect(names.add('update a')).toBeUndefined();
    expect(names.nameOf('select 2')).toBe('t_3');
  });
});

describe.runIf(ENGINES.includes('postgres'))('runPrepared [postgres]', () => {
  const schema = `prepared_lib_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const options = `-c search_path=${schema}`;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1, options });
  let column = 0;
  const TEXT = 'select * from t where id = $1';
  const growTable = () => admin.query(`alter table t add column extra_${++column} integer`);

  beforeAll(async () => {
    await admin.query(`create schema ${schema}`);
    await admin.query('create table t (id integer primary key, v text)');
    await admin.query("insert into t values (1, 'one')");
  });
  afterAll(async () => {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });

  let names: PreparedNames;
  const clients: pg.Client[] = [];
  beforeEach(() => {
    names = new PreparedNames('p_');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end()));
  });
  /** A connected client running the texts of `names` prepared, TEXT among them. */
  const preparingClient = async () => {
    const client = new pg.Client({ connectionString: PG_URL, options });
    clients.push(client);
    await client.connect();
    runPrepared(client as never, names);
    names.add(TEXT);
    return client;
  };

  it('runs a statement on its own again, unnamed, when its table changed under it', async () => {
    const client = await preparingClient();
    const name = names.add(TEXT)!;
    expect((await client.query(TEXT, [1])).rows[0]).toMatchObject({ id: 1, v: 'one' });
    const own = await client.query('select count(*)::int as n from pg_prepared_statements where name = $1', [
      name,
    ]);
    expect(own.rows[0].n).toBe(1);
    await growTable();
    const after = await client.query(TEXT, [1]);
    expect(after.rows[0]).toMatchObject({ id: 1, v: 'one', [`extra_${column}`]: null });
    expect(names.nameOf(TEXT)).toBeUndefined();
    // Unnamed from then on: a further change of the table goes unnoticed.
    await growTable();
    expect((await client.query(TEXT, [1])).rows[0]).toMatchObject({ id: 1, v: 'one' });
  });

  it("runs again through pg-pool's pool.query (a callback), as pg-boss sends its statements", async () => {
    const own = names;
    class Preparing extends pg.Client {
      constructor(config?: pg.ClientConfig) {
        super(config);
        runPrepared(this as never, own);
      }
    }
    const pool = new pg.Pool({
      connectionString: PG_URL,
      max: 1,
      options,
      ...({ Client: Preparing } as object),
    });
    try {
      const name = names.add(TEXT)!;
      expect((await pool.query(TEXT, [1])).rows[0]).toMatchObject({ id: 1, v: 'one' });
      const seen = await pool.query('select name from pg_prepared_statements');
      expect(seen.rows).toEqual([{ name }]);
      await growTable();
      const after = await new Promise<pg.QueryResult>((resolve, reject) =>
        pool.query(TEXT, [1], (e: Error | undefined, r: pg.QueryResult) => (e ? reject(e) : resolve(r))),
      );
      expect(after.rows[0]).toMatchObject({ id: 1, v: 'one', [`extra_${column}`]: null });
      expect(names.nameOf(TEXT)).toBeUndefined();
    } finally {
      await pool.end();
    }
  });

  it('in a transaction, hands the refusal to the caller, whose next run of the transaction works', async () => {
    const client = await preparingClient();
    await client.query('begin');
    expect((await client.query(TEXT, [1])).rows).toHaveLength(1);
    await client.query('commit');
    await growTable();
    await client.query('begin');
    const refused = await client.query(TEXT, [1]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isPreparedStatementGone(refused)).toBe(true);
    // The transaction is aborted (not run again unnamed inside it): the caller rolls it back and
    // runs it again. Asked by a statement, not by the client's status, which the server's
    // ReadyForQuery may not have updated yet when the refusal reaches the caller.
    await expect(client.query('select 1')).rejects.toMatchObject({ code: '25P02' });
    await client.query('rollback');
    await client.query('begin');
    expect((await client.query(TEXT, [1])).rows[0]).toMatchObject({ id: 1, v: 'one' });
    await client.query('commit');
    expect(names.nameOf(TEXT)).toBeUndefined();
  });

  it('leaves texts it does not name, and calls of other shapes, as they were', async () => {
    const client = await preparingClient();
    expect((await client.query('select v from t where id = $1', [1])).rows).toEqual([{ v: 'one' }]);
    expect((await client.query({ text: TEXT, values: [1] })).rows[0]).toMatchObject({ id: 1 });
    const seen = await client.query('select name from pg_prepared_statements');
    expect(seen.rows).toEqual([]);
  });
});
