#!/usr/bin/env node
// The octavo command. An installed package runs the compiled JavaScript in dist/ (Node does not
// strip types under node_modules); a checkout runs the TypeScript sources directly, so a dist/
// left by an earlier `npm run build` never shadows the code being edited.
import { existsSync } from 'node:fs';
import { NODE_FLOOR, nodeSupported } from './node-floor.js';

if (!nodeSupported(process.versions.node)) {
  console.error(
    `octavo: Node ${process.versions.node} is too old; Octavo needs Node >= ${NODE_FLOOR} (24 LTS recommended).\n` +
      '  On this repository, `source scripts/node24.sh` puts a Node 24 from the npm registry on PATH.',
  );
  process.exit(1);
}
// Reuse V8's compiled code between runs (a cache in the temp folder): a third off start-up.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const sources = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(sources) || !existsSync(compiled) ? sources : compiled;
let cli;
try {
  cli = await import(entry.href);
} catch (e) {
  // A broken install or source tree: say so in one line (the stack with OCTAVO_DEBUG=1).
  console.error(`octavo: cannot load the command line: ${e instanceof Error ? e.message : String(e)}`);
  if (process.env.OCTAVO_DEBUG && e instanceof Error) console.error(e.stack);
  process.exit(1);
}
await cli.main(process.argv.slice(2));
