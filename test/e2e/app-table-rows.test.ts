/*
 * The table view's rows, files and view settings in a real browser (Debian's Chromium via
 * playwright-core) against a running `octavo serve`, on both engines, each change read back
 * through the official SDK: a row made with "+ New row" and its title typed in place (under a
 * filter, taking the filter's select value); the filter and sorts saved into the view, and a
 * property hidden in it; a files cell given an uploaded image (shown as a thumbnail) and an
 * external link, and one of them removed; a view renamed, retyped (table to board) and deleted
 * from "View settings".
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import type { Client } from '@notionhq/client';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/main.ts';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, useBrowser } from '../helpers/web-suite.ts';

type Props = Record<string, Record<string, unknown> & { type: string }>;
type FileValue = { name: string; type: string; file?: { url: string }; external?: { url: string } };
type ViewObject = {
  id: string;
  name: string;
  type: string;
  filter?: Record<string, unknown> | null;
  sorts?: Record<string, unknown>[] | null;
  configuration?: { properties?: { property_id: string; visible?: boolean }[] } | null;
};

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 });

describeBrowser(
  'table rows test',
  'The table view’s new rows, files and view settings in Chromium',
  (engine) => {
    const suite = useBrowser(engine, { setupTimeout: 120_000 });
    let server: RunningServer;
    let page: Page;
    let sdk: Client;
    let databaseId: string;
    let dataSourceId: string;
    const ids: Record<string, string> = {};
    const errors = suite.errors;

    const text = (content: string) => [{ type: 'text' as const, text: { content } }];
    const rowProps = async (id: string) =>
      ((await sdk.pages.retrieve({ page_id: id })) as unknown as { properties: Props }).properties;
    const findRows = async (title: string) =>
      (
        await sdk.dataSources.query({
          data_source_id: dataSourceId,
          filter: { property: 'Name', title: { equals: title } },
        })
      ).results as unknown as { id: string; properties: Props }[];
    const views = async () =>
      Promise.all(
        (await sdk.views.list({ database_id: databaseId })).results.map(
          (v) => sdk.views.retrieve({ view_id: v.id }) as unknown as Promise<ViewObject>,
        ),
      );
    const rowOf = (title: string) =>
      page
        .locator('.db-table tbody tr')
        .filter({ has: page.getByRole('link', { name: title, exact: true }) });

    beforeAll(async () => {
      ({ server, sdk } = suite);
      const db = (await sdk.databases.create({
        parent: { type: 'page_id', page_id: server.boot.created!.pageId },
        title: text('Library'),
        initial_data_source: {
          properties: {
            Name: { title: {} },
            Shelf: { select: { options: [{ name: 'Fiction' }, { name: 'Poetry' }] } },
            Notes: { rich_text: {} },
            Attachments: { files: {} },
          },
        } as never,
      })) as unknown as { id: string; data_sources: { id: string }[] };
      databaseId = db.id;
      dataSourceId = db.data_sources[0]!.id;
      for (const [name, shelf] of [
        ['Odyssey', 'Poetry'],
        ['Emma', 'Fiction'],
      ] as const) {
        const p = await sdk.pages.create({
          parent: { type: 'data_source_id', data_source_id: dataSourceId },
          properties: { Name: { title: text(name) }, Shelf: { select: { name: shelf } } },
        } as never);
        ids[name] = p.id;
      }
      page = suite.page;
      page.on('dialog', (d) => {
        errors.push(`dialog: ${d.message()}`);
        d.dismiss().catch(() => undefined);
      });
      await page.goto(`${server.url}/app/p/${databaseId}`);
      await suite.signIn(await newPerson({ store: server.store }));
      await page.waitForURL(`**/app/p/${databaseId}`);
      await page.getByRole('table', { name: /Rows of Library/ }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: /^2 rows$/ })
        .waitFor();
    }, 120_000);

    it('adds a row from the table, its title typed in place; Escape drops an empty one', async () => {
      await page.getByRole('button', { name: '+ New row' }).click();
      const title = page.getByRole('textbox', { name: 'Title of the new row' });
      await poll(() => title.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Escape');
      await title.waitFor({ state: 'detached' });
      // The focus went back to the button: Enter opens a new row again.
      await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('+ New row');
      await page.keyboard.press('Enter');
      await title.fill('Middlemarch');
      await page.keyboard.press('Enter');
      await rowOf('Middlemarch').waitFor();
      await poll(async () => (await findRows('Middlemarch')).length).toBe(1);
      // Nothing was made for the dropped row.
      expect((await sdk.dataSources.query({ data_source_id: dataSourceId })).results).toHaveLength(3);
      expect(errors).toEqual([]);
    }, 90_000);

    it('makes a row under a filter with the filter’s value, and saves the filter into the view', async () => {
      const filter = page.getByRole('form', { name: 'Filter rows' });
      await filter.getByRole('button', { name: 'Add condition' }).click();
      const first = filter.getByRole('group', { name: 'Condition 1', exact: true });
      await first.getByLabel('Property').selectOption('Shelf');
      await first.getByLabel('Condition').selectOption('equals');
      await first.getByLabel('Value').fill('Poetry');
      await filter.getByRole('button', { name: 'Apply filter' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^1 row$/ })
        .waitFor();
      await page.getByRole('button', { name: '+ New row' }).click();
      await page.getByRole('textbox', { name: 'Title of the new row' }).fill('Leaves of Grass');
      await page.keyboard.press('Enter');
      await rowOf('Leaves of Grass').waitFor();
      await poll(async () => (await findRows('Leaves of Grass')).length).toBe(1);
      const [row] = await findRows('Leaves of Grass');
      expect((row!.properties.Shelf!.select as { name: string }).name).toBe('Poetry');

      // Save the filter (and a sort) into the view: the SDK reads them from the view.
      const sorts = page.getByRole('form', { name: 'Sort rows' });
      await sorts.getByRole('button', { name: 'Add sort' }).click();
      await sorts.getByLabel('Direction').selectOption('descending');
      await page.getByRole('button', { name: 'Save filter and sorts to view' }).click();
      await page.getByRole('status').filter({ hasText: 'saved to the view' }).waitFor();
      const [view] = await views();
      const shelfId = (await rowProps(ids.Odyssey!)).Shelf!.id as string;
      expect(view!.filter).toEqual({ property: shelfId, select: { equals: 'Poetry' } });
      expect(view!.sorts).toEqual([{ property: 'title', direction: 'descending' }]);
      expect(await page.getByRole('button', { name: 'Save filter and sorts to view' }).count()).toBe(0);

      // A new visit starts from the saved filter.
      await page.reload();
      await rowOf('Leaves of Grass').waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: /^2 rows$/ })
        .waitFor();
      await page.getByRole('button', { name: 'Clear filter' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^4 rows$/ })
        .waitFor();
      // Saving the cleared filter and no sorts clears them in the view.
      const sortForm = page.getByRole('form', { name: 'Sort rows' });
      await sortForm.getByRole('button', { name: 'Remove sort 1' }).click();
      await page.getByRole('button', { name: 'Save filter and sorts to view' }).click();
      await poll(async () => (await views())[0]!.filter ?? null).toBeNull();
      expect((await views())[0]!.sorts ?? null).toBeNull();
      expect(errors).toEqual([]);
    }, 90_000);

    it('hides a property and keeps it hidden in the view', async () => {
      const shown = page.getByRole('group', { name: 'Shown properties' });
      await shown.getByRole('checkbox', { name: 'Notes' }).uncheck();
      await page.getByRole('button', { name: 'Edit property Notes' }).waitFor({ state: 'detached' });
      const notesId = (await rowProps(ids.Odyssey!)).Notes!.id as string;
      await poll(
        async () =>
          (await views())[0]!.configuration?.properties?.find((p) => p.property_id === notesId)?.visible,
      ).toBe(false);
      await page.reload();
      await rowOf('Odyssey').waitFor();
      expect(await page.getByRole('button', { name: 'Edit property Notes' }).count()).toBe(0);
      await page
        .getByRole('group', { name: 'Shown properties' })
        .getByRole('checkbox', { name: 'Notes' })
        .check();
      await page.getByRole('button', { name: 'Edit property Notes' }).waitFor();
      await poll(
        async () =>
          (await views())[0]!.configuration?.properties?.find((p) => p.property_id === notesId)?.visible,
      ).toBe(true);
    }, 90_000);

    it('adds an uploaded image and a link to a files cell, and removes one', async () => {
      const files = async () => ((await rowProps(ids.Emma!)).Attachments!.files as FileValue[]).map((f) => f);
      await page.getByRole('button', { name: 'Edit Attachments of Emma' }).click();
      const editor = page.getByRole('group', { name: 'Attachments of Emma' });
      await editor
        .getByLabel('Upload a file')
        .setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: PNG });
      await editor.getByRole('status').filter({ hasText: 'cover.png was added.' }).waitFor();
      await poll(async () => (await files()).map((f) => [f.name, f.type])).toEqual([['cover.png', 'file']]);
      // The image shows as a thumbnail in the cell, linking to the file.
      const thumb = rowOf('Emma').locator('td[data-type="files"] img.file-thumb');
      await poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);

      await editor.getByLabel('Link URL').fill('https://example.com/emma-notes.pdf');
      await editor.getByLabel('Link name').fill('Notes PDF');
      await editor.getByRole('button', { name: 'Add link' }).click();
      await editor.getByRole('status').filter({ hasText: 'Notes PDF was added.' }).waitFor();
      await poll(async () => (await files()).map((f) => [f.name, f.type])).toEqual([
        ['cover.png', 'file'],
        ['Notes PDF', 'external'],
      ]);
      expect((await files())[1]!.external!.url).toBe('https://example.com/emma-notes.pdf');
      expect(await rowOf('Emma').getByRole('link', { name: 'Notes PDF' }).getAttribute('href')).toBe(
        'https://example.com/emma-notes.pdf',
      );

      await editor.getByRole('button', { name: 'Remove cover.png' }).click();
      await editor.getByRole('status').filter({ hasText: 'cover.png was removed.' }).waitFor();
      await poll(async () => (await files()).map((f) => f.name)).toEqual(['Notes PDF']);
      // Escape (from inside the editor) closes it.
      await editor.getByLabel('Link URL').press('Escape');
      await editor.waitFor({ state: 'detached' });
      expect(await thumb.count()).toBe(0);
      expect(errors).toEqual([]);
    }, 90_000);

    it('renames a view, turns it into a board, and deletes a view', async () => {
      const bar = page.getByRole('navigation', { name: 'Views of Library' });
      await page.getByRole('button', { name: 'View settings' }).click();
      let form = page.getByRole('form', { name: /Settings of view/ });
      await form.getByLabel('View name').fill('All books');
      await form.getByRole('button', { name: 'Save view' }).click();
      await poll(() => bar.getByRole('link').allTextContents()).toEqual(['Table: All books']);
      expect((await views()).map((v) => [v.name, v.type])).toEqual([['All books', 'table']]);

      // A second view, then the first becomes a board (made again in its place: same name).
      await page.getByRole('button', { name: '+ Add view' }).click();
      const add = page.getByRole('form', { name: 'New view' });
      await add.getByLabel('Type').selectOption('list');
      await add.getByLabel('View name').fill('Reading list');
      await add.getByRole('button', { name: 'Create view' }).click();
      await poll(() => bar.getByRole('link', { name: /Reading list/ }).getAttribute('aria-current')).toBe(
        'page',
      );
      await bar.getByRole('link', { name: /All books/ }).click();
      await page.getByRole('table', { name: /Rows of Library/ }).waitFor();
      await page.getByRole('button', { name: 'View settings' }).click();
      form = page.getByRole('form', { name: /Settings of view/ });
      await form.getByLabel('View type').selectOption('board');
      await form.getByRole('button', { name: 'Save view' }).click();
      await poll(() => bar.getByRole('link').allTextContents()).toEqual([
        'Board: All books',
        'List: Reading list',
      ]);
      await poll(() => bar.getByRole('link', { name: /All books/ }).getAttribute('aria-current')).toBe(
        'page',
      );
      await page.locator('[data-group="option:Poetry"]').getByText('Odyssey').waitFor();
      expect((await views()).map((v) => [v.name, v.type])).toEqual([
        ['All books', 'board'],
        ['Reading list', 'list'],
      ]);

      // Delete, after a confirmation: the next view shows.
      await page.getByRole('button', { name: 'View settings' }).click();
      form = page.getByRole('form', { name: /Settings of view/ });
      await form.getByRole('button', { name: 'Delete view' }).click();
      await form.getByRole('button', { name: 'Keep it' }).click();
      expect(await views()).toHaveLength(2);
      await form.getByRole('button', { name: 'Delete view' }).click();
      await form.getByRole('button', { name: 'Confirm delete view' }).click();
      await poll(async () => (await views()).map((v) => v.name)).toEqual(['Reading list']);
      await poll(() => bar.getByRole('link').allTextContents()).toEqual(['List: Reading list']);
      expect(errors).toEqual([]);
    }, 90_000);
  },
);
