/** Configuration, read once from flags and the environment into a typed object. */
import { parseRateLimit, type RatePolicy } from './domain/rate-limit.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  rateLimit: RatePolicy | null;
  publicUrl: string;
}

export interface ConfigFlags {
  host?: string | undefined;
  port?: string | undefined;
  data?: string | undefined;
  'rate-limit'?: string | undefined;
}

export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const host = flags.host ?? env.OCTAVO_HOST ?? '127.0.0.1';
  const portText = flags.port ?? env.PORT ?? '7400';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, not ${portText}`);
  return {
    host,
    port,
    dataDir: flags.data ?? env.OCTAVO_DATA ?? './octavo-data',
    databaseUrl: env.DATABASE_URL || undefined,
    rateLimit: parseRateLimit(flags['rate-limit'] ?? env.OCTAVO_RATE_LIMIT ?? 'notion'),
    publicUrl: (env.OCTAVO_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(
      /\/$/,
      '',
    ),
  };
}
