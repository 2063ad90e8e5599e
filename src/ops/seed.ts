/**
 * Writes a fixture (ops/fixture.ts) into the workspace through the ordinary operations, in the
 * caller's one transaction: integrations and their fixed tokens, users, pages and their blocks,
 * databases with their schemas and rows, then sharing. Ids the fixture gives are handed to the
 * operations through `withIds`, so every object is made exactly as an API request would make it.
 * Any refusal becomes a validation_error that names the place in the fixture; the caller's
 * transaction then rolls everything back.
 */
import { ALL_CAPABILITIES, type Capability } from '../domain/capabilities.ts';
import { textItem } from '../domain/rich-text.ts';
import { sha256Hex } from '../lib/crypto.ts';
import { withIds } from '../lib/ids.ts';
import type { StoreTx } from '../store/store.ts';
import type { BlockRequest } from '../wire/blocks.schema.ts';
import { BlockChildrenRequest } from '../wire/blocks.schema.ts';
import type { CreateDatabaseBody } from '../wire/databases.schema.ts';
import { ApiError } from '../wire/errors.ts';
import type { CreatePageBody } from '../wire/pages.schema.ts';
import type { PathSegment } from '../wire/validation.ts';
import { appendChildren } from './blocks.ts';
import { createDatabase } from './databases.ts';
import type { OpEnv } from './env.ts';
import {
  type Fixture,
  type FixtureDatabase,
  type FixturePage,
  type FixtureRow,
  fixtureError,
  fixturePath,
  stripBlockIds,
} from './fixture.ts';
import { createIntegration } from './integrations.ts';
import { createPage } from './pages.ts';
import { createPerson } from './users.ts';
import { ADMIN_EMAIL, createAdminPage } from './workspace.ts';

/** What a seed made, by fixture order: enough for a test to find its objects. */
export interface SeedResult {
  integrations: { id: string; name: string; bot_user_id: string }[];
  users: { id: string; name: string }[];
  pages: number;
  databases: number;
  rows: number;
  blocks: number;
}

interface Seeding {
  tx: StoreTx;
  env: OpEnv;
  result: SeedResult;
  integrationIds: Map<string, string>;
  shares: { names: string[]; id: string; path: PathSegment[] }[];
}

/** Seeds `fixture` in `tx` as the workspace's administrator (who sees everything). */
export async function seedFixture(
  tx: StoreTx,
  fixture: Fixture,
  input: { now: string; publicUrl: string },
): Promise<SeedResult> {
  const admin =
    (await tx.users.getByEmail(ADMIN_EMAIL)) ??
    (await createPerson(tx, { name: 'Admin', email: ADMIN_EMAIL, now: input.now }));
  const env: OpEnv = {
    actor: {
      integrationId: '',
      integrationName: admin.name,
      botUserId: admin.id,
      capabilities: new Set<Capability>(),
      seesEverything: true,
    },
    now: input.now,
    publicUrl: input.publicUrl,
  };
  const s: Seeding = {
    tx,
    env,
    result: { integrations: [], users: [], pages: 0, databases: 0, rows: 0, blocks: 0 },
    integrationIds: new Map((await tx.integrations.list()).map((r) => [r.name, r.id])),
    shares: [],
  };
  for (const [i, item] of (fixture.integrations ?? []).entries()) {
    await at(['integrations', i], async () => {
      // createIntegration makes the bot user's id first, then the integration's.
      const made = await withIds([undefined, item.id], () =>
        createIntegration(tx, {
          name: item.name,
          capabilities:
            item.capabilities === 'all' || !item.capabilities ? ALL_CAPABILITIES : item.capabilities,
          now: input.now,
        }),
      );
      const taken = await tx.integrations.getByTokenHash(sha256Hex(item.token));
      if (taken)
        throw fixtureError(['integrations', i, 'token'], 'is already the token of another integration.');
      await tx.integrations.update(made.integration.id, { token_hash: sha256Hex(item.token) });
      s.integrationIds.set(made.integration.name, made.integration.id);
      s.result.integrations.push({
        id: made.integration.id,
        name: made.integration.name,
        bot_user_id: made.integration.bot_user_id,
      });
    });
  }
  for (const [i, user] of (fixture.users ?? []).entries()) {
    await at(['users', i], async () => {
      const row = await withIds([user.id], () => createPerson(tx, { ...user, now: input.now }));
      s.result.users.push({ id: row.id, name: row.name });
    });
  }
  for (const [i, page] of (fixture.pages ?? []).entries()) await seedPage(s, page, null, ['pages', i]);
  for (const share of s.shares) {
    for (const [j, name] of share.names.entries()) {
      const integrationId = s.integrationIds.get(name);
      if (!integrationId)
        throw fixtureError([...share.path, 'shared_with', j], `names no integration: ${name}.`);
      await tx.shares.add(integrationId, share.id, input.now);
    }
  }
  return s.result;
}

