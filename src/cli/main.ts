/**
 * The `octavo` command line. Every command works on the same --data folder or DATABASE_URL
 * whether or not a server is running; --json prints one JSON object for scripts.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { ALL_CAPABILITIES, type Capability, isCapability } from '../domain/capabilities.ts';
import { normalizeId } from '../lib/ids.ts';
import { openWorkspace, startServer } from '../main.ts';
import { createIntegration, sharePage } from '../ops/integrations.ts';
import { createPerson } from '../ops/users.ts';
import { createAdminPage, QUICKSTART_INTEGRATION } from '../ops/workspace.ts';
import { pageUrl } from '../present/page.present.ts';
import { ApiError } from '../wire/errors.ts';

class UsageError extends Error {}

const USAGE = `usage: octavo <command> [options]

commands:
  serve [--port 7400] [--host 127.0.0.1] [--data DIR] [--rate-limit notion|off|N]
  integration create --name NAME [--capabilities LIST|all] [--json]
  user create --name NAME --email EMAIL [--json]
  page create --title TITLE [--parent PAGE_ID] [--share INTEGRATION_NAME]... [--json]
  share PAGE_ID --with INTEGRATION_NAME [--json]
  migrate

common options: --data DIR (SQLite folder, default ./octavo-data); DATABASE_URL=postgres://… selects Postgres.
capabilities: ${ALL_CAPABILITIES.join(', ')}`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  'rate-limit': { type: 'string' },
  name: { type: 'string' },
  email: { type: 'string' },
  capabilities: { type: 'string' },
  title: { type: 'string' },
  parent: { type: 'string' },
  share: { type: 'string', multiple: true },
  with: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function required(values: Values, name: 'name' | 'email' | 'title' | 'with'): string {
  const v = values[name];
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

function idArg(raw: string, what: string): string {
  const id = normalizeId(raw);
  if (!id) throw new UsageError(`${what} must be a page id (32 hex digits), not ${raw}`);
  return id;
}

function parseCapabilities(raw: string | undefined): Capability[] {
  if (!raw || raw === 'all') return [...ALL_CAPABILITIES];
  const caps = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const c of caps)
    if (!isCapability(c))
      throw new UsageError(`unknown capability ${c}; known: ${ALL_CAPABILITIES.join(', ')}`);
  return caps as Capability[];
}

function print(values: Values, json: object, text: string): void {
  console.log(values.json ? JSON.stringify(json) : text);
}

async function withWorkspace<T>(
  values: Values,
  fn: (ws: Awaited<ReturnType<typeof openWorkspace>>, config: ReturnType<typeof loadConfig>) => Promise<T>,
): Promise<T> {
  const config = loadConfig(values);
  const ws = await openWorkspace(config);
  try {
    return await fn(ws, config);
  } finally {
    await ws.store.close();
  }
}

async function serveCommand(values: Values): Promise<void> {
  const config = loadConfig(values);
  const server = await startServer(config);
  const { boot } = server;
  const storage = config.databaseUrl ? 'Postgres (DATABASE_URL)' : `SQLite in ${config.dataDir}`;
  const lines = [
    `Octavo is listening on ${server.url}`,
    `  storage:     ${storage}`,
    `  integration: ${QUICKSTART_INTEGRATION}`,
  ];
  if (boot.created) {
    lines.push(
      `  token:       ${boot.created.token}`,
      '               (shown once: keep it; `octavo integration create --name NAME` makes more)',
    );
  } else {
    lines.push(
      '  token:       shown on the first start only; `npx octavo integration create --name NAME` makes a new one',
    );
  }
  if (boot.quickstartPageId)
    lines.push(
      `  page:        Getting started ${boot.quickstartPageId} (shared with ${QUICKSTART_INTEGRATION})`,
    );
  lines.push(
    '',
    'Try it:',
    `  curl ${server.url}/v1/users/me -H "Authorization: Bearer ${boot.created?.token ?? '<token>'}" -H "Notion-Version: 2025-09-03"`,
  );
  console.log(lines.join('\n'));
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function run(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const [cmd, sub, ...rest] = positionals;
  if (values.help || !cmd) {
    console.log(USAGE);
    return;
  }
  const now = new Date().toISOString();
  const key = ['integration', 'user', 'page'].includes(cmd) ? `${cmd} ${sub ?? ''}` : cmd;
  const extra = ['integration', 'user', 'page'].includes(cmd) ? rest : [sub, ...rest].filter(Boolean);
  if (key !== 'share' && extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  switch (key) {
    case 'serve':
      return serveCommand(values);
    case 'migrate':
      return withWorkspace(values, async () =>
        print(values, { ok: true }, 'Database is at the latest schema.'),
      );
    case 'integration create': {
      const name = required(values, 'name');
      const capabilities = parseCapabilities(values.capabilities);
      return withWorkspace(values, async ({ store }) => {
        const { integration, token } = await store.transaction((tx) =>
          createIntegration(tx, { name, capabilities, now }),
        );
        const caps = JSON.parse(integration.capabilities) as string[];
        print(
          values,
          { id: integration.id, name: integration.name, token, capabilities: caps },
          `Created integration ${integration.name} (${integration.id})\n  token: ${token}\n  capabilities: ${caps.join(', ')}\nThe token is shown only now.`,
        );
      });
    }
    case 'user create': {
      const name = required(values, 'name');
      const email = required(values, 'email');
      if (!/^[^@\s]+@[^@\s]+$/.test(email))
        throw new UsageError(`--email must be an email address, not ${email}`);
      return withWorkspace(values, async ({ store }) => {
        const user = await store.transaction((tx) => createPerson(tx, { name, email, now }));
        print(
          values,
          { id: user.id, name: user.name, email: user.email },
          `Created user ${user.name} <${user.email}> (${user.id})`,
        );
      });
    }
    case 'page create': {
      const title = required(values, 'title');
      const parentId = values.parent ? idArg(values.parent, '--parent') : undefined;
      return withWorkspace(values, async ({ store }, config) => {
        const page = await store.transaction(async (tx) => {
          const row = await createAdminPage(tx, { title, parentId, now });
          for (const name of values.share ?? [])
            await sharePage(tx, { pageId: row.id, integrationName: name, now });
          return row;
        });
        const url = pageUrl(config.publicUrl, page.id, title);
        print(
          values,
          { id: page.id, url, shared_with: values.share ?? [] },
          `Created page ${title} (${page.id})\n  url: ${url}`,
        );
      });
    }
    case 'share': {
      if (!sub) throw new UsageError('share needs a PAGE_ID');
      if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
      const pageId = idArg(sub, 'PAGE_ID');
      const integrationName = required(values, 'with');
      return withWorkspace(values, async ({ store }) => {
        await store.transaction((tx) => sharePage(tx, { pageId, integrationName, now }));
        print(
          values,
          { page_id: pageId, integration: integrationName },
          `Shared ${pageId} with ${integrationName}`,
        );
      });
    }
    default:
      throw new UsageError(`unknown command: ${[cmd, sub].filter(Boolean).join(' ')}`);
  }
}

/** Runs the CLI; errors become one line on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    await run(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`octavo: ${e.message} (see octavo --help)`);
      process.exitCode = 2;
    } else if (e instanceof ApiError) {
      console.error(`octavo: ${e.message}`);
      process.exitCode = 1;
    } else {
      const err = e as NodeJS.ErrnoException;
      console.error(`octavo: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}`);
      process.exitCode = 1;
    }
  }
}
