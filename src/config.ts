/**
 * Configuration, read once from flags and the environment into a typed object. Every problem is
 * a ConfigError with a one-line message naming the flag or variable, so the CLI can print it as is.
 */

import { isIP } from 'node:net';
import { FaultRuleInput } from './domain/faults.ts';
import { parseRateLimit, type RatePolicy } from './domain/rate-limit.ts';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './lib/log.ts';
import { type SmtpSettings, smtpFromEnv } from './lib/smtp.ts';

export interface Config {
  host: string;
  /** 0 asks the system for a free port. */
  port: number;
  /** SQLite folder; unused when `databaseUrl` is set. */
  dataDir: string;
  /** A postgres:// URL selects Postgres. */
  databaseUrl: string | undefined;
  /** Postgres schema to keep Octavo's tables in (created when missing); default `public`. */
  pgSchema: string | undefined;
  rateLimit: RatePolicy | null;
  /** Where rate-limit buckets live: this process, or the database (shared by every node). */
  rateLimitStore: 'memory' | 'database';
  /** Base of page `url` fields when set explicitly (OCTAVO_PUBLIC_URL); else the listen address. */
  publicUrl: string | undefined;
  /** Largest file upload accepted, in bytes (OCTAVO_MAX_FILE_UPLOAD_BYTES). */
  maxFileUploadBytes: number;
  /** external_url imports may fetch loopback/private addresses and http (OCTAVO_FILE_IMPORT_ALLOW_PRIVATE). */
  allowPrivateFileImports: boolean;
  /** Headers must arrive within this many ms (OCTAVO_HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** The whole request, body included, within this many ms (OCTAVO_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this many ms (OCTAVO_KEEPALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** Window within which one page's content updates become one event (OCTAVO_EVENT_AGGREGATION_MS). */
  eventAggregationMs: number;
  /** JSON lines, or compact human lines (OCTAVO_LOG_FORMAT; default pretty on a terminal). */
  logFormat: LogFormat;
  /** The least severe entries written (OCTAVO_LOG_LEVEL; `info` logs every request). */
  logLevel: LogLevel;
  /** `inline`: `octavo serve` runs the job consumers too; `off`: only `octavo jobs` does (OCTAVO_JOBS). */
  jobs: 'inline' | 'off';
  /** How long a claimed job stays claimed without news from its process (OCTAVO_JOB_LEASE_MS; default 60 s). */
  jobLeaseMs: number | undefined;
  /** Webhook delivery (webhooks/, docs/ARCHITECTURE.md "Webhooks"). */
  webhooks: WebhookConfig;
  /**
   * Where automations send email (lib/smtp.ts): OCTAVO_SMTP_HOST, OCTAVO_SMTP_PORT,
   * OCTAVO_SMTP_SECURE, OCTAVO_SMTP_USER, OCTAVO_SMTP_PASSWORD, OCTAVO_SMTP_FROM; unset host: none.
   */
  smtp: SmtpSettings | undefined;
  /**
   * Default limits of a script run (automations/scripts.ts): killed after OCTAVO_SCRIPT_TIMEOUT_MS,
   * a V8 heap of OCTAVO_SCRIPT_MEMORY_MB.
   */
  scripts: { timeoutMs: number; memoryMb: number };
  /** Prometheus metrics at GET /metrics (OCTAVO_METRICS; off by default). */
  metrics: boolean;
  /**
   * On SIGTERM, how long to keep serving (readiness 503, connections closed after each response)
   * before the listener closes, so load balancers stop sending first (OCTAVO_DRAIN_DELAY_MS).
   */
  drainDelayMs: number;
  /** Emulator controls for tests (OCTAVO_CLOCK, OCTAVO_ID_SEED, OCTAVO_FAULTS, OCTAVO_REQUEST_LOG_SIZE). */
  emulator: EmulatorConfig;
}

