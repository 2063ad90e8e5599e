/**
 * Two `octavo jobs` processes on one database, under a stream of writes: every event reaches the
 * subscription, and no (event, attempt) twice — the dispatch lease lets one process read a
 * subscription at a time, and each delivery job is claimed by one process.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { bootstrap, createAdminPage } from '../../src/ops/workspace.ts';
import { openStore } from '../../src/store/connect.ts';
import { createSubscription, verifySubscription } from '../../src/webhooks/subscriptions.ts';
import { storageFor } from '../e2e/cli-process.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { startJobsProcess, startReceiver, waitFor } from './support.ts';

describeEngines('webhook delivery from two job processes', (engine) => {
  const storage = storageFor(engine);
  const env = { ...storage.env, OCTAVO_WEBHOOK_POLL_MS: '10' };
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await storage.cleanup();
  });

  const startJobs = async () => {
    children.push(await startJobsProcess(storage.args, env));
  };

  it('delivers each event once per attempt', async () => {
    const store =
      engine === 'postgres'
        ? await openStore({ databaseUrl: PG_URL, pgSchema: storage.env.OCTAVO_PG_SCHEMA })
        : await openStore({ dataDir: storage.args[1]! });
    const rx = await startReceiver();
    try {
      const now = () => new Date().toISOString();
      const boot = await store.transaction((tx) => bootstrap(tx, now()));
      const sub = await store.transaction(async (tx) => {
        const s = await createSubscription(tx, {
          integration: 'Octavo Quickstart',
          url: rx.url,
          eventTypes: ['page.created'],
          now: now(),
        });
        return verifySubscription(tx, { id: s.id, token: s.verification_token, now: now() });
      });
      // Both processes must be up first, or it would be a test of one.
      await Promise.all([startJobs(), startJobs()]);
      const pages: string[] = [];
      for (let i = 0; i < 40; i++) {
        const p = await store.transaction((tx) =>
          createAdminPage(tx, { title: `p${i}`, parentId: boot.created!.pageId, now: now() }),
        );
        pages.push(p.id);
        await new Promise((r) => setTimeout(r, 5));
      }
      const events = () => rx.received.filter((r) => r.json.subscription_id === sub.id && r.json.type);
      const entity = (r: { json: Record<string, unknown> }) => (r.json.entity as { id: string }).id;
      await waitFor(() => pages.every((id) => events().some((r) => entity(r) === id)), 45_000, 'every event');
      await new Promise((r) => setTimeout(r, 500));
      const keys = events().map((r) => `${r.json.id}/${r.json.attempt_number}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(events().map(entity).sort()).toEqual([...pages].sort());
    } finally {
      await rx.close();
      await store.close();
    }
  }, 120_000);
});
