/**
 * The tracked lockfile is what `npm install` writes, so installing does not rewrite it. npm
 * records `hasInstallScript` for a package with an install, preinstall or postinstall script, or
 * with a `binding.gyp` and neither install nor preinstall (an implicit `node-gyp rebuild`); a
 * lockfile missing that line (better-sqlite3's) was rewritten by every fresh `npm install`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

it('marks every installed package that has an install script, explicit or implied, and no other', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean; optional?: boolean }>;
  };
  let checked = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/')) continue;
    const manifest = join(ROOT, path, 'package.json');
    if (!existsSync(manifest)) continue; // an optional package for another platform
    const scripts = (JSON.parse(readFileSync(manifest, 'utf8')).scripts ?? {}) as Record<string, string>;
    const implied = existsSync(join(ROOT, path, 'binding.gyp')) && !scripts.install && !scripts.preinstall;
    const has = Boolean(scripts.install || scripts.preinstall || scripts.postinstall) || implied;
    expect(entry.hasInstallScript ?? false, path).toBe(has);
    checked++;
  }
  expect(checked).toBeGreaterThan(100);
});
