/**
 * Storage engines under test. Every storage-touching suite runs once per engine. Postgres is
 * skipped with a printed notice when unreachable, except under CI=true where it must run.
 */
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { describe } from 'vitest';
import type { Database } from '../../src/store/schema.ts';

export type EngineName = 'sqlite' | 'postgres';

export const PG_URL = process.env.OCTAVO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgReachable: Promise<boolean> | undefined;

export function postgresReachable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return pgReachable;
}

const reachable = await postgresReachable();
if (!reachable) {
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but Postgres is not reachable at ${PG_URL}; Postgres tests must run in CI.`);
  }
  console.warn(`[octavo tests] Postgres not reachable at ${PG_URL}: Postgres variants are SKIPPED.`);
}

export const ENGINES: EngineName[] = reachable ? ['sqlite', 'postgres'] : ['sqlite'];

/** `describe` once per available engine; the engine name is in the suite title. */
export function describeEngines(title: string, fn: (engine: EngineName) => void): void {
  for (const engine of ['sqlite', 'postgres'] as const) {
    const run = ENGINES.includes(engine) ? describe : describe.skip;
    run(`${title} [${engine}]`, () => fn(engine));
  }
}

/**
 * On Postgres an event is readable once every older transaction in the whole cluster has ended:
 * another suite's long transaction (a bulk import) holds reads back. Waits until every event
 * committed so far in `db` is readable (a no-op on SQLite).
 */
export async function eventsReadable(engine: EngineName, db: Kysely<Database>): Promise<void> {
  if (engine !== 'postgres') return;
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{ m: string | null; x: string }>`
      select max(xid)::text as m, pg_snapshot_xmin(pg_current_snapshot())::text as x from events`.execute(db);
    if (rows[0]!.m === null || BigInt(rows[0]!.x) > BigInt(rows[0]!.m)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
