/**
 * The `send_email` action's delivery: one message through the configured SMTP server
 * (lib/smtp.ts) with nodemailer. Addresses are checked before anything is sent; a refused
 * address or missing configuration is the definition's fault (not retried), while a server that
 * cannot be reached or answers with an error is worth another attempt (the run's retries).
 */
import { EMAIL_ADDRESS, type SmtpSettings } from '../lib/smtp.ts';
import { errors } from '../wire/errors.ts';

export interface EmailMessage {
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  /** Stable per run and step, so a message sent twice (at least once) can be recognized. */
  messageId: string;
}

/** A failure of the SMTP server (connection, greeting, refusal): the run may try again. */
export class SmtpFailure extends Error {}

/**
 * The addresses of a rendered `to` or `cc` value: an array, or a text with addresses separated
 * by commas or semicolons. A wrong address is a validation error naming the field.
 */
export function addressList(value: unknown, field: string): string[] {
  const parts = (Array.isArray(value) ? value : [value])
    .flatMap((v) => (v === null || v === undefined ? [] : String(v).split(/[,;]/)))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const a of parts) {
    const address = /<([^<>]+)>\s*$/.exec(a)?.[1] ?? a;
    if (!EMAIL_ADDRESS.test(address.trim()))
      throw errors.validation(`send_email: ${field} should be an email address, instead was \`${a}\`.`);
  }
  return parts;
}

/** Sends `msg`; answers what the server accepted. Throws SmtpFailure when the server fails. */
export async function sendEmail(
  smtp: SmtpSettings | undefined,
  msg: EmailMessage,
  timeoutMs: number,
): Promise<{ message_id: string; accepted: string[]; response: string }> {
  if (!smtp)
    throw errors.validation(
      'send_email: no SMTP server is configured (set OCTAVO_SMTP_HOST and OCTAVO_SMTP_FROM).',
    );
  if (msg.to.length === 0) throw errors.validation('send_email: to has no address.');
  // Loaded on the first email, not at start (test/e2e/start-lazy.test.ts).
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure === 'tls',
    requireTLS: smtp.secure === 'starttls',
    ignoreTLS: smtp.secure === 'none',
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to: msg.to,
      ...(msg.cc.length ? { cc: msg.cc } : {}),
      subject: msg.subject,
      text: msg.text,
      messageId: msg.messageId,
    });
    return {
      message_id: info.messageId,
      accepted: (info.accepted as (string | { address: string })[]).map((a) =>
        typeof a === 'string' ? a : a.address,
      ),
      response: info.response,
    };
  } catch (e) {
    throw new SmtpFailure(`SMTP server ${smtp.host}:${smtp.port} failed: ${(e as Error).message}`);
  } finally {
    transport.close();
  }
}
