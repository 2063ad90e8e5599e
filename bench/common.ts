/** Pieces the benchmarks share: the Postgres they measure against and whether it answers. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
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

/**
 * CPU time (ms, user + system) so far of the Postgres backends serving this process's
 * connections, by backend pid: the connections are found from this process's sockets to the
 * server's port (/proc/self/fd, /proc/net/tcp), their backends by client port in
 * `pg_stat_activity`, their times in /proc/PID/stat. Linux only, with Postgres on this machine
 * (empty otherwise). Backends that close between two calls are not counted.
 */
export async function ownBackendsCpu(url = PG_URL): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  try {
    const pgPort = Number(new URL(url).port || 5432);
    const inodes = new Set<string>();
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        const link = readlinkSync(`/proc/self/fd/${fd}`);
        if (link.startsWith('socket:[')) inodes.add(link.slice(8, -1));
      } catch {}
    }
    const ports: number[] = [];
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length < 10 || !inodes.has(f[9]!)) continue;
        if (Number.parseInt(f[2]!.split(':')[1]!, 16) === pgPort)
          ports.push(Number.parseInt(f[1]!.split(':')[1]!, 16));
      }
    }
    if (ports.length === 0) return out;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>(
        'select pid from pg_stat_activity where client_port = any($1::int[])',
        [ports],
      );
      const tick = 1000 / 100; // USER_HZ
      for (const { pid } of rows) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          out.set(pid, (Number(f[11]) + Number(f[12])) * tick);
        } catch {}
      }
    } finally {
      await client.end();
    }
  } catch {}
  return out;
}

/** CPU ms the backends spent between two `ownBackendsCpu` readings (new ones from zero). */
export function backendsCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}
