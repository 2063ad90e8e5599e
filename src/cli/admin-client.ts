/**
 * Commands that act on a running server through its admin API (`--url` or OCTAVO_URL, with
 * `--admin-token` or OCTAVO_ADMIN_TOKEN): the emulator's state (faults, the request journal,
 * the clock) lives in the server's memory, and a `--memory` server's workspace too.
 */
import { CliError, UsageError, type Values } from './args.ts';
import { errorText } from './errors.ts';

export interface AdminTarget {
  url: string;
  token: string;
}

/** The server named by --url / OCTAVO_URL, or undefined when none is. */
export function adminTarget(values: Values, env: NodeJS.ProcessEnv = process.env): AdminTarget | undefined {
  const url = values.url ?? env.OCTAVO_URL;
  if (!url) return undefined;
  if (!URL.canParse(url)) throw new UsageError(`--url must be the server's address (http://…), not ${url}`);
  const token = values['admin-token'] ?? env.OCTAVO_ADMIN_TOKEN;
  if (!token) throw new UsageError('--admin-token (or OCTAVO_ADMIN_TOKEN) is required with --url');
  return { url: url.replace(/\/+$/, ''), token };
}

/** The server named by --url, which this command needs. */
export function requireAdminTarget(values: Values, command: string): AdminTarget {
  const target = adminTarget(values);
  if (!target)
    throw new UsageError(
      `${command} talks to a running server: give --url and --admin-token (or OCTAVO_URL, OCTAVO_ADMIN_TOKEN)`,
    );
  return target;
}

/** One admin API call; an error answer becomes a CliError with the server's message. */
export async function callAdmin<T = Record<string, unknown>>(
  target: AdminTarget,
  path: string,
  init: { method?: string; body?: unknown; text?: string; contentType?: string } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${target.url}/_octavo${path}`, {
      method: init.method ?? (init.body !== undefined || init.text !== undefined ? 'POST' : 'GET'),
      headers: {
        authorization: `Bearer ${target.token}`,
        'content-type': init.contentType ?? 'application/json',
      },
      ...(init.text !== undefined
        ? { body: init.text }
        : init.body !== undefined
          ? { body: JSON.stringify(init.body) }
          : {}),
    });
  } catch (e) {
    throw new CliError(`cannot reach ${target.url}: ${errorText((e as Error).cause ?? e)}`);
  }
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new CliError(body.message ?? `the server answered ${res.status}`);
  return body as T;
}
