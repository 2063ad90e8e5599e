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
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
