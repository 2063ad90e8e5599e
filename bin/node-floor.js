// The Node versions Octavo runs on: those that strip TypeScript types without a flag, because
// the command line runs src/**/*.ts directly. That is 22.18+ on the 22 line, 23.6+ on 23, and
// every later major. `node bin/node-floor.js` exits 0 on such a Node and 1 otherwise
// (scripts/node24.sh asks it); it uses no syntax or API an old Node would stumble on.

import { pathToFileURL } from 'node:url';

/** The floor in words, as package.json `engines`, the README and the errors state it. */
export const NODE_FLOOR = '22.18';

/** The `engines.node` range of package.json. */
export const NODE_ENGINES = '^22.18.0 || >=23.6.0';

/** Whether Node `version` ("22.18.0", "v24.1.0") strips types unflagged. */
export function nodeSupported(version) {
  const [major, minor] = String(version).replace(/^v/, '').split('.').map(Number);
  if (major >= 24) return true;
  if (major === 23) return minor >= 6;
  return major === 22 && minor >= 18;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(nodeSupported(process.versions.node) ? 0 : 1);
}
