/**
 * `npm run build:web`: bundles the browser app (src/web/client/) into dist-web/ with esbuild
 * (src/web/bundle.ts). Run by `prepack`, and by `prepare` (npm ci / npm install) with
 * `--if-possible`: an install without development dependencies (`--omit=dev`) has no esbuild,
 * so it says so and succeeds; `octavo serve` then answers /app with 503 until a build.
 */
import { buildWebBundle, WEB_DIST } from '../src/web/bundle.ts';

if (process.argv.includes('--if-possible')) {
  try {
    await import('esbuild');
  } catch {
    console.warn(
      'esbuild is not installed (development dependencies omitted): the browser app is not built.',
    );
    process.exit(0);
  }
}

const started = performance.now();
const manifest = await buildWebBundle();
console.log(
  `Browser app bundled into ${WEB_DIST}: ${manifest.script}${manifest.style ? `, ${manifest.style}` : ''} (${Math.round(performance.now() - started)} ms)`,
);
