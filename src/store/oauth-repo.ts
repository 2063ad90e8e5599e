/**
 * Accounts (passwords, browser sessions) and OAuth (public integrations, installations,
 * authorization codes): the tables of migration 011, written once for both engines.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { AccountRepo, Engine, OauthRepo } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function accounts(db: Db): AccountRepo {
  return {
    passwordHash: async (userId) =>
      (await db.selectFrom('user_passwords').select('hash').where('user_id', '=', userId).executeTakeFirst())
        ?.hash,
    setPassword: async (userId, hash, at) => {
      await db
        .insertInto('user_passwords')
        .values({ user_id: userId, hash, updated_time: at })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ hash, updated_time: at }))
        .execute();
    },
    insertSession: async (row) => {
      await db.insertInto('web_sessions').values(row).execute();
    },
    session: (idHash, now) =>
      db
        .selectFrom('web_sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .where('expires_time', '>', now)
        .executeTakeFirst(),
    deleteSession: async (idHash) => {
      await db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
    },
    deleteSessionsOf: async (userId) => {
      await db.deleteFrom('web_sessions').where('user_id', '=', userId).execute();
    },
    deleteExpiredSessionsOf: async (userId, now) => {
      await db
        .deleteFrom('web_sessions')
        .where('user_id', '=', userId)
        .where('expires_time', '<=', now)
        .execute();
    },
  };
}

export function oauth(db: Db, engine: Engine): OauthRepo {
  const clients = () => db.selectFrom('oauth_clients').selectAll();
  const installs = () => db.selectFrom('oauth_installations').selectAll();
  return {
    client: (id) => clients().where('id', '=', id).executeTakeFirst(),
    clientByName: (name) => clients().where('name', '=', name).executeTakeFirst(),
    clients: () => clients().orderBy('created_time').orderBy('id').execute(),
    insertClient: async (row) => {
      await db.insertInto('oauth_clients').values(row).execute();
    },
    updateClient: async (id, patch) => {
      await db.updateTable('oauth_clients').set(patch).where('id', '=', id).execute();
    },
    deleteClient: async (id) => {
      await db.deleteFrom('oauth_codes').where('client_id', '=', id).execute();
      await db.deleteFrom('oauth_installations').where('client_id', '=', id).execute();
      await db.deleteFrom('oauth_clients').where('id', '=', id).execute();
    },
    installations: (clientId) =>
      installs().where('client_id', '=', clientId).orderBy('created_time').execute(),
    installation: (id) => installs().where('integration_id', '=', id).executeTakeFirst(),
    installationOf: (clientId, ownerUserId) =>
      installs()
        .where('client_id', '=', clientId)
        .where('owner_user_id', '=', ownerUserId)
        .executeTakeFirst(),
    installationByBot: (botUserId) => installs().where('bot_user_id', '=', botUserId).executeTakeFirst(),
    installationByRefresh: (hash) => installs().where('refresh_hash', '=', hash).executeTakeFirst(),
    insertInstallation: async (row) => {
      await db.insertInto('oauth_installations').values(row).execute();
    },
    updateInstallation: async (id, patch) => {
      await db.updateTable('oauth_installations').set(patch).where('integration_id', '=', id).execute();
    },
    insertCode: async (row) => {
      await db.insertInto('oauth_codes').values(row).execute();
    },
    claimCode: (hash) => {
      // SQLite runs one writer at a time (transactions begin IMMEDIATE); Postgres locks the row.
      let q = db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', hash);
      if (engine === 'postgres') q = q.forUpdate();
      return q.executeTakeFirst();
    },
    updateCode: async (hash, patch) => {
      await db.updateTable('oauth_codes').set(patch).where('code_hash', '=', hash).execute();
    },
    deleteCodesExpiredBefore: async (clientId, before) => {
      await db
        .deleteFrom('oauth_codes')
        .where('client_id', '=', clientId)
        .where('expires_time', '<', before)
        .execute();
    },
  };
}
