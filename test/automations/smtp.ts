/**
 * An SMTP server for tests, in process (the `smtp-server` library): it keeps every message it
 * accepts (envelope and raw text) and can be told to refuse messages, as a failing server does.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

export interface MailServer {
  port: number;
  received: Mail[];
  /** Messages received but refused (451) because `refuse` said so. */
  refused: number;
  /** Answer 451 (try later) to a message when this says so. */
  refuse: (raw: string) => boolean;
  close(): Promise<void>;
}

export async function startMailServer(auth: { user: string; pass: string }): Promise<MailServer> {
  const out: MailServer = {
    port: 0,
    received: [],
    refused: 0,
    refuse: () => false,
    close: async () => {},
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(a, _session, cb) {
      if (a.username === auth.user && a.password === auth.pass) cb(null, { user: a.username });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (out.refuse(raw)) {
          out.refused++;
          const err = Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 });
          cb(err);
          return;
        }
        out.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  out.port = (server.server.address() as AddressInfo).port;
  out.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return out;
}

/** A header's value in a raw message (unfolded). */
export function header(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** The body of a raw message. */
export function bodyOf(raw: string): string {
  return raw.slice(raw.indexOf('\r\n\r\n') + 4);
}
