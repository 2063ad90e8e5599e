/**
 * Turning anything a command throws into one line and an exit code. Stack traces are shown only
 * with OCTAVO_DEBUG=1, and only for errors nobody anticipated.
 */
import { ConfigError } from '../config.ts';
import { ApiError } from '../wire/errors.ts';
import { CliError, UsageError } from './args.ts';

export interface Failure {
  message: string;
  exitCode: number;
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The one-line message and exit code for a thrown value. */
export function describeFailure(e: unknown): Failure {
  if (e instanceof UsageError || e instanceof ConfigError)
    return { message: `${e.message} (see octavo --help)`, exitCode: EXIT_USAGE };
  if (e instanceof CliError || e instanceof ApiError) return { message: e.message, exitCode: EXIT_FAILURE };
  return { message: `unexpected error: ${errorText(e)}`, exitCode: EXIT_FAILURE };
}

/**
 * A short text for a system, driver or other error: its message, prefixed with its code when the
 * message does not name it. Connection failures to a host with several addresses arrive as an
 * AggregateError with an empty message; the first inner error speaks for them.
 */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const inner = e instanceof AggregateError ? (e.errors[0] as Error | undefined) : undefined;
  const message = firstLine(e.message || inner?.message || '');
  const code = (e as NodeJS.ErrnoException).code;
  if (!message) return code ?? e.name;
  // Node and SQLite codes (ECONNREFUSED, SQLITE_BUSY) help; Postgres SQLSTATEs (3D000) do not.
  const named = code !== undefined && /^[A-Z][A-Z_]+$/.test(code) && !message.includes(code);
  return named ? `${code}: ${message}` : message;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