export interface EmulatorConfig {
  /** Start the clock frozen at this ISO time. */
  clock: string | undefined;
  /** Reproducible ids from this seed. */
  idSeed: string | undefined;
  /** Fault rules in force from the start (a JSON array; checked when the server starts). */
  faults: unknown[];
  /** Requests the journal keeps (0: none). */
  requestLogSize: number;
  /** Signed-in people may use the snapshots, clock and faults from the browser app (OCTAVO_APP_EMULATOR_CONTROLS). */
  appControls: boolean;
}

/** The webhook settings, each from its own variable. */
export interface WebhookConfig {
  /**
   * Outbound URLs may resolve to loopback or private addresses (OCTAVO_WEBHOOK_ALLOW_PRIVATE;
   * default: allowed when the server listens on a loopback address, refused otherwise).
   */
  allowPrivate: boolean;
  /** Delay before the first retry; each next one waits twice as long (OCTAVO_WEBHOOK_BACKOFF_MS). */
  backoffMs: number;
  /** Attempts per event before the subscription is paused, 1 to 8 (OCTAVO_WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** A receiver must answer within this many ms (OCTAVO_WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** How often the dispatcher looks for new events (OCTAVO_WEBHOOK_POLL_MS). */
  pollMs: number;
}

/**
 * Webhook defaults. Notion retries up to 8 times "within roughly 24 hours" (schedule not
 * published): a first retry after 10 minutes, doubling, puts the 8th attempt about 21 hours after
 * the first. 5 s to answer, as Outline asks of its receivers. The dispatcher looks every 25 ms
 * (three indexed reads in one transaction when idle), for a write-to-request p50 near 50 ms on
 * Postgres (docs/benchmarks.md, "Webhooks").
 */
export const DEFAULT_WEBHOOKS = { backoffMs: 600_000, maxAttempts: 8, timeoutMs: 5_000, pollMs: 25 };

/**
 * Default timeouts. 60 s for a whole request is Notion's own server-side limit; a 20 MiB file part
 * fits in it from about 3 Mbit/s up (slower links raise OCTAVO_REQUEST_TIMEOUT_MS). 10 s for
 * headers, which arrive in one packet from any real client. 5 s of keep-alive is Node's default,
 * kept on purpose: long enough for an SDK's next call, short enough not to pile up sockets.
 */
export const DEFAULT_TIMEOUTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
};
/**
 * Ten seconds. Notion delivers "within about a minute" and aggregates high-frequency events
 * without saying over how long; a window well inside that minute keeps the promise while folding
 * a burst of typing into one `page.content_updated` (events/aggregate.ts).
 */
export const DEFAULT_EVENT_AGGREGATION_MS = 10_000;

/** One day: a longer timeout is a typo, not a choice. */
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** 100 MiB: stored in the database, so larger defaults would surprise a small deployment. */
export const DEFAULT_MAX_FILE_UPLOAD_BYTES = 100 * 1024 * 1024;
/** Notion's own ceiling (paid plans, multi-part). */
const MAX_FILE_UPLOAD_CEILING = 5 * 1024 * 1024 * 1024;

export interface ConfigFlags {
  host?: string | undefined;
  port?: string | undefined;
  data?: string | undefined;
  'rate-limit'?: string | undefined;
  /** `serve --memory`: SQLite in memory, nothing written to disk. */
  memory?: boolean | undefined;
}

