/*
 * The table view scrolled to the end of a data source of 1,500 rows in a real browser (Debian's
 * Chromium via playwright-core), on both engines, with every row query held back 150 ms so that
 * the scroll keeps reaching the bottom of what is loaded while a page is on its way (what a large
 * table on a busy server does): every page is asked for once, by the cursor the previous answer
 * gave, and the scroll reaches the last row. Before the fix in table.tsx (`useRowPages` reading
 * the latest cursor), a stale effect asked again for the page just appended, and scrolled to the
 * bottom the table stopped asking (the stalled 100,000-row Postgres benchmark). The order is
 * read back through the official SDK.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import { expect, it } from 'vitest';
import { importRows } from '../../src/ops/bulk-rows.ts';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, useBrowser } from '../helpers/web-suite.ts';

const ROWS = 1500;
const ROW_HEIGHT = 34; // table.tsx ROW_HEIGHT

describeBrowser('table scroll test', 'The table view scrolled to its last row in Chromium', (engine) => {
  let databaseId: string;
  let dataSourceId: string;
  const suite = useBrowser(engine, {
    setupTimeout: 120_000,
    setup: async (web) => {
      const db = (await web.sdk.databases.create({
        parent: { type: 'page_id', page_id: web.rootPageId },
        title: [{ type: 'text', text: { content: 'Long list' } }],
        initial_data_source: { properties: { Name: { title: {} }, N: { number: {} } } },
      })) as unknown as { id: string; data_sources: { id: string }[] };
      databaseId = db.id;
      dataSourceId = db.data_sources[0]!.id;
      const lines = Array.from({ length: ROWS }, (_, i) => ({
        line: i + 1,
        body: {
          properties: {
            Name: { title: [{ type: 'text', text: { content: `Item ${i}` } }] },
            N: { number: i },
          },
        },
      }));
      // Batches of 500: the rows share three creation times, so page_id breaks most ties.
      await importRows(web.server.store, lines, { dataSourceId, batchSize: 500 });
    },
  });

  it('asks for every page once and scrolls to the last row while pages arrive late', async () => {
    const { server, page, errors } = suite;
    const person = await newPerson({ store: server.store });
    await page.goto(`${server.url}/app`);
    await suite.signIn(person);
    await page.getByRole('navigation', { name: 'Workspace' }).waitFor();

    const cursors: (string | null)[] = [];
    await page.route('**/v1/data_sources/*/query', async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}') as { start_cursor?: string };
      cursors.push(body.start_cursor ?? null);
      await new Promise((r) => setTimeout(r, 150));
      await route.continue();
    });
    await page.goto(`${server.url}/app/p/${databaseId}`);
    await page.locator('.db-table tbody th[scope="row"] a').first().waitFor();

    // Down by five rows a frame until the last row is scrolled to, or nothing moved for 20 s.
    const end = await page.evaluate(
      async ({ rows, rowHeight }) => {
        const box = document.querySelector<HTMLElement>('.table-scroll')!;
        return new Promise<{ row: number; stalled: boolean }>((done) => {
          let top = -1;
          let movedAt = performance.now();
          const frame = (now: number) => {
            const row = Math.floor(box.scrollTop / rowHeight);
            if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1 && row >= rows - 40)
              return done({ row, stalled: false });
            if (box.scrollTop !== top) {
              top = box.scrollTop;
              movedAt = now;
            } else if (now - movedAt > 20_000) return done({ row, stalled: true });
            box.scrollTop += 5 * rowHeight;
            requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        });
      },
      { rows: ROWS, rowHeight: ROW_HEIGHT },
    );
    expect(end.stalled).toBe(false);
    await page
      .getByRole('status')
      .filter({ hasText: `${ROWS} rows` })
      .waitFor();
    await page.locator(`.db-table tbody tr[aria-rowindex="${ROWS + 1}"]`).waitFor();

    // One first page, then each page once, by the cursor of the answer before it: the API's.
    const byCursor = cursors.filter((c) => c !== null);
    expect(cursors.filter((c) => c === null)).toHaveLength(1);
    expect(new Set(byCursor).size).toBe(byCursor.length);
    const expected: string[] = [];
    let next: string | null = null;
    let lastTitle = '';
    do {
      const res = await suite.sdk.dataSources.query({
        data_source_id: dataSourceId,
        page_size: 100,
        ...(next ? { start_cursor: next } : {}),
      });
      if (res.next_cursor) expected.push(res.next_cursor);
      next = res.next_cursor;
      const row = res.results.at(-1) as unknown as {
        properties: { Name: { title: { plain_text: string }[] } };
      };
      lastTitle = row.properties.Name.title.map((t) => t.plain_text).join('');
    } while (next);
    expect(byCursor).toEqual(expected);
    // The last row shown is the API's last row.
    const last = page.locator(`.db-table tbody tr[aria-rowindex="${ROWS + 1}"] th a`);
    expect(await last.textContent()).toBe(lastTitle);
    await page.unroute('**/v1/data_sources/*/query');
    expect(errors).toEqual([]);
  }, 180_000);
});
