/**
 * Building a worker's folder into one ES module (esbuild), the way a deploy snapshots it.
 *
 * The entry is `package.json`'s `main`, else `src/index.ts`, `index.ts` (or .js/.mts/.mjs). The
 * worker's own files are bundled (TypeScript compiled); packages it imports stay outside the
 * bundle, each import rewritten to the absolute path esbuild resolved from the worker's folder,
 * so the bundle can run from anywhere while packages load from the worker's `node_modules` as
 * the package expects (`@notionhq/workers` reads its own package.json at load). The
 * `node_modules` folders those paths lie in are what an execution may read.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { errors } from '../wire/errors.ts';

export interface BuiltWorker {
  entry: string;
  /** The bundle's text (ESM). */
  code: string;
  /** Folders an execution may read: the node_modules its imports resolved into. */
  readPaths: string[];
}

const ENTRIES = ['src/index.ts', 'src/index.mts', 'src/index.js', 'index.ts', 'index.mts', 'index.js'];

/** The worker's entry module in `dir`; a validation error naming what was looked for otherwise. */
export function workerEntry(dir: string): string {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw errors.validation(`No worker folder at ${root}.`);
  const pkgFile = join(root, 'package.json');
  if (existsSync(pkgFile)) {
    const main = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { main?: unknown }).main;
    if (typeof main === 'string' && existsSync(join(root, main))) return join(root, main);
  }
  for (const e of ENTRIES) if (existsSync(join(root, e))) return join(root, e);
  throw errors.validation(
    `No worker entry in ${root}: expected package.json "main" or one of ${ENTRIES.join(', ')}.`,
  );
}

/** The outermost `node_modules` folder holding `file` (null when it is in none). */
function modulesRoot(file: string): string | null {
  const at = file.indexOf(`${sep}node_modules${sep}`);
  return at < 0 ? null : file.slice(0, at + `${sep}node_modules`.length);
}

/** Bundles the worker in `dir`; build errors become one validation error with esbuild's text. */
export async function buildWorker(dir: string): Promise<BuiltWorker> {
  const entry = workerEntry(dir);
  const esbuild = await import('esbuild');
  const readPaths = new Set<string>();
  const externalize: import('esbuild').Plugin = {
    name: 'octavo-absolute-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (isBuiltin(args.path) || (args.pluginData as { inner?: boolean } | undefined)?.inner) return;
        const r = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: { inner: true },
        });
        if (r.errors.length > 0) return { errors: r.errors };
        const root = modulesRoot(r.path);
        if (root) readPaths.add(root);
        else readPaths.add(dirname(r.path));
        return { path: r.path, external: true };
      });
    },
  };
  try {
    const out = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      logLevel: 'silent',
      plugins: [externalize],
    });
    const code = out.outputFiles[0]?.text;
    if (code === undefined) throw new Error('esbuild wrote nothing');
    return { entry, code, readPaths: [...readPaths].sort() };
  } catch (e) {
    const failure = e as { errors?: { text: string; location?: { file: string; line: number } | null }[] };
    const first = failure.errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw errors.validation(
      `The worker in ${dir} does not build: ${first?.text ?? (e as Error).message}${where}.`,
    );
  }
}
