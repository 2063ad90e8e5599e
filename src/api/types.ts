/** Types shared by the HTTP layer: request-scoped variables and the app's dependencies. */
import type { Actor } from '../domain/capabilities.ts';
import type { FileSettings } from '../domain/file-uploads.ts';
import type { RateLimiter } from '../domain/rate-limit.ts';
import type { Logger } from '../lib/log.ts';
import type { Emulator } from '../ops/emulator.ts';
import type { Store } from '../store/store.ts';
import type { ApiVersion } from '../wire/versions.ts';
import type { Metrics } from './metrics.ts';
import type { PendingToken } from './middleware/core.ts';

export interface AppDeps {
  store: Store;
  /** Base of the `url` fields of pages. */
  publicUrl: string;
  workspace: { id: string; name: string };
  rateLimiter: RateLimiter | null;
  /** Upload limits and the key that signs hosted-file URLs. */
  files: FileSettings;
  clock?: () => Date;
  /**
   * False answers every query on a formula or rollup with the evaluator over all rows instead of
   * SQL (ops/query.ts); tests and benchmarks compare the two. Default: SQL where it compiles.
   */
  computedInSql?: boolean;
  /** Request entries and server errors; default: server errors only, on standard error. */
  logger?: Logger;
  /** Prometheus metrics, served at /metrics; absent when OCTAVO_METRICS is off. */
  metrics?: Metrics;
  /** False once the server is draining for shutdown: /readyz answers 503 then. */
  accepting?: () => boolean;
  /** Emulator controls (clock, faults, request journal; ops/emulator.ts), when the server has them. */
  emulator?: Emulator;
  /** The browser app may use the emulator controls (OCTAVO_APP_EMULATOR_CONTROLS; web/emulator.routes.ts). */
  appEmulatorControls?: boolean;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    version: ApiVersion;
    actor: Actor;
    body: unknown;
    /** A success body holding mentions, to be shown as this reader sees them. */
    mentioned?: object;
    log: Logger;
    /** The text of a JSON success body as `jsonBytes` sent it, with the response that carries it. */
    sentJson?: { res: Response; json: string | readonly string[] };
    /** Why a request could not be served, for the request log (not sent to the client). */
    failure?: string;
    /** A remembered bearer token the route confirms in its own statement (api/middleware/core.ts). */
    pendingToken?: PendingToken;
  };
};
