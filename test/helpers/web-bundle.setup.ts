/**
 * Vitest global setup: the browser app's bundle is built once per run when it is missing or
 * older than its sources (`npm ci` builds it through `prepare`; this catches a checkout being
 * edited). Browser tests then serve dist-web/ as `octavo serve` does.
 */
import { bundleStale, ensureWebBundle } from '../../src/web/bundle.ts';

export default async function setup(): Promise<void> {
  if (bundleStale()) await ensureWebBundle();
}
