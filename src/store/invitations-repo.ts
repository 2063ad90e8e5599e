/** Workspace roles and invitation links: the tables of migration 018, one code for both engines. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { InvitationRepo } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function invitationRepo(db: Db): InvitationRepo {
  const all = () => db.selectFrom('invitations').selectAll();
  return {
    roleOf: async (userId) =>
      (await db.selectFrom('person_roles').select('role').where('user_id', '=', userId).executeTakeFirst())
        ?.role ?? 'member',
    setRole: async (userId, role) => {
      if (role === 'member') {
        await db.deleteFrom('person_roles').where('user_id', '=', userId).execute();
        return;
      }
      await db
        .insertInto('person_roles')
        .values({ user_id: userId, role })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ role }))
        .execute();
    },
    admins: async () =>
      (await db.selectFrom('person_roles').select('user_id').where('role', '=', 'admin').execute()).map(
        (r) => r.user_id,
      ),
    insert: async (row) => {
      await db.insertInto('invitations').values(row).execute();
    },
    get: (id) => all().where('id', '=', id).executeTakeFirst(),
    byTokenHash: (tokenHash) => all().where('token_hash', '=', tokenHash).executeTakeFirst(),
    list: () => all().orderBy('created_time', 'desc').orderBy('id').execute(),
    claim: async (id, userId, now) => {
      const done = await db
        .updateTable('invitations')
        .set({ used_time: now, user_id: userId })
        .where('id', '=', id)
        .where('used_time', 'is', null)
        .where('revoked_time', 'is', null)
        .where('expires_time', '>', now)
        .executeTakeFirst();
      return Number(done.numUpdatedRows) === 1;
    },
    revoke: async (id, now) => {
      await db
        .updateTable('invitations')
        .set({ revoked_time: now })
        .where('id', '=', id)
        .where('revoked_time', 'is', null)
        .where('used_time', 'is', null)
        .execute();
    },
  };
}
