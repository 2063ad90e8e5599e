/**
 * A consumer process for the job tests. Prints `ready`, then `ran <id> <attempt>` as each handler
 * starts. Mode `hang`: handlers never finish (the parent kills the process); `quick`: they
 * return at once. Usage: node test/jobs/consumer-child.ts ENGINE WHERE NAME MODE CONCURRENCY
 */
import type { EngineName } from '../helpers/engines.ts';
import { openAt } from './support.ts';

const [engine, where, name, mode, concurrency] = process.argv.slice(2);
const { queue, close } = await openAt(engine as EngineName, where!);
await queue.consume(
  name!,
  async (_payload, job) => {
    process.stdout.write(`ran ${job.id} ${job.attempt}\n`);
    if (mode === 'hang') await new Promise(() => {});
  },
  { concurrency: Number(concurrency) },
);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  close().then(() => process.exit(0));
});
