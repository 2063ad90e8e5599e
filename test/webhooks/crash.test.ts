/**
 * At least once across a kill -9: `octavo jobs` runs as a child process and is killed while its
 * deliveries hang at the receiver; events recorded while it is dead wait in the outbox; a new
 * `octavo jobs` delivers every one of them (the killed attempts again, once their lease ran out).
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { bootstrap, createAdminPage } from '../../src/ops/workspace.ts';
import { openStore } from '../../src/store/connect.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { createSubscription, verifySubscription } from '../../src/webhooks/subscriptions.ts';
import { storageFor } from '../e2e/cli-process.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { startJobsProcess, startReceiver, waitFor } from './support.ts';

describeEngines('webhook delivery across kill -9 of the job process', (engine) => {
  const storage = storageFor(engine);
  const env = {
    ...storage.env,
    OCTAVO_JOB_LEASE_MS: '1000',
    OCTAVO_WEBHOOK_BACKOFF_MS: '200',
    OCTAVO_WEBHOOK_POLL_MS: '20',
    OCTAVO_WEBHOOK_TIMEOUT_MS: '20000',
  };
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await storage.cleanup();
  });

  const startJobs = async () => {
    const proc = await startJobsProcess(storage.args, env);
    children.push(proc);
    return proc;
  };

  it('delivers every event after the delivering process is killed mid-delivery and restarted', async () => {
    const store: KyselyStore =
      engine === 'postgres'
        ? await openStore({ databaseUrl: PG_URL, pgSchema: storage.env.OCTAVO_PG_SCHEMA })
        : await openStore({ dataDir: storage.args[1]! });
    const rx = await startReceiver();
    try {
      const now = () => new Date().toISOString();
      const boot = await store.transaction((tx) => bootstrap(tx, now()));
      const root = boot.created!.pageId;
      const sub = await store.transaction(async (tx) => {
        const s = await createSubscription(tx, {
          integration: 'Octavo Quickstart',
          url: rx.url,
          eventTypes: ['page.created'],
          now: now(),
        });
        return verifySubscription(tx, { id: s.id, token: s.verification_token, now: now() });
      });
      const write = async (n: number, label: string) => {
        const ids: string[] = [];
        for (let i = 0; i < n; i++)
          ids.push(
            (
              await store.transaction((tx) =>
                createAdminPage(tx, { title: `${label} ${i}`, parentId: root, now: now() }),
              )
            ).id,
          );
        return ids;
      };
      // Every delivery hangs at first: the process is killed with its requests in flight.
      let healthy = false;
      rx.answer = (r) => ('verification_token' in r.json ? 200 : healthy ? 200 : 'hang');
      const first = await startJobs();
      const before = await write(8, 'before');
      await waitFor(
        () => rx.received.filter((r) => r.json.subscription_id === sub.id).length >= 1,
        20_000,
        'a delivery in flight',
      );
      first.kill('SIGKILL');
      await new Promise((done) => first.once('exit', done));
      const whileDead = await write(4, 'while dead');
      healthy = true;
      await startJobs();
      const all = [...before, ...whileDead];
      const delivered = () =>
        new Set(
          rx.received
            .filter((r) => r.json.subscription_id === sub.id && r.json.type === 'page.created')
            .map((r) => (r.json.entity as { id: string }).id),
        );
      await waitFor(() => all.every((id) => delivered().has(id)), 45_000, 'every event delivered');
      expect([...delivered()].sort()).toEqual([...all].sort());
    } finally {
      await rx.close();
      await store.close();
    }
  }, 120_000);
});
