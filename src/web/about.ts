/** What the home page says about this server's package: its version and where its docs are. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface About {
  version: string;
  /** The project's page (package.json `homepage`, else its repository URL), when known. */
  homepage: string | null;
}

let cached: About | undefined;

/**
 * Read from the nearest package.json named `octavo` above this file, so it holds for a checkout,
 * an installed package and compiled output alike.
 */
export function about(): About {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        version?: string;
        homepage?: string;
        repository?: string | { url?: string };
      };
      if (pkg.name === 'octavo') {
        const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
        const homepage = pkg.homepage ?? repo?.replace(/^git\+/, '').replace(/\.git$/, '') ?? null;
        cached = { version: pkg.version ?? 'unknown', homepage };
        return cached;
      }
    }
    dir = dirname(dir);
  }
  cached = { version: 'unknown', homepage: null };
  return cached;
}
