/*
 * The browser app's table view in a real browser (Debian's Chromium via playwright-core) against
 * a running `octavo serve`, on both engines: a database whose rows were made through the official
 * SDK opens as a table (100 rows, then "Load more"), sorts by a number column, filters, edits
 * cells (read back through the SDK), and a row's title opens the row with its properties; the
 * first view's sort and filter are the table's defaults. Opening the database (by its id or its
 * data source's) logs no error and gets no 404: what the id is comes from /app/api/kinds, and no
 * block endpoint is asked.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import type { ConsoleMessage, Request, Response } from 'playwright-core';
import { expect, it } from 'vitest';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, eventually, useBrowser } from '../helpers/web-suite.ts';

const ROWS = 101;
const rowName = (i: number) => `Row ${String(i).padStart(3, '0')}`;

describeBrowser('browser table view test', 'The browser app’s table view in Chromium', (engine) => {
  let databaseId: string;
  let dataSourceId: string;
  const rowIds: string[] = [];
  const suite = useBrowser(engine, {
    setupTimeout: 120_000,
    setup: async (web) => {
      const db = (await web.sdk.databases.create({
        parent: { type: 'page_id', page_id: web.rootPageId },
        title: [{ type: 'text', text: { content: 'Scores' } }],
        initial_data_source: {
          properties: {
            Name: { title: {} },
            Score: { number: {} },
            Done: { checkbox: {} },
            Kind: { select: { options: [{ name: 'Odd' }, { name: 'Even' }] } },
            Note: { rich_text: {} },
            Date: { date: {} },
          },
        },
      })) as unknown as { id: string; data_sources: { id: string }[] };
      databaseId = db.id;
      dataSourceId = db.data_sources[0]!.id;
      for (let start = 0; start < ROWS; start += 10) {
        const made = await Promise.all(
          Array.from({ length: Math.min(10, ROWS - start) }, (_, k) => {
            const i = start + k;
            return web.sdk.pages.create({
              parent: { type: 'data_source_id', data_source_id: dataSourceId },
              properties: {
                Name: { title: [{ type: 'text', text: { content: rowName(i) } }] },
                Score: { number: i },
                Kind: { select: { name: i % 2 ? 'Odd' : 'Even' } },
              },
            } as never);
          }),
        );
        rowIds.push(...made.map((p) => p.id));
      }
    },
  });

  const bodyRows = () => suite.page.locator('.db-table tbody tr');
  const firstTitles = (n: number) =>
    bodyRows()
      .locator('th a')
      .evaluateAll((as, n) => as.slice(0, n).map((a) => a.textContent), n);

  it('shows the rows 100 at a time, sorts by a number column and filters', async () => {
    const { server, page, errors } = suite;
    const person = await newPerson({ store: server.store });
    // Opening a database asks the endpoints that serve it: no 404, no error in the console.
    const logged: string[] = [];
    const onConsole = (m: ConsoleMessage) => {
      if (m.type() === 'error') logged.push(`console: ${m.text()} ${m.location().url}`);
    };
    const onResponse = (r: Response) => {
      if (r.status() >= 400) logged.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    };
    // What each id is, asked of /app/api/kinds once per load; never of the block endpoints (a
    // data source's id is not a block there).
    const asked: string[] = [];
    const onRequest = (r: Request) => {
      const path = new URL(r.url()).pathname;
      if (path.includes(databaseId) || path.includes(dataSourceId)) asked.push(`${r.method()} ${path}`);
    };
    page.on('console', onConsole);
    page.on('response', onResponse);
    page.on('request', onRequest);
    await page.goto(`${server.url}/app/p/${databaseId}`);
    await suite.signIn(person);
    await page.waitForURL(`**/app/p/${databaseId}`);
    await page.getByRole('heading', { name: 'Scores' }).waitFor();
    const table = page.getByRole('table', { name: /Rows of Scores/ });
    await table.waitFor();
    await page.getByRole('status').filter({ hasText: '100 rows shown' }).waitFor();
    // By its data source's id too (a row's parent), then by the database's again.
    await page.goto(`${server.url}/app/p/${dataSourceId}`);
    await table.waitFor();
    await page.getByRole('status').filter({ hasText: '100 rows shown' }).waitFor();
    await page.goto(`${server.url}/app/p/${databaseId}`);
    await table.waitFor();
    page.off('console', onConsole);
    page.off('response', onResponse);
    page.off('request', onRequest);
    expect(logged).toEqual([]);
    expect(asked.filter((r) => r.includes('/v1/blocks/'))).toEqual([]);
    expect(asked.filter((r) => r.includes('/app/api/kinds/'))).toEqual([
      `GET /app/api/kinds/${databaseId}`,
      `GET /app/api/kinds/${dataSourceId}`,
      `GET /app/api/kinds/${databaseId}`,
    ]);
    // Title first, then the schema's properties.
    const headers = await table.locator('thead th .sort-button').allTextContents();
    expect(headers[0]).toBe('Name');
    expect([...headers].sort()).toEqual(['Date', 'Done', 'Kind', 'Name', 'Note', 'Score']);
    await page.getByRole('status').filter({ hasText: '100 rows shown' }).waitFor();
    // Only the rows in and near the scrolled window are in the page (virtualized).
    const rendered = await bodyRows().locator('th[scope="row"]').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect(await bodyRows().first().getAttribute('aria-rowindex')).toBe('2');
    // Scrolling to the end renders the last rows and fetches the next page by cursor.
    await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page
      .getByRole('status')
      .filter({ hasText: `${ROWS} rows` })
      .waitFor();
    await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.locator(`.db-table tbody tr[aria-rowindex="${ROWS + 1}"]`).waitFor();
    expect(await bodyRows().locator('th[scope="row"]').count()).toBeLessThan(60);
    await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, 0));

    // Sort: ascending, then descending, by Score.
    const scoreHeader = table.locator('thead th').filter({ hasText: 'Score' });
    await scoreHeader.getByRole('button', { name: 'Score', exact: true }).click();
    await expect.poll(() => scoreHeader.getAttribute('aria-sort')).toBe('ascending');
    await expect.poll(() => firstTitles(2)).toEqual([rowName(0), rowName(1)]);
    await scoreHeader.getByRole('button', { name: 'Score', exact: true }).click();
    await expect.poll(() => scoreHeader.getAttribute('aria-sort')).toBe('descending');
    await expect.poll(() => firstTitles(3)).toEqual([rowName(100), rowName(99), rowName(98)]);
    // The row of Score 97 shows its cells by type.
    const row97 = bodyRows().filter({ has: page.getByRole('link', { name: rowName(97), exact: true }) });
    await page.getByRole('status').filter({ hasText: '100 rows shown' }).waitFor();
    expect(await row97.locator('td[data-type="number"] .cell-value').textContent()).toBe('97');
    expect(await row97.locator('td[data-type="select"] .cell-value').textContent()).toBe('Odd');

    // Filter: Score greater than 97 (sorted descending still).
    const filter = page.getByRole('form', { name: 'Filter rows' });
    await filter.getByRole('button', { name: 'Add condition' }).click();
    const first = filter.getByRole('group', { name: 'Condition 1', exact: true });
    await first.getByLabel('Property').selectOption('Score');
    await first.getByLabel('Condition').selectOption('greater_than');
    await first.getByLabel('Value').fill('97');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^3 rows$/ })
      .waitFor();
    expect(await firstTitles(3)).toEqual([rowName(100), rowName(99), rowName(98)]);
    // A text filter on the select.
    await first.getByLabel('Property').selectOption('Kind');
    await first.getByLabel('Condition').selectOption('equals');
    await first.getByLabel('Value').fill('Even');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^51 rows$/ })
      .waitFor();
    // Two conditions joined by "or", then by "and", and a group inside.
    await filter.getByRole('button', { name: 'Add condition' }).click();
    const second = filter.getByRole('group', { name: 'Condition 2', exact: true });
    await second.getByLabel('Property').selectOption('Score');
    await second.getByLabel('Condition').selectOption('less_than');
    await second.getByLabel('Value').fill('3');
    await filter.getByLabel('Match', { exact: true }).selectOption('or');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    // 51 even scores, or 1 (the odd one under 3).
    await page
      .getByRole('status')
      .filter({ hasText: /^52 rows$/ })
      .waitFor();
    await filter.getByLabel('Match', { exact: true }).selectOption('and');
    await filter.getByRole('button', { name: 'Add group' }).click();
    const group = filter.getByRole('group', { name: 'Group 3', exact: true });
    await group.getByLabel('Property').selectOption('Score');
    await group.getByLabel('Condition').selectOption('equals');
    await group.getByLabel('Value').fill('0');
    await group.getByRole('button', { name: 'Add condition to Group 3' }).click();
    const inner = group.getByRole('group', { name: 'Group 3 condition 2', exact: true });
    await inner.getByLabel('Property').selectOption('Score');
    await inner.getByLabel('Condition').selectOption('equals');
    await inner.getByLabel('Value').fill('2');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    // Even and under 3 and (0 or 2).
    await page
      .getByRole('status')
      .filter({ hasText: /^2 rows$/ })
      .waitFor();
    expect(await firstTitles(2)).toEqual([rowName(2), rowName(0)]);
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await page.getByRole('status').filter({ hasText: '100 rows shown' }).waitFor();

    // Several sort keys: Kind ascending (Even first), then Score descending.
    const sorts = page.getByRole('form', { name: 'Sort rows' });
    await sorts
      .getByRole('group', { name: 'Sort 1', exact: true })
      .getByLabel('Sort by')
      .selectOption('Kind');
    await sorts
      .getByRole('group', { name: 'Sort 1', exact: true })
      .getByLabel('Direction')
      .selectOption('ascending');
    await sorts.getByRole('button', { name: 'Add sort' }).click();
    await sorts
      .getByRole('group', { name: 'Sort 2', exact: true })
      .getByLabel('Sort by')
      .selectOption('Score');
    await sorts
      .getByRole('group', { name: 'Sort 2', exact: true })
      .getByLabel('Direction')
      .selectOption('descending');
    // Whichever option sorts first, its rows come by descending score.
    await expect
      .poll(() => firstTitles(3))
      .toSatisfy((t: (string | null)[]) =>
        [
          [rowName(100), rowName(98), rowName(96)],
          [rowName(99), rowName(97), rowName(95)],
        ].some((want) => want.join() === t.join()),
      );
    await sorts.getByRole('button', { name: 'Remove sort 1' }).click();
    await expect.poll(() => firstTitles(3)).toEqual([rowName(100), rowName(99), rowName(98)]);
    await page.getByRole('status').filter({ hasText: '100 rows shown' }).waitFor();
    expect(errors).toEqual([]);
  }, 90_000);

  it('edits cells (read back through the SDK) and opens a row as a page with its properties', async () => {
    const { page, sdk, errors } = suite;
    const props = async (id: string) =>
      (
        (await sdk.pages.retrieve({ page_id: id })) as unknown as {
          properties: Record<string, Record<string, unknown>>;
        }
      ).properties;
    const row = bodyRows().filter({ has: page.getByRole('link', { name: rowName(99), exact: true }) });
    // Number, by keyboard: the Edit button, type, Enter.
    await page.getByRole('button', { name: `Edit Score of ${rowName(99)}` }).click();
    const field = page.getByRole('spinbutton', { name: `Score of ${rowName(99)}` });
    await field.fill('12.5');
    await field.press('Enter');
    await expect.poll(() => row.locator('td[data-type="number"] .cell-value').textContent()).toBe('12.5');
    expect(
      (
        await eventually(
          () => props(rowIds[99]!),
          (p) => p.Score!.number === 12.5,
        )
      ).Score!.number,
    ).toBe(12.5);
    // Checkbox.
    await page.getByRole('checkbox', { name: `Done of ${rowName(99)}` }).check();
    expect(
      (
        await eventually(
          () => props(rowIds[99]!),
          (p) => p.Done!.checkbox === true,
        )
      ).Done!.checkbox,
    ).toBe(true);
    // Rich text, then the title.
    await page.getByRole('button', { name: `Edit Note of ${rowName(99)}` }).click();
    await page.getByRole('textbox', { name: `Note of ${rowName(99)}` }).fill('Nearly there');
    await page.getByRole('textbox', { name: `Note of ${rowName(99)}` }).press('Enter');
    await page.getByRole('button', { name: `Edit Name of ${rowName(99)}` }).click();
    await page.getByRole('textbox', { name: `Name of ${rowName(99)}` }).fill('Ninety-nine');
    await page.getByRole('textbox', { name: `Name of ${rowName(99)}` }).press('Enter');
    await page.getByRole('link', { name: 'Ninety-nine', exact: true }).waitFor();
    const text = (v: Record<string, unknown>, type: string) =>
      ((v[type] as { plain_text: string }[]) ?? []).map((t) => t.plain_text).join('');
    const after = await eventually(
      () => props(rowIds[99]!),
      (p) => text(p.Note!, 'rich_text') === 'Nearly there' && text(p.Name!, 'title') === 'Ninety-nine',
    );
    expect(text(after.Note!, 'rich_text')).toBe('Nearly there');
    expect(text(after.Name!, 'title')).toBe('Ninety-nine');

    // Select (from the schema's options) and date, on another row, by keyboard.
    await page.getByRole('button', { name: `Edit Kind of ${rowName(98)}` }).click();
    const kind = page.getByRole('combobox', { name: `Kind of ${rowName(98)}` });
    await kind.selectOption('Odd');
    await kind.press('Enter');
    await page.getByRole('button', { name: `Edit Date of ${rowName(98)}` }).focus();
    await page.keyboard.press('Enter');
    const date = page.getByRole('group', { name: `Date of ${rowName(98)}` }).getByLabel('Start');
    await date.fill('2026-03-04');
    await date.press('Enter');
    const row98 = await eventually(
      () => props(rowIds[98]!),
      (p) => (p.Kind!.select as { name: string } | null)?.name === 'Odd' && p.Date!.date !== null,
    );
    expect((row98.Kind!.select as { name: string }).name).toBe('Odd');
    expect((row98.Date!.date as { start: string }).start).toBe('2026-03-04');

    // A checkbox filter, the form's first value ("checked").
    const filter = page.getByRole('form', { name: 'Filter rows' });
    await filter.getByRole('button', { name: 'Add condition' }).click();
    await filter
      .getByRole('group', { name: 'Condition 1', exact: true })
      .getByLabel('Property')
      .selectOption('Done');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^1 row$/ })
      .waitFor();
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await page.getByRole('status').filter({ hasText: '100 rows shown' }).waitFor();

    // The row opens as a page, its properties above its content (found by a title filter: with
    // Score 12.5 it sorts far below the rows rendered).
    await filter.getByRole('button', { name: 'Add condition' }).click();
    await filter.getByRole('group', { name: 'Condition 1', exact: true }).getByLabel('Value').fill('Ninety');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^1 row$/ })
      .waitFor();
    await page.getByRole('link', { name: 'Ninety-nine', exact: true }).click();
    await page.waitForURL(`**/app/p/${rowIds[99]}`);
    await page.getByRole('textbox', { name: 'Page title' }).waitFor();
    await page.getByLabel('Properties').getByText('Nearly there').waitFor();
    expect(await page.getByRole('textbox', { name: 'Page title' }).inputValue()).toBe('Ninety-nine');
    // Breadcrumbs lead back to the database inside the app.
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Scores' }).click();
    await page.waitForURL(`**/app/p/${dataSourceId}`);
    await page.getByRole('table', { name: /Rows of Scores/ }).waitFor();
    expect(errors).toEqual([]);
  }, 90_000);

  it('starts from the first table view’s sort and filter', async () => {
    const { server, page, sdk, errors } = suite;
    // The first view (a database is made with one) gets a sort and a filter.
    const body = {
      sorts: [{ property: 'Score', direction: 'descending' }],
      filter: { property: 'Kind', select: { equals: 'Odd' } },
    };
    const views = await sdk.request<{ results: { id: string }[] }>({
      path: 'views',
      method: 'get',
      query: { data_source_id: dataSourceId },
    });
    const first = views.results[0];
    if (first) await sdk.request({ path: `views/${first.id}`, method: 'patch', body });
    else
      await sdk.request({
        path: 'views',
        method: 'post',
        body: {
          data_source_id: dataSourceId,
          database_id: databaseId,
          name: 'Odd ones',
          type: 'table',
          ...body,
        },
      });
    await page.goto(`${server.url}/app/p/${databaseId}`);
    // Row 099 was renamed and scored 12.5 above, Row 098 made Odd: 51 odd rows, Row 098 first.
    await page
      .getByRole('status')
      .filter({ hasText: /^51 rows$/ })
      .waitFor();
    expect(await firstTitles(2)).toEqual([rowName(98), rowName(97)]);
    const scoreHeader = page.locator('.db-table thead th').filter({ hasText: 'Score' });
    expect(await scoreHeader.getAttribute('aria-sort')).toBe('descending');
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await page.getByRole('status').filter({ hasText: '100 rows shown' }).waitFor();
    expect(errors).toEqual([]);
  }, 60_000);
});
