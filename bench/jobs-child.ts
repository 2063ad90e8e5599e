/**
 * The consumer process of `npm run bench:jobs`'s crash measurement: takes jobs named `crash` and
 * never finishes them, printing `ran <id>` as each starts. The bench kills it with SIGKILL.
 * Usage: node bench/jobs-child.ts ENGINE(pg-boss|graphile-worker|embedded) WHERE
 */
import { openBenchQueue } from './jobs-engines.ts';

const [engine, where] = process.argv.slice(2);
const queue = await openBenchQueue(engine!, where!);
await queue.consume('crash', async (id) => {
  process.stdout.write(`ran ${id}\n`);
  await new Promise(() => {});
});
process.stdout.write('ready\n');
