/** Pieces the benchmarks share: the Postgres they measure against and whether it answers. */
import pg from 'pg';

export const PG_URL = process.env.OCTAVO_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The Notion-Version the benchmarks send (the SDK's default). */
export const VERSION = '2025-09-03';

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * fetch that retries once when the server closed a pooled keep-alive connection as the request
 * went out (after a long idle such as seeding: "other side closed", EPIPE); nothing was served.
 */
export const retryingFetch: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init);
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code ?? '';
    if (!['UND_ERR_SOCKET', 'EPIPE', 'ECONNRESET'].includes(code)) throw e;
    return fetch(input, init);
  }
};
