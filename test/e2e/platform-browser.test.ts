/*
 * The browser app's platform screens in a real browser (Debian's Chromium via playwright-core)
 * against a running server with its job process inline, on both engines, each result read back
 * through the official SDK or the admin API:
 * - Webhooks (at phone width, by keyboard): a subscription created for an integration, the
 *   verification token its URL received pasted to activate it, an SDK write delivered and shown
 *   in the delivery log with its response code, replayed (the receiver gets the same event
 *   again), paused and deleted.
 * - Automations: one made from the form, run by hand on a page its integration cannot see (a
 *   failed run with the error shown), retried once the page is shared (its step shown, the
 *   comment read back through the SDK), disabled.
 * - Request log and test-double controls: requests filtered by status and integration, a fault
 *   rule added (the SDK's next request is refused by it), a snapshot saved, the clock advanced.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@notionhq/client';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/main.ts';
import { sharePage } from '../../src/ops/integrations.ts';
import { QUICKSTART_INTEGRATION } from '../../src/ops/workspace.ts';
import { newAdmin } from '../helpers/oauth.ts';
import { describeBrowser, useBrowser } from '../helpers/web-suite.ts';

/** A webhook receiver on loopback that keeps every body it is sent. */
async function receiver() {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const waitFor = async (test: (b: Record<string, unknown>) => boolean, count = 1) => {
    for (let i = 0; i < 300; i++) {
      const found = bodies.filter(test);
      if (found.length >= count) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the receiver did not get it; it got ${JSON.stringify(bodies)}`);
  };
  return { url, bodies, waitFor, close: () => new Promise((done) => server.close(done)) };
}

describeBrowser('platform screens browser test', 'The platform screens in Chromium', (engine) => {
  const suite = useBrowser(engine, {
    setupTimeout: 120_000,
    env: { OCTAVO_JOBS: 'inline', OCTAVO_WEBHOOK_POLL_MS: '25', OCTAVO_APP_EMULATOR_CONTROLS: '1' },
  });
  let server: RunningServer;
  let page: Page;
  let sdk: Client;
  let admin: (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;
  const errors = suite.errors;

  beforeAll(async () => {
    server = suite.server;
    sdk = new Client({ auth: server.boot.created!.token, baseUrl: server.url, retry: false });
    admin = async (method, path, body) => {
      const res = await fetch(`${server.url}/_octavo${path}`, {
        method,
        headers: {
          authorization: `Bearer ${server.boot.created!.adminToken}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, ...((await res.json()) as Record<string, unknown>) };
    };
    page = suite.page;
    // A step that cannot happen fails in 10 s, naming the step, before the test's own timeout.
    page.setDefaultTimeout(10_000);
    page.on('dialog', (d) => d.accept());
    const person = await newAdmin({ store: server.store });
    await page.goto(`${server.url}/app`);
    await suite.signIn(person);
    await page.getByRole('navigation', { name: 'Workspace' }).waitFor({ state: 'attached' });
  }, 90_000);

  it('webhooks at phone width: create, verify, a delivery in the log, replay, pause, delete', async () => {
    const hook = await receiver();
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${server.url}/app`);
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();

      const form = page.getByRole('form', { name: 'New subscription' });
      await form.getByLabel('Integration').selectOption({ label: QUICKSTART_INTEGRATION });
      await form.getByLabel('page.created').check();
      await form.getByLabel('URL').fill(hook.url);
      await form.getByLabel('URL').press('Enter');
      const item = page.getByRole('listitem', { name: `${hook.url} (${QUICKSTART_INTEGRATION})` });
      await item.getByText('Waiting for verification').waitFor();

      const [verification] = await hook.waitFor((b) => typeof b.verification_token === 'string');
      await item.getByLabel('Verification token').fill(String(verification!.verification_token));
      await item.getByLabel('Verification token').press('Enter');
      await item.getByText('Active', { exact: true }).waitFor();
      const listed = (await admin('GET', '/webhooks')) as unknown as {
        results: { id: string; url: string; status: string; event_types: string[] }[];
      };
      const sub = listed.results.find((s) => s.url === hook.url)!;
      expect(sub).toMatchObject({ status: 'active', event_types: ['page.created'] });

      // An SDK write is delivered, and the log shows it with the receiver's answer.
      const made = await sdk.pages.create({
        parent: { page_id: server.boot.created!.pageId },
        properties: { title: { title: [{ text: { content: 'Hooked' } }] } },
      });
      await hook.waitFor((b) => b.type === 'page.created' && (b.entity as { id: string }).id === made.id);
      await item.getByText('Delivery log').click();
      const row = item.getByTestId('delivery').filter({ hasText: 'page.created' });
      for (let i = 0; i < 40 && (await row.count()) === 0; i++) {
        await item.getByRole('button', { name: 'Refresh' }).click();
        await page.waitForTimeout(100);
      }
      await expect(row.first().textContent()).resolves.toContain('200');
      await row
        .first()
        .getByRole('button', { name: /^Replay page\.created/ })
        .click();
      await item.getByText('Replay queued').waitFor();
      const twice = await hook.waitFor(
        (b) => b.type === 'page.created' && (b.entity as { id: string }).id === made.id,
        2,
      );
      expect(twice[0]!.id).toBe(twice[1]!.id);
      const log = (await admin('GET', `/webhooks/${sub.id}/deliveries`)) as unknown as {
        results: { kind: string; status: string; response_status: number | null }[];
      };
      expect(log.results.some((d) => d.kind === 'replay' && d.response_status === 200)).toBe(true);

      await item.getByText('Change event types').click();
      const types = item.getByRole('form', { name: `Event types of ${hook.url}` });
      await types.getByLabel('page.moved').check();
      await types.getByRole('button', { name: 'Save event types' }).click();
      await item.getByText('page.created, page.moved').waitFor();
      expect((await admin('GET', `/webhooks/${sub.id}`)).event_types).toEqual(['page.created', 'page.moved']);

      await item.getByRole('button', { name: `Pause ${hook.url}` }).click();
      await item.getByText('Paused', { exact: true }).waitFor();
      expect((await admin('GET', `/webhooks/${sub.id}`)).status).toBe('paused');
      await item.getByRole('button', { name: `Delete ${hook.url}` }).click();
      await page.getByText('No subscriptions yet.').waitFor();
      // Focus goes to the list's heading, not back to the top of the page.
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Subscriptions');
      expect((await admin('GET', `/webhooks/${sub.id}`)).status).toBe(404);
    } finally {
      await hook.close();
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    expect(errors).toEqual([]);
  });

  it('automations: create from the form, a failed run, retry once shared, disable', async () => {
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: server.boot.created!.pageId },
      title: [{ type: 'text', text: { content: 'Leads' } }],
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as { id: string; data_sources: { id: string }[] };
    const lead = await sdk.pages.create({
      parent: { type: 'data_source_id', data_source_id: db.data_sources[0]!.id },
      properties: { Name: { title: [{ text: { content: 'Ada' } }] } },
    });
    await page.goto(`${server.url}/app/automations`);
    const form = page.getByRole('form', { name: 'New automation' });
    await form.getByLabel('Name').fill('Greeter');
    await form.getByLabel('When').selectOption('page_created');
    await form.getByLabel('Database').selectOption({ label: 'Leads' });
    await form.getByLabel('Comment').fill('Welcome {{trigger.page.properties.Name}}');
    await form.getByRole('button', { name: 'Create automation' }).click();
    const item = page.getByRole('listitem', { name: 'Greeter' });
    await item.getByText('Enabled').waitFor();
    expect(await item.textContent()).toContain('page created in Leads');

    // Its integration cannot see the row yet: the run fails and says why.
    await item.getByLabel('Page id to run on').fill(lead.id);
    await item.getByRole('button', { name: 'Run now' }).click();
    const runs = item.getByRole('list', { name: 'Runs of Greeter' });
    await runs.getByRole('listitem', { name: /: failed$/ }).waitFor();

    await server.store.transaction((tx) =>
      sharePage(tx, {
        pageId: server.boot.created!.pageId,
        integrationName: 'automation: Greeter',
        now: new Date().toISOString(),
      }),
    );
    await runs.getByRole('button', { name: 'Retry' }).click();
    const ok = runs.getByRole('listitem', { name: /: succeeded$/ });
    await ok.waitFor();
    expect(await ok.textContent()).toContain('add_comment');
    expect(await ok.textContent()).toContain('(retry)');
    await ok.getByText('Input and output').click();
    await ok.getByText('Welcome Ada').first().waitFor();
    const comments = await sdk.comments.list({ block_id: lead.id });
    expect(
      comments.results.map((c) => (c as { rich_text: { plain_text: string }[] }).rich_text[0]?.plain_text),
    ).toContain('Welcome Ada');

    await item.getByRole('button', { name: 'Disable Greeter' }).click();
    await item.getByText('Disabled').waitFor();
    const stored = (await admin('GET', '/automations/Greeter')) as { enabled?: boolean };
    expect(stored.enabled).toBe(false);
    await item.getByRole('button', { name: 'Delete Greeter' }).click();
    await page.getByText('No automations yet.').waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      'Automations of this workspace',
    );
    expect((await admin('GET', '/automations')).results).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the request log filters by status and integration; faults, snapshots and the clock work', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    await expect(sdk.pages.retrieve({ page_id: missing })).rejects.toMatchObject({ status: 404 });
    await page.goto(`${server.url}/app/requests`);
    const filters = page.getByRole('form', { name: 'Filter requests' });
    await filters.getByLabel('Status').fill('4xx');
    await filters.getByLabel('Integration').selectOption({ label: QUICKSTART_INTEGRATION });
    await filters.getByRole('button', { name: 'Filter' }).click();
    const rows = page.getByTestId('request');
    await rows
      .filter({ hasText: `/v1/pages/${missing}` })
      .first()
      .waitFor();
    for (const text of await rows.allTextContents()) expect(text).toMatch(/4\d\d/);

    // A fault rule added here answers the SDK's next request.
    const faults = page.getByRole('form', { name: 'Add a fault rule' });
    await faults.getByLabel('Route').fill('/v1/users/me');
    await faults.getByLabel('Answer').selectOption('503');
    await faults.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('list', { name: 'Rules in force' }).getByText('/v1/users/me').waitFor();
    await expect(sdk.users.me({})).rejects.toMatchObject({ status: 503 });
    expect((await sdk.users.me({})).type).toBe('bot');
    const rules = (await admin('GET', '/faults')) as unknown as { results: { fired: number }[] };
    expect(rules.results[0]!.fired).toBe(1);

    await page.getByLabel('Snapshot name').fill('before_demo');
    await page.getByRole('button', { name: 'Save snapshot' }).click();
    await page.getByRole('button', { name: 'Restore snapshot before_demo' }).waitFor();
    const snaps = (await admin('GET', '/snapshots')) as unknown as { results: { name: string }[] };
    expect(snaps.results.map((s) => s.name)).toContain('before_demo');

    const before = Date.parse(String((await admin('GET', '/clock')).time));
    await page.getByLabel('Advance by (90s, 2h, 3d)').fill('2d');
    await page.getByRole('button', { name: 'Advance' }).click();
    await page.getByText('(frozen)').or(page.getByText('(running)')).waitFor();
    await expect
      .poll(async () => Date.parse(String((await admin('GET', '/clock')).time)) - before)
      .toBeGreaterThanOrEqual(2 * 86_400_000);
    await page.getByRole('button', { name: 'Back to the system clock' }).click();
    await expect
      .poll(async () => Math.abs(Date.parse(String((await admin('GET', '/clock')).time)) - Date.now()))
      .toBeLessThan(60_000);
    expect(errors).toEqual([]);
  });
});
