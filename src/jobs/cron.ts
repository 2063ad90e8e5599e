/** Cron expressions, read by cron-parser (five fields, or six with seconds first), in UTC. */
import { createRequire } from 'node:module';

/**
 * cron-parser, loaded on first use (a server that schedules nothing starts without it); it is
 * CommonJS, so `require` loads it synchronously.
 */
const cronParser = (() => {
  let lib: typeof import('cron-parser') | undefined;
  return () => (lib ??= createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser'));
})();

/**
 * The first occurrence of `cron` strictly after `after`, read in time zone `tz` (IANA name,
 * default UTC); throws on an invalid expression.
 */
export function nextOccurrence(cron: string, after: Date, tz = 'UTC'): Date {
  return cronParser().CronExpressionParser.parse(cron, { tz, currentDate: after }).next().toDate();
}