/** Runs one step; an operation's refusal is reported at `path` in the fixture. */
async function at<T>(path: PathSegment[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError && !e.message.startsWith('fixture ')) {
      throw new ApiError('validation_error', `fixture failed at ${fixturePath(path)}: ${e.message}`);
    }
    throw e;
  }
}

async function seedPage(s: Seeding, page: FixturePage, parentId: string | null, path: PathSegment[]) {
  const id = await at(path, async () => {
    if (parentId === null) {
      const row = await withIds([page.id], () =>
        createAdminPage(s.tx, { title: page.title, now: s.env.now }),
      );
      return row.id;
    }
    const body: CreatePageBody = {
      parent: { page_id: parentId } as CreatePageBody['parent'],
      properties: { title: { title: [textItem(page.title)] } },
      ...(page.icon !== undefined ? { icon: page.icon as CreatePageBody['icon'] } : {}),
      ...(page.cover !== undefined ? { cover: page.cover as CreatePageBody['cover'] } : {}),
    };
    const made = await withIds([page.id], () => createPage(s.tx, s.env, body));
    return made.row.id;
  });
  s.result.pages++;
  if (page.shared_with?.length) s.shares.push({ names: page.shared_with, id, path });
  await seedBlocks(s, id, page.children, [...path, 'children']);
  for (const [i, child] of (page.pages ?? []).entries()) await seedPage(s, child, id, [...path, 'pages', i]);
  for (const [i, db] of (page.databases ?? []).entries())
    await seedDatabase(s, db, id, [...path, 'databases', i]);
}

async function seedBlocks(
  s: Seeding,
  parentId: string,
  blocks: Record<string, unknown>[] | undefined,
  path: PathSegment[],
): Promise<void> {
  if (!blocks || blocks.length === 0) return;
  const ids: (string | undefined)[] = [];
  const stripped = stripBlockIds(blocks, ids, path);
  const children = BlockChildrenRequest.parse(stripped) as BlockRequest[];
  await at(path, () => withIds(ids, () => appendChildren(s.tx, s.env, parentId, { children })));
  s.result.blocks += ids.length;
}

async function seedDatabase(s: Seeding, db: FixtureDatabase, parentId: string, path: PathSegment[]) {
  const body: CreateDatabaseBody = {
    parent: { page_id: parentId } as CreateDatabaseBody['parent'],
    title: [textItem(db.title)] as CreateDatabaseBody['title'],
    ...(db.is_inline !== undefined ? { is_inline: db.is_inline } : {}),
    initial_data_source: { properties: db.properties as NonNullable<CreateDatabaseBody['properties']> },
  };
  const made = await at(path, () =>
    withIds([db.id, db.data_source_id], () => createDatabase(s.tx, s.env, body)),
  );
  s.result.databases++;
  if (db.shared_with?.length) s.shares.push({ names: db.shared_with, id: made.row.id, path });
  const dataSourceId = made.dataSources[0]!.id;
  for (const [i, row] of (db.rows ?? []).entries()) await seedRow(s, row, dataSourceId, [...path, 'rows', i]);
}

async function seedRow(s: Seeding, row: FixtureRow, dataSourceId: string, path: PathSegment[]) {
  const body: CreatePageBody = {
    parent: { data_source_id: dataSourceId } as CreatePageBody['parent'],
    properties: row.properties,
    ...(row.icon !== undefined ? { icon: row.icon as CreatePageBody['icon'] } : {}),
    ...(row.cover !== undefined ? { cover: row.cover as CreatePageBody['cover'] } : {}),
  };
  const made = await at(path, () => withIds([row.id], () => createPage(s.tx, s.env, body)));
  s.result.rows++;
  await seedBlocks(s, made.row.id, row.children, [...path, 'children']);
}
