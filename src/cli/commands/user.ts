/**
 * `octavo user create`: a person in the workspace (what `users.list` returns besides bots), with a
 * password when given (they can then sign in to the web pages and install public integrations);
 * `octavo user password`: sets a person's password and signs out their browsers;
 * `octavo user invite`: an invitation link; `octavo user role`: admin or member.
 */

import { publicUrlOf } from '../../config.ts';
import { hashPassword } from '../../lib/password.ts';
import { checkPasswordStrength, createPersonWithPassword, setPassword } from '../../ops/accounts.ts';
import { createInvitation, invitationPath, ROLES, type Role, setRole } from '../../ops/invitations.ts';
import { createPerson } from '../../ops/users.ts';
import { ApiError } from '../../wire/errors.ts';
import { printResult, required, UsageError, type Values } from '../args.ts';
import { nowIso, withStore } from '../context.ts';
import { rethrowAsCliError } from './integration.ts';

function emailArg(values: Values): string {
  const email = required(values, 'email');
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new UsageError(`--email must be an email address, not ${email}`);
  return email;
}

/**
 * The password typed at a terminal, not echoed (raw mode; Enter ends it, Backspace erases, Ctrl-C
 * cancels), asked on standard error so that standard output stays the command's result.
 */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const finish = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          return resolve(typed);
        }
        if (ch === '\u0003') {
          finish();
          return reject(new UsageError('cancelled'));
        }
        typed = ch === '\u007f' || ch === '\b' ? typed.slice(0, -1) : typed + ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Standard input up to its end, without the final line break; a prompt at a terminal. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return promptHidden('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The password of --password or --password-stdin (not both), checked; undefined when neither. */
async function passwordArg(values: Values): Promise<string | undefined> {
  if (values.password !== undefined && values['password-stdin'])
    throw new UsageError('give --password or --password-stdin, not both');
  const password = values['password-stdin'] ? await readStdin() : values.password;
  if (password === undefined) return undefined;
  try {
    checkPasswordStrength(password);
  } catch (e) {
    if (e instanceof ApiError) throw new UsageError(e.message);
    throw e;
  }
  return password;
}

export async function userCreateCommand(values: Values): Promise<void> {
  const name = required(values, 'name');
  const email = emailArg(values);
  const password = await passwordArg(values);
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  const admin = values.admin === true;
  await withStore(values, async (store) => {
    const user = await store
      .transaction(async (tx) => {
        const made =
          passwordHash === undefined
            ? await createPerson(tx, { name, email, now: nowIso() })
            : await createPersonWithPassword(tx, { name, email, passwordHash, now: nowIso() });
        if (admin) await tx.invitations.setRole(made.id, 'admin');
        return made;
      })
      .catch(rethrowAsCliError);
    const signIn = passwordHash === undefined ? '' : '; they can sign in at /sign-in';
    printResult(
      values,
      {
        id: user.id,
        name: user.name,
        email: user.email,
        password: passwordHash !== undefined,
        role: admin ? 'admin' : 'member',
      },
      `Created ${admin ? 'admin' : 'user'} ${user.name} <${user.email}> (${user.id})${signIn}`,
    );
  });
}

export async function userPasswordCommand(values: Values): Promise<void> {
  const email = emailArg(values);
  const password = await passwordArg(values);
  if (password === undefined) throw new UsageError('user password needs --password or --password-stdin');
  const passwordHash = await hashPassword(password);
  await withStore(values, async (store) => {
    const user = await store
      .transaction((tx) => setPassword(tx, { email, passwordHash, now: nowIso() }))
      .catch(rethrowAsCliError);
    printResult(
      values,
      { id: user.id, email: user.email, password: true },
      `Set the password of ${user.name} <${user.email}>; their browsers are signed out.`,
    );
  });
}

export async function userInviteCommand(values: Values): Promise<void> {
  const email = emailArg(values);
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !(Number.isFinite(days) && days > 0))
    throw new UsageError(`--days must be a positive number, not ${values.days}`);
  const role: Role = values.admin === true ? 'admin' : 'member';
  await withStore(values, async (store, config) => {
    const made = await store
      .transaction((tx) =>
        createInvitation(tx, { email, role, createdBy: null, now: new Date(), ...(days ? { days } : {}) }),
      )
      .catch(rethrowAsCliError);
    const url = `${publicUrlOf(config).replace(/\/$/, '')}${invitationPath(made.token)}`;
    printResult(
      values,
      { id: made.invitation.id, email, role, expires_time: made.invitation.expires_time, url },
      `Invitation for ${email} (${role}), valid until ${made.invitation.expires_time}; shown once:\n${url}`,
    );
  });
}

export async function userRoleCommand(values: Values): Promise<void> {
  const email = emailArg(values);
  const role = required(values, 'role');
  if (!(ROLES as readonly string[]).includes(role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}, not ${role}`);
  await withStore(values, async (store) => {
    const user = await store
      .transaction((tx) => setRole(tx, { email, role: role as Role }))
      .catch(rethrowAsCliError);
    printResult(
      values,
      { id: user.id, email: user.email, role },
      `${user.name} <${user.email}> is now ${role}.`,
    );
  });
}
