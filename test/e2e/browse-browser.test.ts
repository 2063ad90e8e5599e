/*
 * The read-only browser view in a real browser: Debian's Chromium driven by playwright-core opens
 * `/` of a running `octavo serve`, is sent to sign in, comes back, follows page links to a page
 * with nested blocks (opening a toggle) and to a database shown as a table of its rows.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import { expect, it } from 'vitest';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, useBrowser } from '../helpers/web-suite.ts';

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

describeBrowser('browser view test', 'Browsing pages in Chromium', (engine) => {
  const suite = useBrowser(engine);

  it('signs in, opens the home page, follows links to nested blocks and a database table', async () => {
    const { server, page, sdk } = suite;
    const person = await newPerson({ store: server.store });
    const notes = await sdk.pages.create({
      parent: { page_id: server.boot.created!.pageId },
      properties: { title: { title: rt('Browser notes') } },
    });
    await sdk.blocks.children.append({
      block_id: notes.id,
      children: [
        { heading_1: { rich_text: rt('Plans') } },
        {
          toggle: {
            rich_text: rt('More details'),
            children: [
              {
                bulleted_list_item: {
                  rich_text: rt('Outer item'),
                  children: [{ bulleted_list_item: { rich_text: rt('Inner item') } }],
                },
              },
            ],
          },
        },
        { to_do: { rich_text: rt('Ship it'), checked: true } },
      ] as never,
    });
    const db = await sdk.databases.create({
      parent: { page_id: notes.id },
      title: rt('Tasks'),
      initial_data_source: {
        properties: { Name: { title: {} }, Estimate: { number: {} }, Done: { checkbox: {} } },
      },
    } as never);
    const source = (db as unknown as { data_sources: { id: string }[] }).data_sources[0]!.id;
    for (const [name, estimate] of [
      ['Write tests', 3],
      ['Fix bugs', 5],
    ] as const)
      await sdk.pages.create({
        parent: { data_source_id: source },
        properties: { Name: { title: rt(name) }, Estimate: { number: estimate } },
      } as never);

    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await suite.signIn(person);
    await page.getByRole('heading', { name: 'This server' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByText(engine === 'postgres' ? 'PostgreSQL' : 'SQLite').count()).toBe(1);
    await page.getByRole('heading', { name: /Octavo Quickstart/ }).waitFor();

    await page.getByRole('link', { name: 'Getting started' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Getting started' }).waitFor();
    await page.getByRole('link', { name: 'Browser notes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Browser notes' }).waitFor();
    await page.getByRole('heading', { name: 'Plans' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Ship it' }).isChecked()).toBe(true);

    // The nested list is inside a closed toggle: hidden until it is opened.
    const inner = page.getByText('Inner item');
    expect(await inner.isVisible()).toBe(false);
    await page.getByText('More details').click();
    await inner.waitFor({ state: 'visible' });
    expect(await page.locator('details li li').textContent()).toBe('Inner item');

    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tasks' }).waitFor();
    const table = page.getByRole('table');
    const headers = await table.getByRole('columnheader').allTextContents();
    expect(headers).toEqual(['Name', 'Estimate', 'Done']);
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)));
    expect(rows.sort()).toEqual([
      ['Fix bugs', '5', ''],
      ['Write tests', '3', ''],
    ]);
    await table.getByRole('link', { name: 'Fix bugs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fix bugs' }).waitFor();
    await page.getByRole('rowheader', { name: 'Estimate' }).waitFor();
  }, 60_000);
});
