// Preloaded with `--import` by start-lazy.test.ts: appends the name of every package a process
// loads from node_modules (one line each) to the file named by OCTAVO_TEST_MODULE_LOG.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.OCTAVO_TEST_MODULE_LOG;
const seen = new Set();
registerHooks({
  load(url, context, next) {
    const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (file && name && !seen.has(name)) {
      seen.add(name);
      appendFileSync(file, `${name}\n`);
    }
    return next(url, context);
  },
});
