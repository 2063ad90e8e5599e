/** `octavo serve`: start the HTTP server and print where it is and how to reach it. */
import { type Config, loadConfig } from '../../config.ts';
import { describeRateLimit } from '../../domain/rate-limit.ts';
import { createLogger, flushLog, type Logger } from '../../lib/log.ts';
import { type RunningServer, startServer } from '../../main.ts';
import { type Fixture, readFixture } from '../../ops/fixture.ts';
import { QUICKSTART_INTEGRATION } from '../../ops/workspace.ts';
import { bundleStale, ensureWebBundle } from '../../web/bundle.ts';
import { ApiError } from '../../wire/errors.ts';
import { CliError, type Values } from '../args.ts';
import { storageFailure, storageLabel } from '../context.ts';

/** Starts the server, prints the banner, and stops cleanly on SIGINT or SIGTERM. */
export async function serveCommand(values: Values): Promise<void> {
  const config = loadConfig(values);
  const fixture = values.fixture ? await loadFixtureFile(values.fixture) : undefined;
  const logger = createLogger({ format: config.logFormat, level: config.logLevel });
  logger.info({ storage: storageLabel(config), host: config.host, port: config.port }, 'starting');
  await browserApp(logger);
  const server = await start(config, logger, fixture);
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => {
        logger.info('stopped');
        flushLog(logger);
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        flushLog(logger);
        process.exit(1);
      },
    );
  };
  // Listening for the signals before the banner says the server is up: a supervisor (or a test)
  // that stops it as soon as it reads the banner would otherwise meet the default action, a
  // kill without the drain.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  flushLog(logger); // the start-up entries come before the banner
  console.log(banner(config, server).join('\n'));
  // Lines are gathered for up to LOG_FLUSH_MS: whatever ends the process (an uncaught error
  // too) writes them out first; 'exit' handlers run synchronously, as the flush does.
  process.once('exit', () => flushLog(logger));
}

/**
 * Builds the browser app's bundle when it is missing or older than its sources (a checkout; a
 * package ships it built). A failure leaves the API serving and /app answering 503.
 */
async function browserApp(logger: Logger): Promise<void> {
  try {
    if (bundleStale()) logger.info('building the browser app (dist-web/)');
    if (!(await ensureWebBundle())) logger.warn('the browser app is not built: /app answers 503');
  } catch (err) {
    logger.warn({ err }, 'the browser app could not be built: /app answers 503');
  }
}

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use (EADDRINUSE); pick another with --port',
  EACCES: 'permission denied (EACCES); ports below 1024 need privileges',
  EADDRNOTAVAIL: 'this machine has no such address (EADDRNOTAVAIL); check --host',
};

/** The fixture of `serve --fixture FILE`, read and checked before anything starts. */
async function loadFixtureFile(path: string): Promise<Fixture> {
  const { readFixtureFile } = await import('./seed.ts');
  const { text, yaml } = readFixtureFile(path);
  return readFixture(text, yaml ? 'yaml' : 'json');
}

async function start(config: Config, logger: Logger, fixture?: Fixture): Promise<RunningServer> {
  try {
    return await startServer(config, { logger, ...(fixture ? { fixture } : {}) });
  } catch (e) {
    if (e instanceof ApiError) throw e;
    flushLog(logger);
    const err = e as NodeJS.ErrnoException;
    // A host name is resolved when the server binds: not finding it is a listening problem too.
    if (err.syscall === 'getaddrinfo') {
      throw new CliError(
        `cannot listen on ${config.host}:${config.port}: no such host (${err.code}); check --host`,
      );
    }
    if (err.syscall === 'listen') {
      const why = LISTEN_ERRORS[err.code ?? ''] ?? err.code ?? err.message;
      throw new CliError(`cannot listen on ${config.host}:${config.port}: ${why}`);
    }
    throw storageFailure(config, e);
  }
}

/** The start-up text. Tests and scripts read its `listening on`, `token:` and `page:` lines. */
function banner(config: Config, server: RunningServer): string[] {
  const { boot } = server;
  const lines = [
    `Octavo is listening on ${server.url}`,
    `  storage:     ${storageLabel(config)}`,
    `  rate limit:  ${describeRateLimit(config.rateLimit)}${config.rateLimit && config.rateLimitStore === 'database' ? ' (shared through the database)' : ''}`,
    `  integration: ${QUICKSTART_INTEGRATION}`,
  ];
  if (boot.created) {
    lines.push(
      `  token:       ${boot.created.token}`,
      '               (shown once: keep it; `octavo integration create --name NAME` makes more)',
    );
  } else {
    lines.push(
      '  token:       shown on the first start only; `octavo integration create --name NAME` makes a new one',
    );
  }
  if (boot.created)
    lines.push(`  admin:       ${boot.created.adminToken} (the /_octavo admin API; shown once)`);
  if (boot.quickstartPageId)
    lines.push(
      `  page:        Getting started ${boot.quickstartPageId} (shared with ${QUICKSTART_INTEGRATION})`,
    );
  lines.push(
    `  browser:     ${server.url}/app (sign in as a person made by \`octavo user create --password\`)`,
  );
  const token = boot.created?.token ?? '<token>';
  lines.push(
    '',
    'Try it:',
    `  curl ${server.url}/v1/users/me -H "Authorization: Bearer ${token}" -H "Notion-Version: 2025-09-03"`,
  );
  return lines;
}
