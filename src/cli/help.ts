/**
 * Each command's synopsis and what it does: `octavo help`, `octavo help COMMAND` and
 * `COMMAND --help` print from here. A command without an entry fails the CLI test, so the list
 * stays true.
 */
import { ALL_CAPABILITIES } from '../domain/capabilities.ts';

export interface CommandHelp {
  /** The command's words and options. */
  usage: string;
  /** What it does, a few lines indented by two spaces after the first. */
  help: string;
}

const CAPABILITIES = `capabilities: ${ALL_CAPABILITIES.join(', ')}`;

export const HELP: Record<string, CommandHelp> = {
  serve: {
    usage:
      'serve [--port 7400] [--host 127.0.0.1] [--data DIR | --memory] [--fixture FILE] [--rate-limit notion|off|RATE[:BURST]]',
    help: `Starts the HTTP server. The first start creates the workspace and prints the quickstart
  token and the admin token, once. --port 0 picks a free port. Rate limit: notion = 3 requests/s
  per integration with bursts of 30. SIGTERM or SIGINT drains (readiness turns 503, requests in
  flight finish, keep-alive connections close after their response) and stops. More settings
  come from the environment (README, configuration). --memory keeps everything in memory (for
  tests); --fixture seeds a JSON or YAML fixture at start.`,
  },
  jobs: {
    usage: 'jobs [--data DIR]',
    help: `Runs the background job consumers without the HTTP listener, until SIGTERM; serve runs them
  too unless OCTAVO_JOBS=off. Run as many as you like beside the servers.`,
  },
  migrate: {
    usage: 'migrate [--data DIR] [--json]',
    help: 'Brings the database to the latest schema (serve does this on start too).',
  },
  'integration create': {
    usage:
      'integration create --name NAME [--capabilities LIST|all] [--public --redirect-uri URL...] [--json]',
    help: `Creates an internal integration and prints its token (shown once). With --public, a public
  integration (an OAuth client): prints its client id and client secret (once); people install it
  at /v1/oauth/authorize after signing in with a password (user create --password), and it may
  send them back only to the --redirect-uri URLs given.
  ${CAPABILITIES}`,
  },
  'integration list': {
    usage: 'integration list [--public] [--json]',
    help: `Lists the integrations with their capabilities and whether their token works (--public: the
  public integrations).`,
  },
  'integration update': {
    usage: 'integration update NAME [--name NEW_NAME] [--capabilities LIST|all] [--json]',
    help: `Renames an integration or changes its capabilities.\n  ${CAPABILITIES}`,
  },
  'integration revoke': {
    usage: 'integration revoke NAME [--json]',
    help: `Stops the integration's token at once; its shares stay. A running server sees it on its
  next request.`,
  },
  'integration rotate': {
    usage: 'integration rotate NAME [--public] [--json]',
    help: `Issues a new token for the integration (shown once); the old one stops working. With
  --public, a new client secret for a public integration.`,
  },
  'integration delete': {
    usage: 'integration delete NAME [--public] [--json]',
    help: `Removes the integration, its token and its shares; its bot user stays as the author of
  what it wrote. With --public, a public integration and its installations.`,
  },
  'user create': {
    usage: 'user create --name NAME --email EMAIL [--password P | --password-stdin] [--admin] [--json]',
    help: `Adds a person to the workspace. A password (at least 8 characters; --password-stdin reads
  it from standard input, asked without echo at a terminal) lets them sign in to the web pages
  and install public integrations. --admin makes them a workspace admin (they may invite people
  and revoke invitations in the browser app).`,
  },
  'user invite': {
    usage: 'user invite --email EMAIL [--admin] [--days N] [--json]',
    help: `Makes an invitation link for EMAIL (shown once; single-use; expires after N days, 7 by
  default, at most 90). The invitee opens it, chooses a name and a password, and is signed in.
  --admin: they join as an admin. The link starts with OCTAVO_PUBLIC_URL (else the listen address).`,
  },
  'user role': {
    usage: 'user role --email EMAIL --role admin|member [--json]',
    help: "Sets a person's workspace role: admin (invites people, revokes invitations) or member.",
  },
  'user password': {
    usage: 'user password --email EMAIL (--password P | --password-stdin) [--json]',
    help: 'Sets the password a person signs in with (at least 8 characters).',
  },
  'page create': {
    usage: 'page create --title TITLE [--parent PAGE_ID] [--share INTEGRATION_NAME]... [--json]',
    help: `Creates a page (at the top of the workspace unless --parent) and shares it with the
  integrations named.`,
  },
  share: {
    usage: 'share PAGE_ID --with INTEGRATION_NAME [--json]',
    help: 'Shares a page, and everything below it, with an integration.',
  },
  'rows import': {
    usage: 'rows import --data-source ID --file ROWS.ndjson [--batch 5000] [--json]',
    help: `Imports one {"properties": {…}} per line (the POST /v1/pages form) into a data source, in
  transactions of --batch rows; a bad line stops the import with its batch unwritten. On a
  terminal, progress (rows, rows/s, time left) shows on standard error; --json prints only the
  result.`,
  },
  'events tail': {
    usage: 'events tail [--after CURSOR] [--json]',
    help: `Prints the change events recorded after CURSOR (default: all), in order, one per line
  starting with its cursor (a JSON object per line with --json), then the cursor to resume from
  (older event numbers N are accepted as cursors); content edits of one page within
  OCTAVO_EVENT_AGGREGATION_MS (10 s) are shown as one event once their window has closed.`,
  },
  'webhook create': {
    usage: 'webhook create --integration NAME --url URL [--events TYPE,…] [--api-version V] [--json]',
    help: `Subscribes an integration (internal, or public by client id or name) to webhooks. The job
  consumers (serve, or octavo jobs) POST {"verification_token": "secret_…"} to the URL once; then
  webhook verify activates it. --events: types to send (default all); --api-version: the payload
  shape (default 2025-09-03). Loopback/private URLs need OCTAVO_WEBHOOK_ALLOW_PRIVATE (on by
  default when the server listens on loopback).`,
  },
  'webhook list': {
    usage: 'webhook list [--integration NAME] [--json]',
    help: 'Lists subscriptions: status (pending_verification, active, paused with the reason), URL, types.',
  },
  'webhook verify': {
    usage: 'webhook verify ID TOKEN [--json]',
    help: 'Activates a subscription with the verification token its URL received; events from now on are sent.',
  },
  'webhook update': {
    usage: 'webhook update ID --events TYPE,… [--json]',
    help: 'Changes the event types a subscription is sent ("" for all). The URL cannot change.',
  },
  'webhook pause': {
    usage: 'webhook pause ID [--reason TEXT] [--json]',
    help: 'Stops sending; events wait and are sent on resume.',
  },
  'webhook resume': {
    usage: 'webhook resume ID [--json]',
    help: `Resumes a paused subscription (paused by hand, or after an event failed every attempt): what
  happened meanwhile is sent; the event that failed is not (replay it).`,
  },
  'webhook delete': {
    usage: 'webhook delete ID [--json]',
    help: 'Deletes a subscription and its delivery log.',
  },
  'webhook deliveries': {
    usage: 'webhook deliveries [SUBSCRIPTION_ID] [--limit 50] [--json]',
    help: `Lists delivery attempts, newest first: kind, attempt, status, event, HTTP status, latency,
  error (--json adds the request body and the response excerpt). Kept 30 days.`,
  },
  'webhook replay': {
    usage: 'webhook replay DELIVERY_ID [--json]',
    help: "Sends that delivery's event (or verification request) again, attempts counted from 1, same event id.",
  },
  'webhook listen': {
    usage:
      'webhook listen [--forward-to URL] [--integration NAME] [--events TYPE,…] [--api-version V] [--json]',
    help: `Prints events as they happen (as NAME sees them, or all), until Ctrl-C; with --forward-to, POSTs
  each one signed (X-Notion-Signature) with a secret printed at start. Needs no subscription.`,
  },
  'emoji add': {
    usage: 'emoji add NAME FILE [--json]',
    help: 'Adds a custom emoji for the workspace from an image file (GET /v1/custom_emojis lists it).',
  },
  'template add': {
    usage: 'template add DATA_SOURCE_ID --name NAME [--from PAGE_ID] [--default] [--json]',
    help: `Adds a template to a data source, with the values and content PAGE_ID has now (or empty);
  --default makes it the one a page create with template type "default" applies.`,
  },
  'automation create': {
    usage: 'automation create --file DEFINITION.(json|yaml) [--json]',
    help: `Saves an automation from a JSON or YAML definition (trigger, condition, actions; README
  "Automations"), with an integration of its own named "automation: NAME": share pages with it.
  A wrong definition is refused with the field named.`,
  },
  'automation list': {
    usage: 'automation list [--json]',
    help: 'Lists the automations: id, name, enabled, trigger, next scheduled run.',
  },
  'automation enable': {
    usage: 'automation enable NAME [--json]',
    help: 'Enables an automation; it reacts to what happens from now on.',
  },
  'automation disable': {
    usage: 'automation disable NAME [--json]',
    help: 'Disables an automation: nothing triggers it until enabled again.',
  },
  'automation delete': {
    usage: 'automation delete NAME [--json]',
    help: 'Deletes an automation, its runs, and its integration with its shares.',
  },
  'automation run': {
    usage: 'automation run NAME [--input JSON] [--dry-run] [--json]',
    help: `Runs an automation now in this process and prints the run (page triggers take
  {"page_id": "…"} as input). --dry-run performs the writes in transactions that are rolled back
  and shows them; HTTP requests and emails are not sent, scripts not run.`,
  },
  'automation runs': {
    usage: 'automation runs [NAME] [--limit 50] [--json]',
    help: 'Lists runs, newest first: status, trigger, each step (--json: inputs, outputs, errors, timings).',
  },
  'automation retry': {
    usage: 'automation retry RUN_ID [--json]',
    help: 'Runs a failed run again as a new run with the same trigger (the failed one stays listed).',
  },
  'script run': {
    usage: 'script run FILE [--input JSON] [--name NAME] [--timeout-ms 30000] [--memory-mb 128] [--json]',
    help: `Runs a script (a .js/.ts module whose default export is async (ctx) => …; ctx.notion is an
  SDK client acting as the integration "script: NAME", NAME the file's name by default) in a child
  process under Node's permission model, killed at its time or memory limit; prints its output
  and logs and records the run.`,
  },
  'script runs': {
    usage: 'script runs [NAME] [--limit 50] [--json]',
    help: 'Lists script runs, newest first: status, why it stopped (--json: input, output, logs).',
  },
  'workers deploy': {
    usage:
      'workers deploy DIR [--name NAME] [--parent PAGE_ID] [--attach KEY=DATA_SOURCE_ID]… [--env NAME=VALUE]… [--json]',
    help: `Deploys a Notion Worker (a module built with @notionhq/workers; README "Workers") from DIR:
  builds it, reads its capabilities, gives it an integration "worker: NAME", creates its managed
  databases under --parent, binds attached ones, keeps its sync schedules. Deploying again
  replaces the code and keeps its state. A capability Octavo does not run is refused by name.`,
  },
  'workers list': {
    usage: 'workers list [--json]',
    help: 'Lists the deployed workers: capabilities, databases, next scheduled syncs, inbound URLs.',
  },
  'workers run': {
    usage: 'workers run NAME CAPABILITY [--input JSON] [--json]',
    help: `Runs a capability now in this process: a sync runs a whole cycle and applies its changes;
  an automation takes {"pageId": "…"}; a webhook or a tool takes the input as given.`,
  },
  'workers logs': {
    usage: 'workers logs NAME [--limit 50] [--json]',
    help: "Lists a worker's runs, newest first, with their logs and errors (--json: inputs, outputs).",
  },
  'workers remove': {
    usage: 'workers remove NAME [--json]',
    help: 'Removes a worker, its runs, sync state and integration; the pages it wrote stay.',
  },
  'admin token': {
    usage: 'admin token [--json]',
    help: `Makes a new token for the admin API under /_octavo (the previous one stops working); the
  first start prints one.`,
  },
  backup: {
    usage: 'backup --to FILE [--data DIR] [--json]',
    help: `Copies the SQLite database to FILE while the server keeps running (SQLite's online backup:
  a consistent snapshot). On Postgres, use pg_dump (README, backups).`,
  },
  restore: {
    usage: 'restore FILE [--data DIR] [--json]',
    help: `Replaces the SQLite database in --data with the backup FILE. Stop the server first; the
  database it replaces is kept beside it as octavo.db.before-restore.`,
  },
  seed: {
    usage: 'seed FILE [--url URL --admin-token T] [--json]',
    help: `Loads a JSON or YAML fixture (integrations with fixed tokens, users, pages, databases, rows,
  shares) into the workspace in one transaction; a wrong fixture is refused with the place named.
  With --url, through a running server's admin API (OCTAVO_URL and OCTAVO_ADMIN_TOKEN work too).`,
  },
  reset: {
    usage: 'reset [--url URL --admin-token T] [--json]',
    help: 'Empties the workspace back to a fresh start (integrations and tokens included).',
  },
  'snapshot save': {
    usage: 'snapshot save NAME [--url URL --admin-token T] [--json]',
    help: 'Saves the whole workspace under NAME (replacing a snapshot of that name).',
  },
  'snapshot restore': {
    usage: 'snapshot restore NAME [--url URL --admin-token T] [--json]',
    help: 'Puts the workspace back as it was when NAME was saved, at once for every reader.',
  },
  'snapshot list': {
    usage: 'snapshot list [--url URL --admin-token T] [--json]',
    help: 'Lists the saved snapshots.',
  },
  'snapshot delete': {
    usage: 'snapshot delete NAME [--url URL --admin-token T] [--json]',
    help: 'Deletes a snapshot.',
  },
  'fault add': {
    usage:
      'fault add [--route /v1/pages/*] [--method M] [--integration X] [--probability P] [--count N] (--status 429|500|502|503|504|529 [--retry-after S] | --latency MS | --drop) --url URL --admin-token T',
    help: `Adds a fault rule to a running server: matching requests get the error in Notion's shape,
  wait, or lose their connection (--count: only that many times; --probability: that share).`,
  },
  'fault list': {
    usage: 'fault list --url URL --admin-token T [--json]',
    help: 'Lists the fault rules with how often each fired.',
  },
  'fault clear': {
    usage: 'fault clear --url URL --admin-token T [--json]',
    help: 'Removes every fault rule.',
  },
  clock: {
    usage: 'clock [--set ISO] [--advance 2h] --url URL --admin-token T [--json]',
    help: `Shows, sets or moves a running server's clock (timestamps, relative date filters and file
  URL expiry follow it); OCTAVO_CLOCK starts a server with a frozen clock.`,
  },
  requests: {
    usage:
      'requests [--integration X] [--status 4xx] [--limit N] [--follow] --url URL --admin-token T [--json]',
    help: `Lists the last requests a running server answered (bodies up to a limit, tokens redacted);
  --follow keeps printing new ones.`,
  },
  'fixture export': {
    usage: 'fixture export --from URL --token T [--out FILE]',
    help: `Reads everything a token can see from a server that speaks Notion's API (Notion or Octavo)
  through the official SDK and writes it as a fixture for seed.`,
  },
};

export const USAGE_TAIL = `storage: --data DIR (SQLite folder, default ./octavo-data), or DATABASE_URL=postgres://… for
  Postgres (OCTAVO_PG_SCHEMA picks a schema, default public). The server may be running or not.
--json prints one JSON object for scripts; failures exit 2 (wrong command line) or 1.`;

/** `octavo help`: every command's synopsis, then what applies to all. */
export function usage(names: readonly string[]): string {
  const lines = names.map((n) => `  ${HELP[n]?.usage ?? n}`);
  return [
    'usage: octavo <command> [options]',
    '       octavo help COMMAND | octavo COMMAND --help | octavo --version',
    '',
    'commands:',
    ...lines,
    '',
    USAGE_TAIL,
  ].join('\n');
}

/** `octavo help NAME` and `NAME --help`. */
export function commandHelp(name: string): string {
  const entry = HELP[name];
  if (!entry) return `octavo ${name}`;
  return `usage: octavo ${entry.usage}\n\n  ${entry.help}\n\n${USAGE_TAIL}`;
}
