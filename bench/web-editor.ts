/**
 * The browser app's editor on a page of 1,000 blocks, in Debian's Chromium (playwright-core):
 * - interactive: from navigation to /app/p/<id> until the editor shows the page's last block
 *   and accepts focus (median of BENCH_RUNS, default 5);
 * - typing latency: keydown to the frame after the editor's DOM changed, for 60 characters
 *   typed at the end of the page (median and 95th percentile).
 *
 *   node bench/web-editor.ts            (SQLite in memory; BENCH_ENGINE=postgres for Postgres)
 *
 * Server and browser share this machine's cores.
 */
import { loadavg } from 'node:os';
import { Client } from '@notionhq/client';
import { loadConfig } from '../src/config.ts';
import { hashPassword } from '../src/lib/password.ts';
import { startServer } from '../src/main.ts';
import { createPersonWithPassword } from '../src/ops/accounts.ts';
import { dropPostgresSchema } from '../src/store/connect.ts';
import { ensureWebBundle } from '../src/web/bundle.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { PG_URL } from './common.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const engine = process.env.BENCH_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
const schema = `octavo_bench_web_${process.pid}`;

await ensureWebBundle();
const env: Record<string, string> = { OCTAVO_JOBS: 'off' };
if (engine === 'postgres') Object.assign(env, { DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema });
const server = await startServer(loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off' }, env));
const sdk = new Client({ baseUrl: server.url, auth: server.boot.created!.token });
const page = await sdk.pages.create({
  parent: { page_id: server.boot.created!.pageId },
  properties: { title: { title: [{ type: 'text', text: { content: 'A thousand blocks' } }] } },
});
const kinds = ['paragraph', 'bulleted_list_item', 'to_do', 'heading_3', 'quote'] as const;
for (let batch = 0; batch < 10; batch++) {
  await sdk.blocks.children.append({
    block_id: page.id,
    children: Array.from({ length: 100 }, (_, i) => {
      const n = batch * 100 + i + 1;
      const type = kinds[n % kinds.length]!;
      return { [type]: { rich_text: [{ type: 'text', text: { content: `Block number ${n}` } }] } };
    }) as never,
  });
}
const passwordHash = await hashPassword('bench password 1', { logN: 10, r: 8, p: 1 });
await server.store.transaction((tx) =>
  createPersonWithPassword(tx, {
    name: 'Bench',
    email: 'bench@example.com',
    passwordHash,
    now: new Date().toISOString(),
  }),
);

const browser = await launchChromium();
const tab = await browser.context.newPage();
await tab.goto(`${server.url}/sign-in?next=/app`);
await tab.getByLabel('Email').fill('bench@example.com');
await tab.getByLabel('Password').fill('bench password 1');
await tab.getByRole('button', { name: 'Sign in' }).click();
await tab.waitForURL('**/app');

const interactive: number[] = [];
for (let run = 0; run < RUNS; run++) {
  await tab.goto(`${server.url}/app`);
  await tab.getByRole('navigation', { name: 'Workspace' }).waitFor();
  const started = Date.now();
  await tab.goto(`${server.url}/app/p/${page.id}`);
  await tab.locator('.bn-editor').getByText('Block number 1000', { exact: true }).waitFor();
  await tab.locator('.bn-editor').focus();
  interactive.push(Date.now() - started);
}

await tab.locator('.bn-editor').getByText('Block number 1000', { exact: true }).click();
await tab.keyboard.press('End');
await tab.evaluate(() => {
  const w = window as unknown as { lat: number[] };
  w.lat = [];
  let t0 = 0;
  document.addEventListener('keydown', () => (t0 = performance.now()), true);
  new MutationObserver(() => {
    if (!t0) return;
    const start = t0;
    t0 = 0;
    requestAnimationFrame(() => w.lat.push(performance.now() - start));
  }).observe(document.querySelector('.bn-editor')!, { subtree: true, characterData: true, childList: true });
});
for (let i = 0; i < 60; i++) {
  await tab.keyboard.type(String.fromCharCode(97 + (i % 26)));
  await tab.waitForTimeout(30);
}
const typing = (await tab.evaluate(() => (window as unknown as { lat: number[] }).lat)).sort((a, b) => a - b);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `engine: ${engine}; load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `interactive after navigation (ms, ${RUNS} runs): ${interactive.join(', ')}; median ${median(interactive)}`,
);
console.log(
  `typing latency (ms, ${typing.length} keys): median ${median(typing).toFixed(1)}, p95 ${typing[Math.floor(typing.length * 0.95)]!.toFixed(1)}, max ${typing.at(-1)!.toFixed(1)}`,
);
await browser.close();
await server.close();
if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
