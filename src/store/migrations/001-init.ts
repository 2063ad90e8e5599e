import type { Kysely } from 'kysely';

/** The core tables: workspace metadata, users, integrations, blocks (pages included), shares. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('octavo_meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('avatar_url', 'text')
    .addColumn('email', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_email').on('users').column('email').unique().execute();

  await db.schema
    .createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('bot_user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('capabilities', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('blocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('parent_type', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('sort_key', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('properties', 'text')
    .addColumn('icon', 'text')
    .addColumn('cover', 'text')
    .addColumn('in_trash', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('last_edited_time', 'text', (c) => c.notNull())
    .addColumn('last_edited_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('blocks_parent_order')
    .on('blocks')
    .columns(['parent_id', 'sort_key'])
    .execute();

  await db.schema
    .createTable('shares')
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id'))
    .addColumn('block_id', 'text', (c) => c.notNull().references('blocks.id'))
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('shares_pk', ['integration_id', 'block_id'])
    .execute();
}