/** A flag or variable with a value Octavo cannot use. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the flags and the environment once; a value Octavo cannot use is a one-line ConfigError. */
export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Config {
  return {
    host: parseHost(
      flags.host ?? (env.OCTAVO_HOST || '127.0.0.1'),
      flags.host !== undefined ? '--host' : 'OCTAVO_HOST',
    ),
    port: parsePort(flags.port ?? env.PORT ?? '7400', flags.port !== undefined ? '--port' : 'PORT'),
    dataDir: flags.memory ? ':memory:' : (flags.data ?? env.OCTAVO_DATA ?? './octavo-data'),
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL || undefined),
    pgSchema: parsePgSchema(env.OCTAVO_PG_SCHEMA || undefined),
    rateLimit: loadRateLimit(flags['rate-limit'], env.OCTAVO_RATE_LIMIT),
    rateLimitStore: parseRateLimitStore(env.OCTAVO_RATE_LIMIT_STORE || undefined),
    jobs: parseJobs(env.OCTAVO_JOBS || undefined),
    metrics: parseFlag(env.OCTAVO_METRICS, 'OCTAVO_METRICS'),
    drainDelayMs:
      env.OCTAVO_DRAIN_DELAY_MS === '0' ? 0 : parseMs(env.OCTAVO_DRAIN_DELAY_MS, 'OCTAVO_DRAIN_DELAY_MS', 0),
    publicUrl: parsePublicUrl(env.OCTAVO_PUBLIC_URL || undefined),
    maxFileUploadBytes: parseMaxUpload(env.OCTAVO_MAX_FILE_UPLOAD_BYTES || undefined),
    allowPrivateFileImports: parseFlag(
      env.OCTAVO_FILE_IMPORT_ALLOW_PRIVATE,
      'OCTAVO_FILE_IMPORT_ALLOW_PRIVATE',
    ),
    ...loadTimeouts(env),
    eventAggregationMs: parseMs(
      env.OCTAVO_EVENT_AGGREGATION_MS,
      'OCTAVO_EVENT_AGGREGATION_MS',
      DEFAULT_EVENT_AGGREGATION_MS,
    ),
    logFormat: oneOf(
      env.OCTAVO_LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json'),
      LOG_FORMATS,
      'OCTAVO_LOG_FORMAT',
    ),
    logLevel: oneOf(env.OCTAVO_LOG_LEVEL || 'info', LOG_LEVELS, 'OCTAVO_LOG_LEVEL'),
    jobLeaseMs: env.OCTAVO_JOB_LEASE_MS
      ? parseMs(env.OCTAVO_JOB_LEASE_MS, 'OCTAVO_JOB_LEASE_MS', 0)
      : undefined,
    webhooks: loadWebhooks(env, flags.host ?? (env.OCTAVO_HOST || '127.0.0.1')),
    smtp: loadSmtp(env),
    scripts: loadScriptLimits(env),
    emulator: loadEmulator(env),
  };
}

function loadScriptLimits(env: NodeJS.ProcessEnv): { timeoutMs: number; memoryMb: number } {
  const mb = env.OCTAVO_SCRIPT_MEMORY_MB || '128';
  if (!/^\d+$/.test(mb) || Number(mb) < 16 || Number(mb) > 16_384)
    throw new ConfigError(`OCTAVO_SCRIPT_MEMORY_MB must be a number of MB from 16 to 16384, not ${mb}`);
  return {
    timeoutMs: parseMs(env.OCTAVO_SCRIPT_TIMEOUT_MS, 'OCTAVO_SCRIPT_TIMEOUT_MS', 30_000),
    memoryMb: Number(mb),
  };
}

