#!/usr/bin/env node
// The octavo command. Node >= 22.12 runs the TypeScript sources directly (type stripping).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `octavo: Node ${process.versions.node} is too old; Octavo needs Node >= 22.12 (24 LTS recommended).\n` +
      '  On this repository, `source scripts/node24.sh` puts a Node 24 from the npm registry on PATH.',
  );
  process.exit(1);
}
// Reuse V8's compiled code between runs (a cache in the temp folder): a third off start-up.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
let cli;
try {
  cli = await import('../src/cli/main.ts');
} catch (e) {
  // A broken install or source tree: say so in one line (the stack with OCTAVO_DEBUG=1).
  console.error(`octavo: cannot load the command line: ${e instanceof Error ? e.message : String(e)}`);
  if (process.env.OCTAVO_DEBUG && e instanceof Error) console.error(e.stack);
  process.exit(1);
}
await cli.main(process.argv.slice(2));
