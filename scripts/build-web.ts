/**
 * `npm run build:web`: bundles the browser app (src/web/client/) into dist-web/ with esbuild
 * (src/web/bundle.ts). Run by `prepare` (npm ci / npm install) and `prepack`.
 */
import { buildWebBundle, WEB_DIST } from '../src/web/bundle.ts';

const started = performance.now();
const manifest = await buildWebBundle();
console.log(
  `Browser app bundled into ${WEB_DIST}: ${manifest.script}${manifest.style ? `, ${manifest.style}` : ''} (${Math.round(performance.now() - started)} ms)`,
);
