/*
 * A database's views in the browser app (Debian's Chromium via playwright-core) against a running
 * `octavo serve`, on both engines: the views made through the SDK are the switcher's links; a
 * board card dragged with the mouse and one moved with the keyboard are read back through the SDK
 * as the new select value, edited by the person; a card added in a column; a calendar view made
 * in the app shows a page the SDK wrote on its date, and a page made on a day has that date; the
 * list and gallery views show the pages (covers and first images) and open them, and a page the
 * SDK writes meanwhile appears in the open list.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import { beforeAll, expect, it } from 'vitest';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, eventually, useBrowser } from '../helpers/web-suite.ts';

/** Waits for a value as long as a loaded machine may need. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 });

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];
const localDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

type Props = Record<
  string,
  { type: string; select?: { name: string } | null; date?: { start: string } | null }
>;

describeBrowser(
  'browser views test',
  'The browser app’s board, list, gallery and calendar views in Chromium',
  (engine) => {
    const app = useBrowser(engine);
    let databaseId: string;
    let dataSourceId: string;
    let personId: string;
    const ids: Record<string, string> = {};
    const month = localDay(new Date()).slice(0, 7);

    const props = async (id: string) => {
      const p = (await app.sdk.pages.retrieve({ page_id: id })) as unknown as {
        properties: Props;
        last_edited_by: { id: string };
      };
      return p;
    };
    const stage = async (id: string) => (await props(id)).properties.Stage?.select?.name ?? null;
    const column = (label: string) =>
      app.page.locator(`[data-group="${label ? `option:${label}` : '__none__'}"]`);
    const card = (title: string) => app.page.locator('[data-card]').filter({ hasText: title });

    /** Makes a new person and signs them in from `path` (the sign-in page sends them back there). */
    const signIn = async (path: string) => {
      const person = await newPerson({ store: app.server.store });
      await app.page.goto(`${app.server.url}/sign-in?next=${encodeURIComponent(path)}`);
      await app.signIn(person);
      await app.page.waitForURL(`**${path}`);
      return person;
    };

    beforeAll(async () => {
      const { sdk } = app;
      const db = (await sdk.databases.create({
        parent: { type: 'page_id', page_id: app.rootPageId },
        title: rt('Tasks'),
        initial_data_source: {
          properties: {
            Name: { title: {} },
            Stage: { select: { options: [{ name: 'To do' }, { name: 'Doing' }, { name: 'Done' }] } },
            Due: { date: {} },
            Owner: { rich_text: {} },
          },
        },
      })) as unknown as { id: string; data_sources: { id: string }[] };
      databaseId = db.id;
      dataSourceId = db.data_sources[0]!.id;
      const parent = { type: 'data_source_id' as const, data_source_id: dataSourceId };
      const made = async (
        title: string,
        extra: Record<string, unknown> = {},
        more: Record<string, unknown> = {},
      ) => {
        const p = await sdk.pages.create({
          parent,
          properties: { Name: { title: rt(title) }, ...extra },
          ...more,
        } as never);
        ids[title] = p.id;
      };
      await made('Write spec', { Stage: { select: { name: 'To do' } }, Owner: { rich_text: rt('Ada') } });
      await made('Review', { Stage: { select: { name: 'To do' } } });
      await made('Ship', { Stage: { select: { name: 'Doing' } } });
      await made(
        'Postcard',
        {},
        { cover: { type: 'external', external: { url: `${app.server.url}/cover.png` } } },
      );
      await made(
        'Photo album',
        {},
        { children: [{ image: { external: { url: `${app.server.url}/first.png` } } }] },
      );
      for (const [name, type, configuration] of [
        [
          'Board',
          'board',
          { type: 'board', group_by: { type: 'select', property_id: 'Stage', sort: { type: 'manual' } } },
        ],
        ['Everything', 'list', undefined],
        ['Pictures', 'gallery', undefined],
      ] as const) {
        await sdk.views.create({
          data_source_id: dataSourceId,
          database_id: databaseId,
          name,
          type,
          ...(configuration ? { configuration } : {}),
        } as never);
      }
    }, 120_000);

    it('drags a board card to another column; the SDK reads the new select value, edited by the person', async () => {
      const { page } = app;
      personId = (await signIn(`/app/p/${databaseId}`)).user.id;
      const views = page.getByRole('navigation', { name: 'Views of Tasks' });
      await views.waitFor();
      await poll(() => views.getByRole('link').allTextContents()).toEqual([
        'Table: Default view',
        'Board: Board',
        'List: Everything',
        'Gallery: Pictures',
      ]);
      // The first view, a table, is what opens.
      await page.getByRole('table', { name: /Rows of Tasks/ }).waitFor();
      await views.getByRole('link', { name: /Board/ }).click();
      await poll(() => views.getByRole('link', { name: /Board/ }).getAttribute('aria-current')).toBe('page');
      await column('To do').getByText('Write spec').waitFor();
      expect(await column('').getByRole('heading').textContent()).toMatch(/^No Stage/);
      expect(await card('Write spec').getByText('Ada').count()).toBe(1);

      const from = (await card('Write spec').boundingBox())!;
      const to = (await column('Doing').boundingBox())!;
      await page.mouse.move(from.x + 20, from.y + 10);
      await page.mouse.down();
      await page.mouse.move(from.x + 40, from.y + 20, { steps: 3 });
      await page.mouse.move(to.x + to.width / 2, to.y + 40, { steps: 8 });
      await poll(() => column('Doing').getAttribute('class')).toContain('drop-target');
      await page.mouse.up();
      await column('Doing').getByText('Write spec').waitFor();
      const read = await eventually(
        () => props(ids['Write spec']!),
        (p) => p.properties.Stage?.select?.name === 'Doing',
      );
      expect(read.properties.Stage?.select?.name).toBe('Doing');
      expect(read.last_edited_by.id).toBe(personId);
      // The drop did not open the card's page.
      expect(new URL(page.url()).pathname).toBe(`/app/p/${databaseId}`);
    });

    it('moves a card with the keyboard, to a column and to No <property>, and Escape cancels', async () => {
      const { page } = app;
      const handle = page.getByRole('button', { name: 'Move Review' });
      await handle.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Picked up Review in To do' }).waitFor();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await poll(() => column('Done').getAttribute('class')).toContain('drop-target');
      await page.keyboard.press('Enter');
      await column('Done').getByText('Review').waitFor();
      await poll(() => stage(ids.Review!)).toBe('Done');
      // Focus stays on the moved card's handle, so it can move on.
      await poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        'Move Review',
      );
      await page.keyboard.press(' ');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Escape');
      await page.getByRole('status').filter({ hasText: 'Move of Review cancelled' }).waitFor();
      expect(await column('Done').getByText('Review').count()).toBe(1);
      await page.keyboard.press('Enter');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      await column('').getByText('Review').waitFor();
      await poll(() => stage(ids.Review!)).toBeNull();
    });

    it('adds a card in a column with that column’s value', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'New page in Done' }).click();
      await page.getByRole('textbox', { name: 'New page in Done' }).fill('From the board');
      await page.keyboard.press('Enter');
      await column('Done').getByText('From the board').waitFor();
      const found = await app.sdk.dataSources.query({
        data_source_id: dataSourceId,
        filter: { property: 'Name', title: { equals: 'From the board' } },
      });
      expect(found.results).toHaveLength(1);
      expect((found.results[0] as unknown as { properties: Props }).properties.Stage?.select?.name).toBe(
        'Done',
      );
    });

    it('makes a calendar view that shows an SDK write on its date; a page made on a day gets that date', async () => {
      const { page, sdk } = app;
      const dentist = await sdk.pages.create({
        parent: { type: 'data_source_id', data_source_id: dataSourceId },
        properties: { Name: { title: rt('Dentist') }, Due: { date: { start: `${month}-15` } } },
      } as never);
      ids.Dentist = dentist.id;
      await page.getByRole('button', { name: '+ Add view' }).click();
      const form = page.getByRole('form', { name: 'New view' });
      await form.getByLabel('Type').selectOption('calendar');
      await form.getByLabel('View name').fill('Due dates');
      expect(await form.getByLabel('Date property').inputValue()).not.toBe('');
      await form.getByRole('button', { name: 'Create view' }).click();
      const views = page.getByRole('navigation', { name: 'Views of Tasks' });
      await poll(() => views.getByRole('link', { name: /Due dates/ }).getAttribute('aria-current')).toBe(
        'page',
      );
      const listed = await sdk.views.list({ database_id: databaseId });
      const all = await Promise.all(listed.results.map((v) => sdk.views.retrieve({ view_id: v.id })));
      const calendar = all.find((v) => 'name' in v && v.name === 'Due dates') as unknown as {
        type: string;
        configuration: { date_property_name?: string };
      };
      expect(calendar.type).toBe('calendar');
      expect(calendar.configuration.date_property_name).toBe('Due');

      const day15 = page.locator(`td[data-day="${month}-15"]`);
      await day15.getByRole('link', { name: 'Dentist' }).waitFor();
      await day15.getByRole('button', { name: /^New page on/ }).click();
      await day15.getByRole('textbox').fill('Plumber');
      await page.keyboard.press('Enter');
      await day15.getByRole('link', { name: 'Plumber' }).waitFor();
      const found = await app.sdk.dataSources.query({
        data_source_id: dataSourceId,
        filter: { property: 'Name', title: { equals: 'Plumber' } },
      });
      expect((found.results[0] as unknown as { properties: Props }).properties.Due?.date?.start).toBe(
        `${month}-15`,
      );

      // Another month has neither; Today comes back.
      await page.getByRole('button', { name: 'Next month' }).click();
      await poll(() => page.locator(`td[data-day="${month}-15"] a`).count()).toBe(0);
      await page.getByRole('button', { name: 'Today' }).click();
      await day15.getByRole('link', { name: 'Dentist' }).waitFor();
    });

    it('shows the list and the gallery (cover, first image), and a row opens as a page', async () => {
      const { page } = app;
      const views = page.getByRole('navigation', { name: 'Views of Tasks' });
      await views.getByRole('link', { name: /Pictures/ }).click();
      const gallery = page.getByRole('list', { name: 'Pages of Pictures' });
      const postcard = gallery.getByRole('listitem').filter({ hasText: 'Postcard' });
      await poll(() => postcard.locator('img').getAttribute('src')).toBe(`${app.server.url}/cover.png`);
      const album = gallery.getByRole('listitem').filter({ hasText: 'Photo album' });
      await poll(() => album.locator('img').getAttribute('src')).toBe(`${app.server.url}/first.png`);

      await views.getByRole('link', { name: /Everything/ }).click();
      const list = page.getByRole('list', { name: 'Pages of Everything' });
      const dentist = list.getByRole('listitem').filter({ hasText: 'Dentist' });
      await dentist.waitFor();
      expect(await dentist.textContent()).toContain(`${month}-15`);
      expect(await list.getByRole('listitem').count()).toBe(8);
      // A page the SDK writes now appears in the open list (read again every few seconds).
      await app.sdk.pages.create({
        parent: { type: 'data_source_id', data_source_id: dataSourceId },
        properties: { Name: { title: rt('Late arrival') } },
      } as never);
      await list.getByRole('link', { name: 'Late arrival' }).waitFor({ timeout: 15_000 });
      await dentist.getByRole('link', { name: 'Dentist' }).click();
      await page.waitForURL(`**/app/p/${ids.Dentist}`);
      expect(await page.getByLabel('Page title').inputValue()).toBe('Dentist');
      // Back: the list view is still the one shown (the address names it).
      await page.goBack();
      await list.getByRole('listitem').filter({ hasText: 'Dentist' }).waitFor();
    });

    it('shows a database without views as a table, and offers to add one', async () => {
      const { page, sdk } = app;
      const db = (await sdk.databases.create({
        parent: { type: 'page_id', page_id: app.rootPageId },
        title: rt('Bare'),
        initial_data_source: { properties: { Name: { title: {} } } },
      })) as unknown as { id: string; data_sources: { id: string }[] };
      await sdk.pages.create({
        parent: { type: 'data_source_id', data_source_id: db.data_sources[0]!.id },
        properties: { Name: { title: rt('Only row') } },
      } as never);
      for (const v of (await sdk.views.list({ database_id: db.id })).results)
        await sdk.views.delete({ view_id: v.id });
      await page.goto(`${app.server.url}/app/p/${db.id}`);
      const views = page.getByRole('navigation', { name: 'Views of Bare' });
      await views.waitFor();
      expect(await views.getByRole('link').allTextContents()).toEqual(['Table: Table']);
      await page
        .getByRole('table', { name: /Rows of Bare/ })
        .getByRole('link', { name: 'Only row' })
        .waitFor();
      expect((await sdk.views.list({ database_id: db.id })).results).toHaveLength(0);
      await page.getByRole('button', { name: '+ Add view' }).click();
      // A board needs a select or status property, and Bare has none.
      await page
        .getByRole('form', { name: 'New view' })
        .getByText('A board needs a select or status property')
        .waitFor();
      // The form opened on its first field; Escape closes it and gives the focus back.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(
        await page.getByRole('form', { name: 'New view' }).getByLabel('Type').getAttribute('id'),
      );
      await page.keyboard.press('Escape');
      await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('+ Add view');
      await page.goBack();
    });

    it('keeps the board usable at phone width: the page does not scroll sideways, the board does', async () => {
      const { page } = app;
      await page.setViewportSize({ width: 390, height: 800 });
      await page
        .getByRole('navigation', { name: 'Views of Tasks' })
        .getByRole('link', { name: /Board/ })
        .click();
      await column('Doing').getByText('Ship').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const board = page.locator('.board');
      expect(await board.evaluate((b) => b.scrollWidth > b.clientWidth)).toBe(true);
      // Keyboard move works from a column scrolled into view.
      await page.getByRole('button', { name: 'Move Ship' }).focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Enter');
      await poll(() => stage(ids.Ship!)).toBe('To do');
      expect(app.errors).toEqual([]);
    });
  },
);
