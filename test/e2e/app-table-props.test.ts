/*
 * The table's relation, formula and rollup properties, its column order, and the delete
 * confirmations, in a real browser (Debian's Chromium via playwright-core) on both engines, each
 * result read back through the official SDK:
 * - a two-way relation, a formula (a type error shown beside the field, nothing saved) and a
 *   rollup added from "+ Add property", their cells showing the values the API computes;
 * - a column dragged to another place and one moved with the keyboard (the column menu's
 *   "Move … left"), kept in the view's `configuration.properties` order across a reload;
 * - a database with no stored view: moving a column (or hiding one) makes its "Default view"
 *   holding the arrangement;
 * - the shared delete confirmation: the focus goes to its Confirm button, Escape keeps the item
 *   and gives the focus back, and confirming deletes (a property, then a view).
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import type { Client } from '@notionhq/client';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, useBrowser } from '../helpers/web-suite.ts';

type Props = Record<string, Record<string, unknown> & { id: string; type: string }>;
interface ViewObject {
  id: string;
  name: string;
  configuration?: { properties?: { property_id: string }[] } | null;
}

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 300 });

describeBrowser(
  'table properties browser test',
  'Relation, formula and rollup columns, and their order',
  (engine) => {
    const suite = useBrowser(engine, { setupTimeout: 120_000 });
    let page: Page;
    let sdk: Client;
    let databaseId: string;
    let sourceId: string;
    let teamsSource: string;
    const ids: Record<string, string> = {};

    const schema = async (id = sourceId) =>
      ((await sdk.dataSources.retrieve({ data_source_id: id })) as unknown as { properties: Props })
        .properties;
    const rowProps = async (id: string) =>
      ((await sdk.pages.retrieve({ page_id: id })) as unknown as { properties: Props }).properties;
    const headers = () => page.locator('.db-table thead th .sort-button').allTextContents();
    const header = (name: string) =>
      page.locator('.db-table thead th').filter({ has: page.getByRole('button', { name, exact: true }) });
    const cell = (row: string, type: string) =>
      page.locator('.db-table tbody tr').filter({ hasText: row }).locator(`td[data-type="${type}"]`);
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    const viewsOf = async (database: string) =>
      Promise.all(
        (await sdk.views.list({ database_id: database })).results.map(
          (v) => sdk.views.retrieve({ view_id: v.id }) as unknown as Promise<ViewObject>,
        ),
      );
    /** The names of the properties a view lists, in its order. */
    const viewOrder = async (view: ViewObject, source: string) => {
      const byId = new Map(Object.entries(await schema(source)).map(([name, p]) => [p.id, name]));
      return (view.configuration?.properties ?? []).map((p) => byId.get(p.property_id));
    };

    beforeAll(async () => {
      sdk = suite.sdk;
      const parent = { type: 'page_id' as const, page_id: suite.rootPageId };
      const teams = (await sdk.databases.create({
        parent,
        title: rt('Teams'),
        initial_data_source: { properties: { Name: { title: {} }, Size: { number: {} } } },
      })) as unknown as { data_sources: { id: string }[] };
      teamsSource = teams.data_sources[0]!.id;
      for (const [name, size] of [
        ['Red team', 3],
        ['Blue team', 4],
      ] as const) {
        const p = await sdk.pages.create({
          parent: { type: 'data_source_id', data_source_id: teamsSource },
          properties: { Name: { title: rt(name) }, Size: { number: size } },
        } as never);
        ids[name] = p.id;
      }
      const db = (await sdk.databases.create({
        parent,
        title: rt('Projects'),
        initial_data_source: {
          properties: { Name: { title: {} }, Points: { number: {} }, Note: { rich_text: {} } },
        },
      })) as unknown as { id: string; data_sources: { id: string }[] };
      databaseId = db.id;
      sourceId = db.data_sources[0]!.id;
      for (const [name, points] of [
        ['Alpha', 5],
        ['Beta', 7],
      ] as const) {
        const p = await sdk.pages.create({
          parent: { type: 'data_source_id', data_source_id: sourceId },
          properties: { Name: { title: rt(name) }, Points: { number: points } },
        } as never);
        ids[name] = p.id;
      }
      page = suite.page;
      page.setDefaultTimeout(30_000);
      page.on('dialog', (d) => {
        suite.errors.push(`dialog: ${d.message()}`);
        d.dismiss().catch(() => undefined);
      });
      const person = await newPerson({ store: suite.server.store });
      await page.goto(`${suite.server.url}/app/p/${databaseId}`);
      await suite.signIn(person);
      await page.getByRole('table', { name: /Rows of Projects/ }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: /^2 rows$/ })
        .waitFor();
    }, 180_000);

    it('adds a two-way relation, a formula and a rollup; a formula error is shown and saves nothing', async () => {
      // A two-way relation to Teams.
      await page.getByRole('button', { name: '+ Add property' }).click();
      let form = page.getByRole('form', { name: 'New property' });
      await form.getByLabel('Property name').fill('Team');
      await form.getByLabel('Property type').selectOption('relation');
      await form.getByLabel('Related database', { exact: true }).selectOption({ label: 'Teams' });
      await form.getByLabel(/Two-way/).check();
      await form.getByRole('button', { name: 'Add property' }).click();
      await header('Team').waitFor();
      const team = (await schema()).Team!;
      expect(team.type).toBe('relation');
      expect(team.relation).toMatchObject({ data_source_id: teamsSource, type: 'dual_property' });
      expect(Object.values(await schema(teamsSource)).some((p) => p.type === 'relation')).toBe(true);
      await sdk.pages.update({
        page_id: ids.Alpha!,
        properties: { Team: { relation: [{ id: ids['Red team']! }] } },
      } as never);

      // A formula the server refuses: the reason beside the field, nothing saved, the form kept.
      await page.getByRole('button', { name: '+ Add property' }).click();
      form = page.getByRole('form', { name: 'New property' });
      await form.getByLabel('Property name').fill('Double');
      await form.getByLabel('Property type').selectOption('formula');
      const formula = form.getByLabel('Formula', { exact: true });
      await formula.fill('sum([])');
      await form.getByRole('button', { name: 'Add property' }).click();
      await form.getByRole('alert').filter({ hasText: 'Type error with formula' }).waitFor();
      expect(await formula.getAttribute('aria-invalid')).toBe('true');
      expect((await schema()).Double).toBeUndefined();
      await formula.fill('prop("Points") * 2');
      await form.getByRole('button', { name: 'Add property' }).click();
      await header('Double').waitFor();
      expect((await schema()).Double!.type).toBe('formula');
      await poll(() => cell('Alpha', 'formula').textContent()).toBe('10');
      const alpha = await rowProps(ids.Alpha!);
      expect(alpha.Double!.formula).toEqual({ type: 'number', number: 10 });

      // A rollup: the sum of the related teams' sizes (the page is read again with its values).
      await page.getByRole('button', { name: '+ Add property' }).click();
      form = page.getByRole('form', { name: 'New property' });
      await form.getByLabel('Property name').fill('Team size');
      await form.getByLabel('Property type').selectOption('rollup');
      await form.getByLabel('Relation', { exact: true }).selectOption({ label: 'Team' });
      await form.getByLabel('Rolled-up property').selectOption({ label: 'Size' });
      await form.getByLabel('Calculate').selectOption('sum');
      await form.getByRole('button', { name: 'Add property' }).click();
      await header('Team size').waitFor();
      expect((await schema())['Team size']!.rollup).toMatchObject({
        function: 'sum',
        relation_property_name: 'Team',
        rollup_property_name: 'Size',
      });
      await poll(() => cell('Alpha', 'rollup').textContent()).toBe('3');
      expect((await rowProps(ids.Alpha!))['Team size']!.rollup).toMatchObject({ type: 'number', number: 3 });
      await poll(() => cell('Alpha', 'relation').locator('.cell-relation').textContent()).toBe('Red team');

      // The formula opens for editing as written, and a change is saved and computed again.
      await page.getByRole('button', { name: 'Edit property Double' }).click();
      form = page.getByRole('form', { name: 'Property Double' });
      expect(await form.getByLabel('Formula', { exact: true }).inputValue()).toBe('prop("Points") * 2');
      await form.getByLabel('Formula', { exact: true }).fill('prop("Points") * 3');
      await form.getByRole('button', { name: 'Save property' }).click();
      await poll(() => cell('Beta', 'formula').textContent()).toBe('21');
      expect((await rowProps(ids.Beta!)).Double!.formula).toEqual({ type: 'number', number: 21 });
      expect(suite.errors).toEqual([]);
    }, 240_000);

    it('keeps a dragged column and one moved by keyboard in the view, across a reload', async () => {
      const start = await headers();
      expect(start.slice(0, 3)).toEqual(['Name', 'Points', 'Note']);
      // Drag Points onto the right half of Note.
      const from = (await header('Points').locator('.column-head').boundingBox())!;
      const to = (await header('Note').boundingBox())!;
      await page.mouse.move(from.x + 10, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(from.x + 30, from.y + from.height / 2, { steps: 3 });
      await page.mouse.move(to.x + to.width - 10, to.y + to.height / 2, { steps: 10 });
      await page.mouse.up();
      await poll(async () => (await headers()).slice(0, 3)).toEqual(['Name', 'Note', 'Points']);
      const [view] = await viewsOf(databaseId);
      await poll(async () =>
        (await viewOrder((await viewsOf(databaseId))[0]!, sourceId)).slice(0, 3),
      ).toEqual(['Name', 'Note', 'Points']);

      // The keyboard: the column menu of Double, "Move Double left" twice.
      await page.getByRole('button', { name: 'Edit property Double' }).focus();
      await page.keyboard.press('Enter');
      const move = page.getByRole('button', { name: 'Move Double left' });
      await move.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      const want = ['Name', 'Note', 'Double', 'Points', 'Team', 'Team size'];
      await poll(() => headers()).toEqual(want);
      await page.getByRole('status').filter({ hasText: 'Double moved to column 3.' }).waitFor();
      await poll(async () =>
        viewOrder((await sdk.views.retrieve({ view_id: view!.id })) as never, sourceId),
      ).toEqual(want);
      await page.reload();
      await page.getByRole('table', { name: /Rows of Projects/ }).waitFor();
      await poll(() => headers()).toEqual(want);
      expect(suite.errors).toEqual([]);
    }, 240_000);

    it('stores the default table as the database’s view when its columns are first moved', async () => {
      const db = (await sdk.databases.create({
        parent: { type: 'page_id', page_id: suite.rootPageId },
        title: rt('Inbox'),
        initial_data_source: {
          properties: {
            Name: { title: {} },
            From: { rich_text: {} },
            Size: { number: {} },
            Kind: { checkbox: {} },
          },
        },
      })) as unknown as { id: string; data_sources: { id: string }[] };
      for (const v of (await sdk.views.list({ database_id: db.id })).results)
        await sdk.views.delete({ view_id: v.id });
      await page.goto(`${suite.server.url}/app/p/${db.id}`);
      await page.getByRole('table', { name: /Rows of Inbox/ }).waitFor();
      expect(await headers()).toEqual(['Name', 'From', 'Size', 'Kind']);
      expect(await viewsOf(db.id)).toHaveLength(0);
      // From the keyboard: the column menu of Kind, "Move Kind left".
      await page.getByRole('button', { name: 'Edit property Kind' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Move Kind left' }).focus();
      await page.keyboard.press('Enter');
      await poll(async () => (await viewsOf(db.id)).map((v) => v.name)).toEqual(['Default view']);
      const [made] = await viewsOf(db.id);
      expect(await viewOrder(made!, db.data_sources[0]!.id)).toEqual(['Name', 'From', 'Kind', 'Size']);
      await page.waitForURL(`**/app/p/${db.id}?v=${made!.id.replaceAll('-', '')}`);
      // The table stayed (the focus too): a second Enter moves it again, into the view now stored.
      expect(await focused()).toBe('← Move left');
      await page.keyboard.press('Enter');
      await poll(async () => viewOrder((await viewsOf(db.id))[0]!, db.data_sources[0]!.id)).toEqual([
        'Name',
        'Kind',
        'From',
        'Size',
      ]);
      expect(await viewsOf(db.id)).toHaveLength(1);
      // A reload shows the stored order.
      await page.reload();
      await page.getByRole('table', { name: /Rows of Inbox/ }).waitFor();
      await poll(() => headers()).toEqual(['Name', 'Kind', 'From', 'Size']);
      expect(suite.errors).toEqual([]);
    }, 240_000);

    it('asks before deleting, with the focus on Confirm; Escape keeps the item', async () => {
      // A property (on the Inbox table the last test left open).
      await page.getByRole('button', { name: 'Edit property From' }).click();
      const form = page.getByRole('form', { name: 'Property From' });
      await form.getByRole('button', { name: 'Delete property' }).click();
      await poll(focused).toBe('Confirm delete');
      await page.keyboard.press('Escape');
      await poll(focused).toBe('Delete property');
      expect(await form.isVisible()).toBe(true);
      await page.keyboard.press('Enter');
      await poll(focused).toBe('Confirm delete');
      await page.keyboard.press('Enter');
      await header('From').waitFor({ state: 'detached' });
      const inbox = (
        await sdk.search({ query: 'Inbox', filter: { property: 'object', value: 'data_source' } } as never)
      ).results[0] as unknown as { id: string; parent: { database_id: string } };
      expect((await schema(inbox.id)).From).toBeUndefined();

      // A view.
      await page.getByRole('button', { name: 'View settings' }).click();
      const settings = page.getByRole('form', { name: /Settings of view/ });
      await settings.getByRole('button', { name: 'Delete view' }).click();
      await poll(focused).toBe('Confirm delete view');
      await page.keyboard.press('Escape');
      await poll(focused).toBe('Delete view');
      expect(await viewsOf(inbox.parent.database_id)).toHaveLength(1);
      await page.keyboard.press('Enter');
      await poll(focused).toBe('Confirm delete view');
      await page.keyboard.press('Enter');
      await poll(async () => (await viewsOf(inbox.parent.database_id)).length).toBe(0);
      expect(suite.errors).toEqual([]);
    }, 240_000);

    it('makes one view of the default table when its columns move twice within the round trip', async () => {
      const db = (await sdk.databases.create({
        parent: { type: 'page_id', page_id: suite.rootPageId },
        title: rt('Outbox'),
        initial_data_source: {
          properties: {
            Name: { title: {} },
            To: { rich_text: {} },
            Size: { number: {} },
            Sent: { checkbox: {} },
          },
        },
      })) as unknown as { id: string; data_sources: { id: string }[] };
      for (const v of (await sdk.views.list({ database_id: db.id })).results)
        await sdk.views.delete({ view_id: v.id });
      await page.goto(`${suite.server.url}/app/p/${db.id}`);
      await page.getByRole('table', { name: /Rows of Outbox/ }).waitFor();
      await page.getByRole('button', { name: 'Edit property Sent' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Move Sent left' }).focus();
      // Two presses at once: the second comes before the first one's view exists.
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await poll(async () => {
        const views = await viewsOf(db.id);
        return views.length === 1 ? viewOrder(views[0]!, db.data_sources[0]!.id) : views.map((v) => v.name);
      }).toEqual(['Name', 'Sent', 'To', 'Size']);
      await page.waitForTimeout(1000);
      expect((await viewsOf(db.id)).map((v) => v.name)).toEqual(['Default view']);
      expect(suite.errors).toEqual([]);
    }, 240_000);

    it('stores the default table as the database’s view when a property is first hidden', async () => {
      const db = (await sdk.databases.create({
        parent: { type: 'page_id', page_id: suite.rootPageId },
        title: rt('Outbox'),
        initial_data_source: {
          properties: { Name: { title: {} }, To: { rich_text: {} }, Size: { number: {} } },
        },
      })) as unknown as { id: string; data_sources: { id: string }[] };
      for (const v of (await sdk.views.list({ database_id: db.id })).results)
        await sdk.views.delete({ view_id: v.id });
      await page.goto(`${suite.server.url}/app/p/${db.id}`);
      await page.getByRole('table', { name: /Rows of Outbox/ }).waitFor();
      await page.getByRole('group', { name: 'Shown properties' }).getByLabel('Size').uncheck();
      await poll(async () => (await viewsOf(db.id)).map((v) => v.name)).toEqual(['Default view']);
      const [made] = await viewsOf(db.id);
      const sizeId = (await schema(db.data_sources[0]!.id)).Size!.id;
      expect(made!.configuration?.properties?.find((p) => p.property_id === sizeId)).toMatchObject({
        visible: false,
      });
      await page.reload();
      await page.getByRole('table', { name: /Rows of Outbox/ }).waitFor();
      await poll(() => headers()).toEqual(['Name', 'To']);
      expect(suite.errors).toEqual([]);
    }, 240_000);
  },
);
