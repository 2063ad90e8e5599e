/** Cron expressions, read by cron-parser (five fields, or six with seconds first), in UTC. */
import { CronExpressionParser } from 'cron-parser';

/** The first occurrence of `cron` strictly after `after`; throws on an invalid expression. */
export function nextOccurrence(cron: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: after }).next().toDate();
}
