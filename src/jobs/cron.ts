/** Cron expressions, read by cron-parser (five fields, or six with seconds first), in UTC. */
import { CronExpressionParser } from 'cron-parser';

/**
 * The first occurrence of `cron` strictly after `after`, read in time zone `tz` (IANA name,
 * default UTC); throws on an invalid expression.
 */
export function nextOccurrence(cron: string, after: Date, tz = 'UTC'): Date {
  return CronExpressionParser.parse(cron, { tz, currentDate: after }).next().toDate();
}
