/** `octavo user create`: a person in the workspace (what `users.list` returns besides bots). */
import { createPerson } from '../../ops/users.ts';
import { printResult, required, UsageError, type Values } from '../args.ts';
import { nowIso, withStore } from '../context.ts';
import { rethrowAsCliError } from './integration.ts';

export async function userCreateCommand(values: Values): Promise<void> {
  const name = required(values, 'name');
  const email = required(values, 'email');
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new UsageError(`--email must be an email address, not ${email}`);
  await withStore(values, async (store) => {
    const user = await store
      .transaction((tx) => createPerson(tx, { name, email, now: nowIso() }))
      .catch(rethrowAsCliError);
    printResult(
      values,
      { id: user.id, name: user.name, email: user.email },
      `Created user ${user.name} <${user.email}> (${user.id})`,
    );
  });
}
