/**
 * Several nodes on one Postgres behave as one server: two `octavo serve` processes (job consumers
 * off) and one `octavo jobs` process, under concurrent writes through both servers. The rate
 * limit is one per integration across the servers (buckets in the database), and every accepted
 * write's event reaches the subscription exactly once per attempt.
 */
import type { ChildProcess } from 'node:child_process';
import { Client } from '@notionhq/client';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/connect.ts';
import { createSubscription, verifySubscription } from '../../src/webhooks/subscriptions.ts';
import { type ServeProcess, startServe, storageFor } from '../e2e/cli-process.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { startJobsProcess, startReceiver, waitFor } from './support.ts';

const BURST = 20;

describeEngines('several nodes on one Postgres', (engine) => {
  const storage = storageFor(engine);
  const env = {
    ...storage.env,
    OCTAVO_RATE_LIMIT_STORE: 'database',
    OCTAVO_WEBHOOK_POLL_MS: '10',
  };
  const children: ChildProcess[] = [];
  const servers: ServeProcess[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await storage.cleanup();
  });

  const startJobs = async () => {
    children.push(await startJobsProcess(storage.args, env));
  };

  it.runIf(engine === 'postgres')(
    'share one rate limit and deliver every event once per attempt from a separate job process',
    async () => {
      // One refill a second after a burst of BURST: the servers' buckets are one bucket.
      const serveArgs = [...storage.args, '--port', '0', '--rate-limit', `1:${BURST}`];
      const serverEnv = { ...env, OCTAVO_JOBS: 'off' };
      const first = await startServe(serveArgs, serverEnv);
      servers.push(first);
      servers.push(await startServe(serveArgs, serverEnv));
      const token = first.token!;
      const store = await openStore({ databaseUrl: PG_URL, pgSchema: storage.env.OCTAVO_PG_SCHEMA });
      const rx = await startReceiver();
      try {
        const now = () => new Date().toISOString();
        const sub = await store.transaction(async (tx) => {
          const s = await createSubscription(tx, {
            integration: 'Octavo Quickstart',
            url: rx.url,
            eventTypes: ['page.created'],
            now: now(),
          });
          return verifySubscription(tx, { id: s.id, token: s.verification_token, now: now() });
        });
        await startJobs();
        const clients = servers.map(
          (s) => new Client({ auth: token, baseUrl: s.url, retry: { maxRetries: 0 } } as never),
        );
        const started = Date.now();
        const answers = await Promise.all(
          Array.from({ length: 2 * BURST }, (_, i) =>
            clients[i % 2]!.pages.create({
              parent: { page_id: first.pageId },
              properties: { title: { title: [{ type: 'text', text: { content: `n${i}` } }] } },
            })
              .then((p) => ({ id: p.id, status: 200 }))
              .catch((e: { status?: number }) => ({ id: null, status: e.status ?? 0 })),
          ),
        );
        const seconds = (Date.now() - started) / 1000;
        const accepted = answers.flatMap((a) => (a.id ? [a.id] : []));
        expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
        // Two limits would have let all 2 × BURST through; one lets the burst and its refill.
        expect(accepted.length).toBeGreaterThanOrEqual(BURST);
        expect(accepted.length).toBeLessThanOrEqual(BURST + Math.ceil(seconds) + 1);
        // Both servers served some of them.
        expect(answers.filter((a, i) => a.id && i % 2 === 0).length).toBeGreaterThan(0);
        expect(answers.filter((a, i) => a.id && i % 2 === 1).length).toBeGreaterThan(0);

        const events = () => rx.received.filter((r) => r.json.subscription_id === sub.id && r.json.type);
        const entity = (r: { json: Record<string, unknown> }) => (r.json.entity as { id: string }).id;
        await waitFor(
          () => accepted.every((id) => events().some((r) => entity(r) === id)),
          45_000,
          'every event',
        );
        await new Promise((r) => setTimeout(r, 500));
        const keys = events().map((r) => `${r.json.id}/${r.json.attempt_number}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(events().map(entity).sort()).toEqual([...accepted].sort());
      } finally {
        await rx.close();
        await store.close();
      }
    },
    120_000,
  );
});
