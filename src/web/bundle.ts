/**
 * The browser app's bundle: `src/web/client/` (TypeScript/TSX, React, BlockNote) bundled by
 * esbuild into content-hashed files in `dist-web/`, with `manifest.json` naming them.
 *
 * Built by `npm run build:web` (run by `prepare`, so by `npm ci`/`npm install`, and by `prepack`),
 * and by `octavo serve` when the bundle is missing or older than the client's sources (a
 * checkout being worked on). A published package ships `dist-web/` and no client sources, so it
 * never builds. esbuild is a development dependency, loaded only when a build is needed.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Where the bundle is written and served from (git-ignored). */
export const WEB_DIST = resolve(import.meta.dirname, '..', '..', 'dist-web');
/** The client's sources (absent in a published package). */
export const CLIENT_SRC = resolve(import.meta.dirname, 'client');
const ENTRY = join(CLIENT_SRC, 'main.tsx');

/** The hashed files of one build. */
export interface WebManifest {
  /** The script, e.g. `app-3F2KX7QZ.js`. */
  script: string;
  /** The style sheet, when the client imports CSS. */
  style: string | null;
}

/** The manifest of the current bundle, or null when there is none. */
export function readManifest(dir = WEB_DIST): WebManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as WebManifest;
  } catch {
    return null;
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestSource(p) : st.mtimeMs);
  }
  return newest;
}

/** Whether the bundle must be (re)built: missing, or older than a client source file. */
export function bundleStale(dir = WEB_DIST): boolean {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) return true;
  if (!existsSync(ENTRY)) return false;
  return newestSource(CLIENT_SRC) > statSync(manifest).mtimeMs;
}

/**
 * Bundles the client into `dir`: built into a sibling temporary directory, then swapped in, so
 * a server reading the old bundle, or a second builder, never sees half of one.
 */
export async function buildWebBundle(dir = WEB_DIST): Promise<WebManifest> {
  if (!existsSync(ENTRY)) throw new Error(`The browser app's sources are missing (${ENTRY}).`);
  const esbuild = await import('esbuild');
  const tmp = `${dir}.tmp-${process.pid}-${Date.now().toString(36)}`;
  mkdirSync(tmp, { recursive: true });
  try {
    const result = await esbuild.build({
      entryPoints: { app: ENTRY },
      outdir: tmp,
      bundle: true,
      format: 'esm',
      target: 'es2022',
      platform: 'browser',
      minify: process.env.OCTAVO_WEB_DEBUG !== '1',
      jsx: 'automatic',
      entryNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
      loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
      define: { 'process.env.NODE_ENV': '"production"' },
      metafile: true,
      logLevel: 'warning',
      legalComments: 'linked',
      plugins: [cssPackageImports],
    });
    const outputs = Object.keys(result.metafile.outputs).map((p) => p.split('/').at(-1)!);
    const script = outputs.find((f) => /^app-[A-Z0-9]+\.js$/.test(f));
    if (!script) throw new Error('esbuild wrote no app script.');
    const manifest: WebManifest = {
      script,
      style: outputs.find((f) => /^app-[A-Z0-9]+\.css$/.test(f)) ?? null,
    };
    writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
    // Compressed once here rather than per request: the script is ~1.7 MB, ~0.5 MB gzipped.
    for (const file of [manifest.script, manifest.style]) {
      if (file) writeFileSync(join(tmp, `${file}.gz`), gzipSync(readFileSync(join(tmp, file)), { level: 9 }));
    }
    const old = `${dir}.old-${process.pid}-${Date.now().toString(36)}`;
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
    return manifest;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * `@import url("@blocknote/react/style.css")` in BlockNote's CSS names a package, but esbuild
 * reads a bare path in a CSS `url()` as relative: resolve it as a package import instead.
 */
const cssPackageImports = {
  name: 'css-package-imports',
  setup(build: import('esbuild').PluginBuild) {
    build.onResolve({ filter: /^@[a-z0-9-]+\/[^/]+\/.+\.css$/ }, async (args) => {
      if (args.kind !== 'import-rule' || args.pluginData === 'css-package-imports') return undefined;
      const found = await build.resolve(args.path, {
        kind: 'import-statement',
        resolveDir: args.resolveDir,
        pluginData: 'css-package-imports',
      });
      return found.errors.length > 0 ? undefined : { path: found.path };
    });
  },
};

/** The current bundle, built first when missing or stale (and the sources are here). */
export async function ensureWebBundle(dir = WEB_DIST): Promise<WebManifest | null> {
  if (bundleStale(dir) && existsSync(ENTRY)) return buildWebBundle(dir);
  return readManifest(dir);
}
