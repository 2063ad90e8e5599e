import type { Kysely } from 'kysely';

/**
 * Workspace roles and invitation links (docs/ARCHITECTURE.md "Web sign-in", "Invitations").
 *
 * - `person_roles`: a person's role in the workspace; a person without a row is a `member`. Only
 *   `admin` is stored today (invites people, revokes invitations).
 * - `invitations`: a link an admin made for one email address. The link's secret is kept only as
 *   its SHA-256 (`token_hash`); `used_time`/`user_id` are set when it is accepted (once),
 *   `revoked_time` when an admin withdraws it; after `expires_time` it opens nothing.
 *   `created_by` is the admin's user id, or null when made on the command line.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('person_roles')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('expires_time', 'text', (c) => c.notNull())
    .addColumn('used_time', 'text')
    .addColumn('user_id', 'text')
    .addColumn('revoked_time', 'text')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invitations').execute();
  await db.schema.dropTable('person_roles').execute();
}
