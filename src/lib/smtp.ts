/**
 * The SMTP server automations send email through, read from the environment (OCTAVO_SMTP_HOST,
 * OCTAVO_SMTP_PORT, OCTAVO_SMTP_SECURE, OCTAVO_SMTP_USER, OCTAVO_SMTP_PASSWORD, OCTAVO_SMTP_FROM).
 * Kept here, with no Notion knowledge, so config.ts and the admin API read it the same way.
 */

/** How the connection is protected: TLS from the first byte, STARTTLS required, or plain. */
export type SmtpSecurity = 'tls' | 'starttls' | 'none';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: SmtpSecurity;
  user: string | undefined;
  password: string | undefined;
  /** The From address of every email (`Name <address>` or an address). */
  from: string;
}

/** A rough address check: something@something.something, no spaces or angle brackets. */
export const EMAIL_ADDRESS = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

/**
 * The SMTP settings, or undefined when OCTAVO_SMTP_HOST is not set (email actions then fail with
 * a clear error). Throws an Error whose message names the variable when a value is wrong.
 */
export function smtpFromEnv(env: NodeJS.ProcessEnv): SmtpSettings | undefined {
  const host = env.OCTAVO_SMTP_HOST;
  if (!host) return undefined;
  const secure = (env.OCTAVO_SMTP_SECURE || 'starttls').toLowerCase();
  if (secure !== 'tls' && secure !== 'starttls' && secure !== 'none')
    throw new Error(`OCTAVO_SMTP_SECURE must be tls, starttls or none, not ${secure}`);
  const portText = env.OCTAVO_SMTP_PORT || (secure === 'tls' ? '465' : '587');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535)
    throw new Error(`OCTAVO_SMTP_PORT must be a port number from 1 to 65535, not ${portText}`);
  const from = env.OCTAVO_SMTP_FROM || '';
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  if (!EMAIL_ADDRESS.test(address.trim()))
    throw new Error(
      `OCTAVO_SMTP_FROM must be an email address (or "Name <address>"), not ${from || '(unset)'}`,
    );
  return {
    host,
    port,
    secure,
    user: env.OCTAVO_SMTP_USER || undefined,
    password: env.OCTAVO_SMTP_PASSWORD || undefined,
    from,
  };
}
