/** A small hand-written schema and compile helpers shared by the query tests. */
import {
  DummyDriver,
  type Expression,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type SqlBool,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { SchemaProperty } from '../../src/query/columns.ts';
import type { DataSourceSchema } from '../../src/query/parse.ts';

function prop(name: string, id: string, type: string, config: Record<string, unknown> = {}): SchemaProperty {
  return { id, name, type, description: null, [type]: config };
}

const options = (...names: string[]) => ({
  options: names.map((n, i) => ({ id: `o${i}`, name: n, color: 'default', description: null })),
});

/** The grocery-list schema of the contract's examples (§C.3/C.5), one property per family. */
export const GROCERY: DataSourceSchema = {
  Name: prop('Name', 'title', 'title'),
  Notes: prop('Notes', 'nT', 'rich_text'),
  Price: prop('Price', 'evWq', 'number', { format: 'dollar' }),
  Category: prop('Category', 'J%40cT', 'select', options('Vegetable', 'Fruit', 'Grain')),
  Tags: prop('Tags', 'Ab%3F', 'multi_select', options('Green', 'Red')),
  State: prop('State', 'Xa%3C%3E', 'status', options('Not started', 'In progress', 'Done')),
  Due: prop('Due', 'M%3BBw', 'date'),
  Owner: prop('Owner', 'Kq%5E', 'people'),
  Done: prop('Done', '%3Fp%3B', 'checkbox'),
  Link: prop('Link', 'vE%3A', 'url'),
  Recipes: prop('Recipes', '%3DlXd', 'relation', {
    data_source_id: 'x',
    database_id: 'y',
    type: 'single_property',
  }),
  Photo: prop('Photo', 'Fi%7C', 'files'),
  ID: prop('ID', 'fT%3Aa', 'unique_id', { prefix: 'GRO' }),
  Created: prop('Created', '%5BnZ%60', 'created_time'),
  Creator: prop('Creator', 'cB', 'created_by'),
  Verified: prop('Verified', 'vF', 'verification'),
  Cost: prop('Cost', 'YU%5B', 'formula', { expression: 'prop("Price") * 2' }),
  Where: prop('Where', 'pl', 'place'),
};

// biome-ignore lint/suspicious/noExplicitAny: compile-only databases have no tables.
function compileOnly(adapter: any, introspector: any, compiler: any): Kysely<any> {
  return new Kysely({
    dialect: {
      createAdapter: () => adapter,
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => introspector(db),
      createQueryCompiler: () => compiler,
    },
  });
}

export const compileOnlyDbs = {
  sqlite: compileOnly(
    new SqliteAdapter(),
    (db: Kysely<unknown>) => new SqliteIntrospector(db),
    new SqliteQueryCompiler(),
  ),
  postgres: compileOnly(
    new PostgresAdapter(),
    (db: Kysely<unknown>) => new PostgresIntrospector(db),
    new PostgresQueryCompiler(),
  ),
};

/** The SQL and parameters of `select page_id from ds where <where>` on a compile-only database. */
export function whereSql(engine: 'sqlite' | 'postgres', where: Expression<SqlBool>) {
  const q = compileOnlyDbs[engine].selectFrom('ds').select('page_id').where(where).compile();
  return { sql: q.sql, parameters: q.parameters };
}