function loadSmtp(env: NodeJS.ProcessEnv): SmtpSettings | undefined {
  try {
    return smtpFromEnv(env);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

function loadWebhooks(env: NodeJS.ProcessEnv, host: string): WebhookConfig {
  const attempts = env.OCTAVO_WEBHOOK_MAX_ATTEMPTS || String(DEFAULT_WEBHOOKS.maxAttempts);
  if (!/^[1-8]$/.test(attempts))
    throw new ConfigError(`OCTAVO_WEBHOOK_MAX_ATTEMPTS must be a number from 1 to 8, not ${attempts}`);
  const allow = env.OCTAVO_WEBHOOK_ALLOW_PRIVATE;
  return {
    allowPrivate:
      allow === undefined || allow === ''
        ? isLoopbackHost(host)
        : parseFlag(allow, 'OCTAVO_WEBHOOK_ALLOW_PRIVATE'),
    backoffMs: parseMs(
      env.OCTAVO_WEBHOOK_BACKOFF_MS,
      'OCTAVO_WEBHOOK_BACKOFF_MS',
      DEFAULT_WEBHOOKS.backoffMs,
    ),
    maxAttempts: Number(attempts),
    timeoutMs: parseMs(
      env.OCTAVO_WEBHOOK_TIMEOUT_MS,
      'OCTAVO_WEBHOOK_TIMEOUT_MS',
      DEFAULT_WEBHOOKS.timeoutMs,
    ),
    pollMs: parseMs(env.OCTAVO_WEBHOOK_POLL_MS, 'OCTAVO_WEBHOOK_POLL_MS', DEFAULT_WEBHOOKS.pollMs),
  };
}

function loadEmulator(env: NodeJS.ProcessEnv): EmulatorConfig {
  const clock = env.OCTAVO_CLOCK || undefined;
  if (clock !== undefined && (!/^\d{4}-\d\d-\d\dT/.test(clock) || Number.isNaN(Date.parse(clock))))
    throw new ConfigError(`OCTAVO_CLOCK must be an ISO time like 2026-01-01T00:00:00Z, not ${clock}`);
  let faults: unknown[] = [];
  if (env.OCTAVO_FAULTS) {
    try {
      faults = JSON.parse(env.OCTAVO_FAULTS) as unknown[];
    } catch {
      throw new ConfigError('OCTAVO_FAULTS must be a JSON array of fault rules');
    }
    if (!Array.isArray(faults)) throw new ConfigError('OCTAVO_FAULTS must be a JSON array of fault rules');
    for (const [i, rule] of faults.entries()) {
      const checked = FaultRuleInput.safeParse(rule);
      if (checked.success) continue;
      const issue = checked.error.issues[0]!;
      const where = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
      const what = issue.path[0] === 'status' ? 'must be 429, 500, 502, 503, 504 or 529' : issue.message;
      throw new ConfigError(`OCTAVO_FAULTS[${i}]${where}: ${what}`);
    }
  }
  const size = env.OCTAVO_REQUEST_LOG_SIZE || '1000';
  if (!/^\d+$/.test(size) || Number(size) > 1_000_000)
    throw new ConfigError(`OCTAVO_REQUEST_LOG_SIZE must be a number from 0 to 1000000, not ${size}`);
  return {
    clock,
    idSeed: env.OCTAVO_ID_SEED || undefined,
    faults,
    requestLogSize: Number(size),
    appControls: parseFlag(env.OCTAVO_APP_EMULATOR_CONTROLS, 'OCTAVO_APP_EMULATOR_CONTROLS'),
  };
}

/** Whether the server listens on loopback only (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\./.test(host) || host === '::1';
}

function oneOf<T extends string>(text: string, allowed: readonly T[], name: string): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new ConfigError(`${name} must be ${allowed.join(', ')}, not ${text}`);
}

function loadTimeouts(env: NodeJS.ProcessEnv) {
  const ms = (name: string, fallback: number) => parseMs(env[name], name, fallback);
  const t = {
    headersTimeoutMs: ms('OCTAVO_HEADERS_TIMEOUT_MS', DEFAULT_TIMEOUTS.headersTimeoutMs),
    requestTimeoutMs: ms('OCTAVO_REQUEST_TIMEOUT_MS', DEFAULT_TIMEOUTS.requestTimeoutMs),
    keepAliveTimeoutMs: ms('OCTAVO_KEEPALIVE_TIMEOUT_MS', DEFAULT_TIMEOUTS.keepAliveTimeoutMs),
  };
  // Node refuses to start otherwise: the headers are part of the request.
  if (t.headersTimeoutMs > t.requestTimeoutMs) {
    throw new ConfigError(
      `OCTAVO_HEADERS_TIMEOUT_MS (${t.headersTimeoutMs}) must not be over OCTAVO_REQUEST_TIMEOUT_MS (${t.requestTimeoutMs})`,
    );
  }
  return t;
}

function parseMs(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_TIMEOUT_MS)
    throw new ConfigError(
      `${name} must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, not ${text}`,
    );
  return n;
}

/** The base URL pages link to: OCTAVO_PUBLIC_URL, else the address the server listens on. */
export function publicUrlOf(config: Pick<Config, 'publicUrl' | 'host' | 'port'>, port = config.port): string {
  if (config.publicUrl) return config.publicUrl;
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
}

/** A DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123). */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** The address to listen on: an IPv4 or IPv6 address (no brackets) or a host name. */
function parseHost(text: string, name: string): string {
  if (isIP(text) !== 0 || HOST_NAME.test(text)) return text;
  const hint = /^\[.*\]$/.test(text) ? ' (write an IPv6 address without brackets)' : '';
  throw new ConfigError(`${name} must be an IP address or a host name, not ${text}${hint}`);
}

/**
 * The base of page URLs and hosted-file URLs as clients will reach them: an absolute http(s)
 * URL, optionally with a path (behind a proxy), without credentials, query or fragment. The
 * trailing slash is dropped so paths can be appended.
 */
function parsePublicUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const fail = (why: string) =>
    new ConfigError(`OCTAVO_PUBLIC_URL must be ${why} (e.g. https://octavo.example.com), not ${text}`);
  if (!URL.canParse(text)) throw fail('an absolute http:// or https:// URL');
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw fail('an absolute http:// or https:// URL');
  if (url.username || url.password || url.search || url.hash || text.includes('?') || text.includes('#'))
    throw fail('a URL without credentials, query or fragment');
  return text.replace(/\/+$/, '');
}

function parsePort(text: string, name: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new ConfigError(`${name} must be a port number (0-65535), not ${text}`);
  return port;
}

function loadRateLimit(flag: string | undefined, envValue: string | undefined): RatePolicy | null {
  const text = flag ?? envValue ?? 'notion';
  const policy = parseRateLimit(text);
  if (policy === undefined) {
    const name = flag !== undefined ? '--rate-limit' : 'OCTAVO_RATE_LIMIT';
    throw new ConfigError(`${name} must be notion, off or RATE[:BURST] (e.g. 3 or 3:30), not ${text}`);
  }
  return policy;
}

/** Checks the URL's shape without echoing it: it may carry a password. */
function parseDatabaseUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  if (!URL.canParse(url)) throw new ConfigError('DATABASE_URL is not a valid URL');
  return url;
}

function parsePgSchema(schema: string | undefined): string | undefined {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new ConfigError(`OCTAVO_PG_SCHEMA must be a lower-case SQL identifier, not ${schema}`);
  return schema;
}

function parseMaxUpload(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_FILE_UPLOAD_BYTES;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_FILE_UPLOAD_CEILING) {
    throw new ConfigError(
      `OCTAVO_MAX_FILE_UPLOAD_BYTES must be a number of bytes from 1 to ${MAX_FILE_UPLOAD_CEILING}, not ${text}`,
    );
  }
  return n;
}

function parseFlag(text: string | undefined, name: string): boolean {
  if (text === undefined || text === '' || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw new ConfigError(`${name} must be 1/true or 0/false, not ${text}`);
}

function parseJobs(value: string | undefined): 'inline' | 'off' {
  if (value === undefined || value === 'inline' || value === 'off') return value ?? 'inline';
  throw new ConfigError(`OCTAVO_JOBS must be inline or off, not ${value}`);
}

function parseRateLimitStore(value: string | undefined): 'memory' | 'database' {
  if (value === undefined || value === 'memory' || value === 'database') return value ?? 'memory';
  throw new ConfigError(`OCTAVO_RATE_LIMIT_STORE must be memory or database, not ${value}`);
}
