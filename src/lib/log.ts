/**
 * The process log: pino, one JSON object per line (`json`, for collectors), or one compact
 * human line per entry (`pretty`, for a terminal) formatted here from the same objects.
 */
import { writeSync } from 'node:fs';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Values of OCTAVO_LOG_FORMAT. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** Values of OCTAVO_LOG_LEVEL, most severe first (pino's names). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How a logger writes: format, least severe level written, destination. */
export interface LogOptions {
  format: LogFormat;
  level: LogLevel;
  /**
   * Where lines go, each as it is made; default: standard output (file descriptor 1), the lines
   * gathered for up to `LOG_FLUSH_MS` and written together, without blocking (fewer system calls;
   * measured in docs/benchmarks.md, "Server CPU per request").
   */
  destination?: { write(line: string): unknown };
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Keys every entry has, shown in fixed places of a pretty line rather than as key=value. */
const FIXED = new Set(['level', 'time', 'msg', 'err']);

/**
 * One JSON entry as a compact line: `12:00:01.123 INFO  request method=GET status=200 ms=1.2`,
 * strings with spaces quoted, an error's stack on the lines below.
 */
export function prettyLine(json: string): string {
  const entry = JSON.parse(json) as Record<string, unknown>;
  const time = new Date(entry.time as number).toISOString().slice(11, 23);
  const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([k, v]) => !FIXED.has(k) && v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s|"/.test(v) ? v : JSON.stringify(v)}`);
  let line = [time, level, entry.msg ?? '', ...fields].join(' ');
  const err = entry.err as { stack?: string; message?: string } | undefined;
  if (err) line += `\n  ${(err.stack ?? err.message ?? '').replace(/\n/g, '\n  ')}`;
  return `${line}\n`;
}

/** How long the first line gathered for standard output waits at most before it is written. */
export const LOG_FLUSH_MS = 20;
/** Gathered text beyond which the lines are written at once. */
const LOG_FLUSH_CHARS = 64 * 1024;

/**
 * Lines for standard output gathered and handed to the stream in one write at most `LOG_FLUSH_MS`
 * after the first of them (or at once beyond `LOG_FLUSH_CHARS`): under load many requests' lines
 * share one system call. Gathering per event-loop turn, as before, still wrote about once per
 * request at four requests in flight, and each asynchronous write (libuv's thread pool) cost more
 * than the line itself (docs/benchmarks.md, "Session 8"). `take` hands over the gathered lines
 * (before the banner, before exit: `flushLog`).
 */
function gathered(out: { write(line: string): unknown }): {
  write(line: string): void;
  /** Takes the lines gathered and not yet handed to `out`. */
  take(): string;
} {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const take = () => {
    const lines = pending;
    pending = '';
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    return lines;
  };
  const flush = () => {
    timer = undefined;
    const lines = take();
    if (lines !== '') out.write(lines);
  };
  return {
    write(line) {
      pending += line;
      if (pending.length >= LOG_FLUSH_CHARS) flush();
      else if (!timer) timer = setTimeout(flush, LOG_FLUSH_MS);
    },
    take,
  };
}

/** Writes all of `text` to `fd` before returning, waiting out a full pipe. */
function writeAllSync(fd: number, text: string): void {
  let buf = Buffer.from(text);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

/** A logger writing `format` lines at `level` and above. */
export function createLogger(options: LogOptions): Logger {
  // A destination given by the caller (tests, benchmarks) gets each line as it is made.
  const stdout = options.destination
    ? undefined
    : (pino.destination({ dest: 1, sync: false, minLength: 0 }) as DestinationStream & {
        flushSync(): void;
      });
  const batch = stdout && gathered(stdout);
  const out: { write(line: string): unknown } = batch ?? options.destination!;
  const destination =
    options.format === 'pretty' ? { write: (line: string) => out.write(prettyLine(line)) } : out;
  const logger = pino(
    {
      level: options.level,
      // No pid or hostname on every line: the supervisor or collector knows which process it ran.
      base: undefined,
    },
    destination,
  );
  writers.set(logger, (line) => destination.write(line));
  if (stdout && batch) {
    flushers.set(logger, () => {
      // What the stream holds is older than what was gathered since: that first.
      try {
        stdout.flushSync();
      } catch {
        // Nothing was pending.
      }
      const rest = batch.take();
      if (rest !== '') writeAllSync(1, rest);
    });
  }
  return logger;
}

const flushers = new WeakMap<Logger, () => void>();
const writers = new WeakMap<Logger, (line: string) => void>();

/**
 * The raw writer of a logger made by `createLogger`: takes one entry already serialised as pino
 * would (`{"level":30,"time":…,…,"msg":…}` and a newline) and writes it as the logger writes its
 * own (the pretty format reformats it). For the one entry per request, built by hand
 * (`api/middleware/request-log.ts`) rather than through pino's generic serialiser. Undefined for
 * other loggers (children, tests' own): use the logger.
 */
export function rawWriter(logger: Logger): ((line: string) => void) | undefined {
  return writers.get(logger);
}

/**
 * Writes out, before returning, whatever the logger has not written yet: before other output
 * to the same stream (the banner) and before the process exits.
 */
export function flushLog(logger: Logger): void {
  try {
    flushers.get(logger)?.();
  } catch {
    // Nothing was pending, or the stream is gone: there is nothing more to do.
  }
}
