import type { Kysely } from 'kysely';

/**
 * Workspace users who sign in, and OAuth public integrations (docs/ARCHITECTURE.md "Web sign-in"
 * and "OAuth public integrations").
 *
 * - `user_passwords`: one scrypt hash per person who may sign in (lib/password.ts has the format).
 * - `web_sessions`: a signed-in browser; the cookie holds a random value, the table its SHA-256.
 *   `csrf` is the token every form of that session must carry.
 * - `oauth_clients`: public integrations: client id, the SHA-256 of the client secret, redirect
 *   URIs and capabilities (JSON arrays as text).
 * - `oauth_codes`: authorization codes, by SHA-256; `used_time` is set when exchanged, and a code
 *   exchanged again revokes `installation_id`'s tokens.
 * - `oauth_installations`: one per (client, installing user): an `integrations` row (its bot user,
 *   access token and shares) plus the current refresh token's SHA-256 and when the access token
 *   was issued. Deleting the integration row removes it (cascade).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_passwords')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('updated_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('web_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('expires_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_sessions_by_user').on('web_sessions').column('user_id').execute();
  await db.schema
    .createTable('oauth_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('capabilities', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('oauth_installations')
    .addColumn('integration_id', 'text', (c) =>
      c.primaryKey().references('integrations.id').onDelete('cascade'),
    )
    .addColumn('client_id', 'text', (c) => c.notNull().references('oauth_clients.id').onDelete('cascade'))
    .addColumn('owner_user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('bot_user_id', 'text', (c) => c.notNull())
    .addColumn('refresh_hash', 'text', (c) => c.unique())
    .addColumn('issued_time', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('oauth_installations_by_owner')
    .on('oauth_installations')
    .columns(['client_id', 'owner_user_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('oauth_installations_by_bot')
    .on('oauth_installations')
    .column('bot_user_id')
    .execute();
  await db.schema
    .createTable('oauth_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('oauth_clients.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // The redirect_uri given at authorize, or null when none was given.
    .addColumn('redirect_uri', 'text')
    .addColumn('code_challenge', 'text')
    // JSON array of the page ids the user picked.
    .addColumn('pages', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('expires_time', 'text', (c) => c.notNull())
    .addColumn('used_time', 'text')
    .addColumn('installation_id', 'text')
    .execute();
}
