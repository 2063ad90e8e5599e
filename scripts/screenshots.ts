/**
 * `node scripts/screenshots.ts`: refreshes the screenshots of the browser app in docs/screenshots/
 * (the editor at laptop and phone width, a database's board view; the Integrations, Webhooks,
 * Automations and Request log screens at laptop width, the Webhooks screen at phone width). Starts an in-memory
 * server, writes a sample page and database through the SDK, signs a person in in Debian's
 * Chromium (/usr/bin/chromium) and captures. `--only board` (or `editor`, `screens`) refreshes
 * only those.
 * Emoji need a colour emoji font (`apt-get install fonts-noto-color-emoji`).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from '@notionhq/client';
import { createAutomation } from '../src/automations/runtime.ts';
import { loadConfig } from '../src/config.ts';
import { hashPassword } from '../src/lib/password.ts';
import { startServer } from '../src/main.ts';
import { createPersonWithPassword } from '../src/ops/accounts.ts';
import { QUICKSTART_INTEGRATION } from '../src/ops/workspace.ts';
import { ensureWebBundle } from '../src/web/bundle.ts';
import { createSubscription } from '../src/webhooks/subscriptions.ts';
import { launchChromium } from '../test/helpers/chromium.ts';

const OUT = resolve(import.meta.dirname, '..', 'docs', 'screenshots');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
const wanted = (name: 'editor' | 'board' | 'screens') => !only || only === name;
const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

await ensureWebBundle();
const server = await startServer(
  loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off' }, { OCTAVO_JOBS: 'off' }),
);
const sdk = new Client({ baseUrl: server.url, auth: server.boot.created!.token });
const trip = await sdk.pages.create({
  parent: { page_id: server.boot.created!.pageId },
  icon: { type: 'emoji', emoji: '🧭' },
  properties: { title: { title: rt('Trip to Lisbon') } },
  children: [
    { heading_1: { rich_text: rt('Packing') } },
    {
      bulleted_list_item: {
        rich_text: rt('Clothes'),
        children: [
          { bulleted_list_item: { rich_text: rt('Light jacket') } },
          { bulleted_list_item: { rich_text: rt('Walking shoes') } },
        ],
      },
    },
    { to_do: { rich_text: rt('Book the tram tour'), checked: true } },
    { to_do: { rich_text: rt('Reserve dinner in Alfama'), checked: false } },
    {
      callout: {
        rich_text: rt('Pastéis de nata: Manteigaria, not the queue at Belém.'),
        icon: { emoji: '💡' },
      },
    },
    { quote: { rich_text: rt('The best view is from Miradouro da Senhora do Monte.') } },
    { code: { language: 'javascript', rich_text: rt('const budget = days * 120;') } },
  ] as never,
});
for (const title of ['Day 1: Baixa', 'Day 2: Sintra', 'Day 3: Belém'])
  await sdk.pages.create({ parent: { page_id: trip.id }, properties: { title: { title: rt(title) } } });
const passwordHash = await hashPassword('screenshot password', { logN: 10, r: 8, p: 1 });
// An admin: the workspace screens (integrations, webhooks, …) are for admins.
await server.store.transaction(async (tx) => {
  const ada = await createPersonWithPassword(tx, {
    name: 'Ada',
    email: 'ada@example.com',
    passwordHash,
    now: new Date().toISOString(),
  });
  await tx.invitations.setRole(ada.id, 'admin');
});

const browser = await launchChromium();
const tab = await browser.context.newPage();
await tab.setViewportSize({ width: 1280, height: 800 });
await tab.goto(`${server.url}/sign-in?next=${encodeURIComponent(`/app/p/${trip.id}`)}`);
await tab.getByLabel('Email').fill('ada@example.com');
await tab.getByLabel('Password').fill('screenshot password');
await tab.getByRole('button', { name: 'Sign in' }).click();
await tab.locator('.bn-editor').getByText('Walking shoes').waitFor();
await tab.getByRole('button', { name: 'Expand Getting started' }).click();
await tab.getByRole('button', { name: 'Expand Trip to Lisbon' }).click();
await tab
  .getByRole('navigation', { name: 'Workspace' })
  .getByRole('link', { name: 'Day 2: Sintra' })
  .waitFor();
mkdirSync(OUT, { recursive: true });
if (wanted('editor')) {
  await tab.screenshot({ path: resolve(OUT, 'app-laptop.png') });
  await tab.setViewportSize({ width: 390, height: 760 });
  await tab.screenshot({ path: resolve(OUT, 'app-phone.png') });
  await tab.getByRole('button', { name: 'Menu' }).click();
  await tab.screenshot({ path: resolve(OUT, 'app-phone-menu.png') });
}
if (wanted('board')) {
  // A board view of a small task database (views.tsx, board.tsx).
  const stages = ['Planned', 'Booked', 'Done'];
  const db = (await sdk.databases.create({
    parent: { type: 'page_id', page_id: trip.id },
    title: rt('Trip tasks'),
    initial_data_source: {
      properties: {
        Task: { title: {} },
        Stage: { select: { options: stages.map((name) => ({ name })) } },
        Who: { rich_text: {} },
        When: { date: {} },
      },
    },
  })) as unknown as { id: string; data_sources: { id: string }[] };
  const source = db.data_sources[0]!.id;
  const tasks: [string, string | null, string, string][] = [
    ['Flights', 'Done', 'Ada', '2026-05-02'],
    ['Hotel in Alfama', 'Booked', 'Ada', '2026-05-03'],
    ['Tram 28 tour', 'Booked', 'Grace', '2026-05-04'],
    ['Sintra day trip', 'Planned', 'Grace', '2026-05-05'],
    ['Fado evening', 'Planned', 'Ada', '2026-05-06'],
    ['Souvenirs', null, 'Grace', '2026-05-07'],
  ];
  for (const [title, stage, who, when] of tasks) {
    await sdk.pages.create({
      parent: { type: 'data_source_id', data_source_id: source },
      properties: {
        Task: { title: rt(title) },
        ...(stage ? { Stage: { select: { name: stage } } } : {}),
        Who: { rich_text: rt(who) },
        When: { date: { start: when } },
      },
    } as never);
  }
  const board = await sdk.views.create({
    data_source_id: source,
    database_id: db.id,
    name: 'By stage',
    type: 'board',
    configuration: {
      type: 'board',
      group_by: { type: 'select', property_id: 'Stage', sort: { type: 'manual' } },
    },
  } as never);
  await tab.setViewportSize({ width: 1280, height: 800 });
  await tab.goto(`${server.url}/app/p/${db.id}?v=${board.id.replaceAll('-', '')}`);
  await tab.locator('[data-group="option:Booked"]').getByText('Tram 28 tour').waitFor();
  await tab.screenshot({ path: resolve(OUT, 'app-board.png') });
}
if (wanted('screens')) {
  // The platform screens, with a subscription and an automation to show.
  const tasks = (await sdk.databases.create({
    parent: { type: 'page_id', page_id: server.boot.created!.pageId },
    title: rt('Tasks'),
    initial_data_source: { properties: { Name: { title: {} } } },
  })) as { data_sources: { id: string }[] };
  await server.store.transaction(async (tx) => {
    const now = new Date();
    await createSubscription(tx, {
      integration: QUICKSTART_INTEGRATION,
      url: 'https://hooks.example.com/notion',
      eventTypes: ['page.created', 'page.properties_updated'],
      now: now.toISOString(),
    });
    await createAutomation(
      tx,
      {
        name: 'Welcome new tasks',
        trigger: { type: 'page_created', data_source_id: tasks.data_sources[0]!.id },
        actions: [{ type: 'add_comment', text: 'Thanks for adding {{trigger.page.properties.Name}}' }],
      },
      now,
    );
  });
  await sdk.search({ query: 'Lisbon' });
  await tab.setViewportSize({ width: 1280, height: 800 });
  for (const screen of ['integrations', 'webhooks', 'automations', 'requests']) {
    await tab.goto(`${server.url}/app/${screen}`);
    await tab.getByRole('heading', { level: 2 }).first().waitFor();
    await tab.waitForLoadState('networkidle');
    await tab.screenshot({ path: resolve(OUT, `app-${screen}.png`) });
  }
  await tab.setViewportSize({ width: 390, height: 760 });
  await tab.goto(`${server.url}/app/webhooks`);
  await tab.getByText('Waiting for verification').scrollIntoViewIfNeeded();
  await tab.screenshot({ path: resolve(OUT, 'app-webhooks-phone.png') });
}
await browser.close();
await server.close();
console.log(`Screenshots written to ${OUT}`);
