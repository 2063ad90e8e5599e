/**
 * Scripts on both engines: a module run in a child process under Node's permission model, its
 * SDK client acting as the script's own integration against the app in process. A script that
 * creates a page (read back with the SDK), run by hand and on a schedule; one that never returns
 * (killed at its time limit), one that allocates without bound (stopped at its memory limit),
 * one that reads, writes or spawns what it may not (refused); the server keeps answering.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runManually, tickSchedules } from '../../src/automations/runtime.ts';
import {
  presentScriptRun,
  runScript,
  type ScriptDeps,
  scriptIdentity,
} from '../../src/automations/scripts.ts';
import { revokeIntegration, sharePage } from '../../src/ops/integrations.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL } from '../helpers/harness.ts';
import { waitFor } from '../webhooks/support.ts';
import { type AutoBench, startAutoBench } from './support.ts';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'scripts');
const fixture = (name: string) => join(FIXTURES, name);
// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's and admin API's objects loosely
type Loose = any;

describeEngines('scripts', (engine) => {
  let b: AutoBench;
  let deps: ScriptDeps;
  beforeAll(async () => {
    b = await startAutoBench(engine);
    deps = { store: b.store, api: b.rt.api, baseUrl: BASE_URL, limits: { timeoutMs: 10_000, memoryMb: 64 } };
  });
  afterAll(async () => {
    await b?.close();
  });

  const share = (integrationName: string) =>
    b.store.transaction((tx) =>
      sharePage(tx, { pageId: b.boot.created!.pageId, integrationName, now: new Date().toISOString() }),
    );
  const titleOf = (page: Loose) => page.properties.title.title.map((t: Loose) => t.plain_text).join('');

  describe('by hand', () => {
    it('creates a page as its own integration, which sees only what was shared with it', async () => {
      const input = { parent: b.boot.created!.pageId, title: 'Made by a script' };
      const first = presentScriptRun(
        await runScript(deps, { file: fixture('make-page.ts'), input, startedBy: 'test' }),
      );
      // Its integration, `script: make-page`, exists now, but nothing is shared with it yet.
      expect(first.status).toBe('failed');
      expect(first.reason).toBe('error');
      expect(first.error).toMatch(/object_not_found|Could not find page/);
      await share('script: make-page');
      const run = presentScriptRun(
        await runScript(deps, { file: fixture('make-page.ts'), input, startedBy: 'test' }),
      );
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      expect(run.integration).toBe('script: make-page');
      const id = (run.output as { id: string }).id;
      const page = (await b.client().pages.retrieve({ page_id: id })) as Loose;
      expect(titleOf(page)).toBe('Made by a script');
      expect(page.parent.page_id).toBe(b.boot.created!.pageId);
      const bot = await b.store.transaction((tx) => tx.integrations.getByName('script: make-page'));
      expect(page.created_by.id).toBe(bot!.bot_user_id);
      expect(run.logs.map((l) => [l.level, l.text])).toEqual([
        ['info', 'creating Made by a script'],
        ['stdout', 'stdout is kept too'],
        ['warn', `created ${id}`],
      ]);
      const kept = await b.store.transaction((tx) => tx.scripts.listRuns('make-page', 10));
      expect(kept.map((r) => r.status)).toEqual(['succeeded', 'failed']);
    });

    it('a script that never returns is killed at its time limit; the server is unharmed', async () => {
      const t0 = Date.now();
      const run = presentScriptRun(
        await runScript(deps, {
          file: fixture('spin.mjs'),
          input: {},
          startedBy: 'test',
          limits: { timeoutMs: 1500 },
        }),
      );
      const took = Date.now() - t0;
      expect(run).toMatchObject({ status: 'failed', reason: 'timeout' });
      expect(run.error).toMatch(/stopped at its time limit \(1500 ms\)/);
      expect(took).toBeGreaterThanOrEqual(1500);
      expect(took).toBeLessThan(8000);
      expect((await b.client().users.me({})).type).toBe('bot');
    });

    it('a script that allocates without bound is stopped at its memory limit', async () => {
      const run = presentScriptRun(
        await runScript(deps, {
          file: fixture('hog.mjs'),
          input: {},
          startedBy: 'test',
          limits: { memoryMb: 32, timeoutMs: 60_000 },
        }),
      );
      expect(run).toMatchObject({ status: 'failed', reason: 'memory' });
      expect(run.error).toMatch(/memory limit \(32 MB heap\)/);
      expect(run.logs.some((l) => l.level === 'stderr' && /heap/i.test(l.text))).toBe(true);
      expect((await b.client().users.me({})).type).toBe('bot');
    });

    it('the permission model refuses reading, writing and spawning; the environment is empty', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'octavo-script-'));
      const secret = join(dir, 'secret.txt');
      writeFileSync(secret, 'not for scripts');
      const attempt = async (input: Record<string, unknown>) =>
        presentScriptRun(await runScript(deps, { file: fixture('peek.mjs'), input, startedBy: 'test' }));
      for (const input of [
        { try: 'read', path: secret },
        { try: 'read', path: join(FIXTURES, 'make-page.ts') },
        { try: 'write', path: join(dir, 'out.txt') },
        { try: 'spawn' },
      ]) {
        const run = await attempt(input);
        expect(run.status, JSON.stringify(input)).toBe('failed');
        expect(run.error).toMatch(/ERR_ACCESS_DENIED/);
      }
      process.env.OCTAVO_SECRET_SCRIPT_PROBE = 'x';
      const env = await attempt({ try: 'env' });
      delete process.env.OCTAVO_SECRET_SCRIPT_PROBE;
      expect(env.status).toBe('succeeded');
      expect(env.output).not.toContain('OCTAVO_SECRET_SCRIPT_PROBE');
      // The script may read itself: that is what it was allowed.
      const self = await attempt({ try: 'read', path: fixture('peek.mjs') });
      expect(self.status).toBe('succeeded');
    });

    it('a script whose integration was revoked does not run', async () => {
      await b.store.transaction((tx) =>
        revokeIntegration(tx, { name: 'script: make-page', now: new Date().toISOString() }),
      );
      await expect(
        runScript(deps, { file: fixture('make-page.ts'), input: {}, startedBy: 'test' }),
      ).rejects.toThrow(/was revoked/);
    });
  });

  describe('as an automation action', () => {
    const settled = (name: string) =>
      waitFor(
        async () => {
          const runs = (await b.admin('GET', `/automations/${encodeURIComponent(name)}/runs`)).body
            .results as Loose[];
          return runs.length > 0 && runs.every((r) => r.status === 'succeeded' || r.status === 'failed')
            ? runs
            : null;
        },
        30_000,
        `finished runs of ${name}`,
      );

    it('a schedule trigger with run_script is a scheduled script (injected clock)', async () => {
      const made = await b.admin('POST', '/automations', {
        name: 'daily page',
        trigger: { type: 'schedule', cron: '0 8 * * *', timezone: 'Europe/Paris' },
        actions: [
          {
            type: 'run_script',
            file: fixture('make-page.ts'),
            name: 'daily-page',
            input: { parent: b.boot.created!.pageId, title: 'Report of {{trigger.time}}' },
          },
        ],
      });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      // The script acts as its own integration, made on its first run: share before that.
      await b.store.transaction((tx) => scriptIdentity(tx, 'daily-page', new Date().toISOString()));
      await share('script: daily-page');
      const due = new Date(made.body.next_run_time);
      expect(await tickSchedules(b.rt, new Date(due.getTime() + 1000))).toHaveLength(1);
      const [run] = await settled('daily page');
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      const step = run.steps[0];
      expect(step.action).toBe('run_script');
      expect(step.output.script_run_id).toEqual(expect.any(String));
      const page = (await b.client().pages.retrieve({ page_id: step.output.output.id })) as Loose;
      expect(titleOf(page)).toBe(`Report of ${due.toISOString()}`);
      const kept = await b.store.transaction((tx) => tx.scripts.getRun(step.output.script_run_id));
      expect(kept).toMatchObject({ status: 'succeeded', started_by: `automation:${run.id}` });
    });

    it('a run_script step stopped at its limit fails the run with the reason and its logs, not retried', async () => {
      const made = await b.admin('POST', '/automations', {
        name: 'spinner',
        trigger: { type: 'manual' },
        actions: [{ type: 'run_script', file: fixture('spin.mjs'), timeout_ms: 1000 }],
      });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      const run = await b.admin('POST', '/automations/spinner/run', { input: {} });
      expect(run.body.status, JSON.stringify(run.body)).toBe('failed');
      expect(run.body.error).toMatch(
        /run_script failed: script spin failed \(timeout\): stopped at its time limit \(1000 ms\)/,
      );
      expect(run.body.steps[0].error.code).toBe('script_failed');
      expect(run.body.steps[0].output.script_run_id).toEqual(expect.any(String));
      const hogged = await b.admin('POST', '/automations', {
        name: 'hog',
        trigger: { type: 'manual' },
        actions: [{ type: 'run_script', file: fixture('hog.mjs'), memory_mb: 32 }],
      });
      expect(hogged.status).toBe(200);
      // This one through the job queue, whose attempts would retry a transient failure.
      await runManually(b.rt, 'hog', {});
      const [viaQueue] = await settled('hog');
      expect(viaQueue.status).toBe('failed');
      expect(viaQueue.error).toMatch(/\(memory\)/);
      expect(viaQueue.error).not.toMatch(/attempts/);
      expect((await b.client().users.me({})).type).toBe('bot');
    });

    it('a run started through the admin API reaches /v1 through the app; the admin API lists script runs', async () => {
      const made = await b.admin('POST', '/automations', {
        name: 'by admin',
        trigger: { type: 'manual' },
        actions: [
          {
            type: 'run_script',
            file: fixture('make-page.ts'),
            name: 'admin-page',
            input: { parent: b.boot.created!.pageId, title: '{{trigger.input.title}}' },
          },
        ],
      });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      await b.store.transaction((tx) => scriptIdentity(tx, 'admin-page', new Date().toISOString()));
      await share('script: admin-page');
      const run = await b.admin('POST', '/automations/by%20admin/run', { input: { title: 'Via admin' } });
      expect(run.body.status, JSON.stringify(run.body)).toBe('succeeded');
      const scriptRunId = run.body.steps[0].output.script_run_id;
      const page = (await b
        .client()
        .pages.retrieve({ page_id: run.body.steps[0].output.output.id })) as Loose;
      expect(titleOf(page)).toBe('Via admin');
      const shown = await b.admin('GET', `/script_runs/${scriptRunId}`);
      expect(shown.body).toMatchObject({
        object: 'script_run',
        script: 'admin-page',
        status: 'succeeded',
        input: { title: 'Via admin' },
        started_by: `automation:${run.body.id}`,
      });
      const listed = await b.admin('GET', '/script_runs?script=admin-page');
      expect(listed.body.results.map((r: Loose) => r.id)).toEqual([scriptRunId]);
      expect((await b.admin('GET', '/script_runs/nope')).status).toBe(400);
    });

    it('refuses a missing script file or a wrong extension when the automation is saved', async () => {
      for (const [file, message] of [
        [fixture('nope.ts'), /actions\[0\]\.file: No script file at/],
        [fixture('README.md'), /actions\[0\]\.file should be a \.js, \.mjs, \.ts or \.mts file/],
      ] as const) {
        const r = await b.admin('POST', '/automations', {
          name: 'bad script',
          trigger: { type: 'manual' },
          actions: [{ type: 'run_script', file }],
        });
        expect(r.status).toBe(400);
        expect(r.body.message).toMatch(message);
      }
    });
  });
});
