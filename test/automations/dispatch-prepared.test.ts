/**
 * Postgres: a dispatcher look whose prepared statements the server refuses because a table they
 * read changed shape under them (a column added by another process's migration). The look must
 * not leave a rejected promise unhandled (Node ends the process on one), and the automations go
 * on firing: the look's read runs again with the statement unnamed, or the next look does.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomation, dispatchOnce } from '../../src/automations/runtime.ts';
import { sharePage } from '../../src/ops/integrations.ts';
import { ENGINES } from '../helpers/engines.ts';
import { type LookBench, startLookBench } from './support.ts';

// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's objects loosely
type Loose = any;

describe.runIf(ENGINES.includes('postgres'))('dispatcher look under a changed table [postgres]', () => {
  let bench: LookBench;
  beforeAll(async () => {
    bench = await startLookBench('postgres');
  });
  afterAll(() => bench?.close());

  it('leaves no rejection unhandled and fires for rows written after the change', async () => {
    const { store, boot, sdk, rt } = bench;
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: boot.created!.pageId },
      title: [{ text: { content: 'Changed under' } }],
      initial_data_source: { properties: { Name: { title: {} }, N: { number: {} } } },
    })) as Loose;
    const ds = db.data_sources[0].id as string;
    const made = await store.transaction(async (tx) => {
      const a = await createAutomation(
        tx,
        {
          name: 'seven',
          trigger: { type: 'page_created', data_source_id: ds },
          condition: { property: 'N', number: { equals: 7 } },
          actions: [{ type: 'add_comment', text: 'seven' }],
        },
        new Date(),
      );
      await sharePage(tx, {
        pageId: boot.created!.pageId,
        integrationName: 'automation: seven',
        now: new Date().toISOString(),
      });
      return a;
    });
    const create = (n: number) =>
      sdk.pages.create({
        parent: { data_source_id: ds },
        properties: { Name: { title: [{ text: { content: `n${n}` } }] }, N: { number: n } },
      });
    const unhandled: unknown[] = [];
    const note = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', note);
    try {
      // Looks that prepare their statements on the pool's connections.
      for (let i = 0; i < 3; i++) {
        await create(1);
        await dispatchOnce(rt);
      }
      await sql`alter table blocks add column extra_for_look integer`.execute(store.db);
      const fires = await create(7);
      const runsFor = async () =>
        (await store.read((tx) => tx.automations.listRuns(null, 1000))).filter(
          (r) => r.automation_id === made.id && (JSON.parse(r.trigger) as Loose).page_id === fires.id,
        );
      for (let look = 0; look < 4 && (await runsFor()).length === 0; look++)
        await dispatchOnce(rt).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      expect((await runsFor()).map((r) => r.status)).toEqual(['succeeded']);
    } finally {
      process.off('unhandledRejection', note);
      await sql`alter table blocks drop column if exists extra_for_look`.execute(store.db);
    }
    expect(unhandled).toEqual([]);
  });
});
