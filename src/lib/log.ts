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
   * of one event-loop turn written together at its end, without blocking (fewer system calls;
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

/**
 * Lines for standard output gathered over one turn of the event loop and handed to the stream in
 * one write when the turn ends (`setImmediate`): under load the requests answered in one turn
 * share one system call instead of one each, and no line waits longer than the turn it was made
 * in. `flush` writes the gathered lines at once (before the banner, before exit).
 */
function perTurn(out: { write(line: string): unknown }): {
  write(line: string): void;
  /** Takes the lines gathered and not yet handed to `out`. */
  take(): string;
} {
  let pending = '';
  let scheduled = false;
  const take = () => {
    const lines = pending;
    pending = '';
    return lines;
  };
  const flush = () => {
    scheduled = false;
    const lines = take();
    if (lines !== '') out.write(lines);
  };
  return {
    write(line) {
      pending += line;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
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
  const batch = stdout && perTurn(stdout);
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
      // What the stream holds is older than what the turn gathered: that first.
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
