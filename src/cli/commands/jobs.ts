/** `octavo jobs`: runs the job consumers without the HTTP listener, until SIGTERM or SIGINT. */
import { loadConfig } from '../../config.ts';
import { startJobProcess } from '../../main.ts';
import type { Values } from '../args.ts';
import { storageFailure, storageLabel } from '../context.ts';

export async function jobsCommand(values: Values): Promise<void> {
  const config = loadConfig(values);
  const running = await startJobProcess(config).catch((e) => {
    throw storageFailure(config, e);
  });
  // The process runs until told to stop, even while no consumer has anything to wait on (the
  // embedded queue polls with timers that do not hold the process open).
  const alive = setInterval(() => {}, 2 ** 30);
  const stop = () => {
    clearInterval(alive);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Listening before saying it runs: a signal sent on reading the line must find the handler
  // (without one, SIGTERM's default action ends the process at once, with no clean stop).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`Octavo is running jobs (${running.queue.engine}) on ${storageLabel(config)}`);
}
