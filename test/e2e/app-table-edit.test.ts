/*
 * The table view's schema and cell editors in a real browser (Debian's Chromium via
 * playwright-core) against a running `octavo serve`, on both engines, each change read back
 * through the official SDK: a property added, renamed, retyped and deleted from the table's
 * header; column widths dragged and set by keyboard, kept in the table view's configuration;
 * relation cells showing the related pages' titles and edited by finding a page; multi-select,
 * status, email, phone, people and dates with an end and a time edited with their controls.
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

describeBrowser('table editing test', 'The table view’s properties and editors in Chromium', (engine) => {
  const suite = useBrowser(engine, { setupTimeout: 120_000 });
  let server: RunningServer;
  let page: Page;
  let sdk: Client;
  let databaseId: string;
  let dataSourceId: string;
  let person: Awaited<ReturnType<typeof newPerson>>;
  const ids: Record<string, string> = {};
  const errors = suite.errors;

  const text = (content: string) => [{ type: 'text' as const, text: { content } }];
  const rowProps = async (id: string) =>
    ((await sdk.pages.retrieve({ page_id: id })) as unknown as { properties: Props }).properties;
  const schemaProps = async () =>
    ((await sdk.dataSources.retrieve({ data_source_id: dataSourceId })) as unknown as { properties: Props })
      .properties;

  beforeAll(async () => {
    ({ server, sdk } = suite);
    const parent = { type: 'page_id' as const, page_id: server.boot.created!.pageId };
    const teams = (await sdk.databases.create({
      parent,
      title: text('Teams'),
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as unknown as { data_sources: { id: string }[] };
    const teamsSource = teams.data_sources[0]!.id;
    for (const name of ['Red team', 'Blue team']) {
      const p = await sdk.pages.create({
        parent: { type: 'data_source_id', data_source_id: teamsSource },
        properties: { Name: { title: text(name) } },
      } as never);
      ids[name] = p.id;
    }
    const db = (await sdk.databases.create({
      parent,
      title: text('Projects'),
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Points: { number: {} },
          Tags: { multi_select: { options: [{ name: 'A' }, { name: 'B' }] } },
          Stage: { status: {} },
          Contact: { email: {} },
          Phone: { phone_number: {} },
          Owner: { people: {} },
          Due: { date: {} },
          Team: { relation: { data_source_id: teamsSource, single_property: {} } },
        },
      } as never,
    })) as unknown as { id: string; data_sources: { id: string }[] };
    databaseId = db.id;
    dataSourceId = db.data_sources[0]!.id;
    for (const [name, points, team] of [
      ['Alpha', 5, 'Red team'],
      ['Beta', 7, null],
    ] as const) {
      const p = await sdk.pages.create({
        parent: { type: 'data_source_id', data_source_id: dataSourceId },
        properties: {
          Name: { title: text(name) },
          Points: { number: points },
          ...(team ? { Team: { relation: [{ id: ids[team] }] } } : {}),
        },
      } as never);
      ids[name] = p.id;
    }
    person = await newPerson({ store: server.store });
    page = suite.page;
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      d.dismiss().catch(() => undefined);
    });
    await page.goto(`${server.url}/app/p/${databaseId}`);
    await suite.signIn(person);
    await page.waitForURL(`**/app/p/${databaseId}`);
    await page.getByRole('table', { name: /Rows of Projects/ }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /^2 rows$/ })
      .waitFor();
  }, 120_000);

  const header = (name: string) =>
    page.locator('.db-table thead th').filter({ has: page.getByRole('button', { name, exact: true }) });

  it('adds, renames, retypes and deletes properties from the header', async () => {
    await page.getByRole('button', { name: '+ Add property' }).click();
    const form = page.getByRole('form', { name: 'New property' });
    await form.getByLabel('Property name').fill('Budget');
    await form.getByLabel('Property type').selectOption('number');
    await form.getByRole('button', { name: 'Add property' }).click();
    await header('Budget').waitFor();
    await expect.poll(async () => (await schemaProps()).Budget?.type).toBe('number');

    // Rename.
    await page.getByRole('button', { name: 'Edit property Budget' }).click();
    const edit = page.getByRole('form', { name: 'Property Budget' });
    await edit.getByLabel('Property name').fill('Cost');
    await edit.getByRole('button', { name: 'Save property' }).click();
    await header('Cost').waitFor();
    const renamed = await schemaProps();
    expect(renamed.Cost?.type).toBe('number');
    expect(renamed.Budget).toBeUndefined();

    // Retype: Points becomes text, its values converted by the API.
    await page.getByRole('button', { name: 'Edit property Points' }).click();
    await page
      .getByRole('form', { name: 'Property Points' })
      .getByLabel('Property type')
      .selectOption('rich_text');
    await page
      .getByRole('form', { name: 'Property Points' })
      .getByRole('button', { name: 'Save property' })
      .click();
    await expect.poll(async () => (await schemaProps()).Points?.type).toBe('rich_text');
    const alphaRow = page
      .locator('.db-table tbody tr')
      .filter({ has: page.getByRole('link', { name: 'Alpha', exact: true }) });
    await expect
      .poll(() => alphaRow.locator('td[data-type="rich_text"] .cell-value').textContent())
      .toBe('5');
    const alpha = await rowProps(ids.Alpha!);
    expect((alpha.Points!.rich_text as { plain_text: string }[])[0]!.plain_text).toBe('5');

    // Delete, after a confirmation; "Keep it" changes nothing.
    await page.getByRole('button', { name: 'Edit property Cost' }).click();
    const cost = page.getByRole('form', { name: 'Property Cost' });
    await cost.getByRole('button', { name: 'Delete property' }).click();
    await cost.getByRole('button', { name: 'Keep it' }).click();
    expect((await schemaProps()).Cost?.type).toBe('number');
    await cost.getByRole('button', { name: 'Delete property' }).click();
    await cost.getByRole('button', { name: 'Confirm delete' }).click();
    await header('Cost').waitFor({ state: 'detached' });
    expect((await schemaProps()).Cost).toBeUndefined();
    // The title cannot be retyped or deleted from here.
    await page.getByRole('button', { name: 'Edit property Name' }).click();
    const title = page.getByRole('form', { name: 'Property Name' });
    expect(await title.getByLabel('Property type').count()).toBe(0);
    expect(await title.getByRole('button', { name: 'Delete property' }).count()).toBe(0);
    await title.getByRole('button', { name: 'Cancel' }).click();
    expect(errors).toEqual([]);
  }, 90_000);

  it('keeps column widths in the table view, dragged or set by keyboard', async () => {
    const handle = page.getByRole('separator', { name: 'Resize Name' });
    const before = Number(await handle.getAttribute('aria-valuenow'));
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    const dragged = Number(await handle.getAttribute('aria-valuenow'));
    expect(Math.abs(dragged - (before + 80))).toBeLessThanOrEqual(2);
    const points = page.getByRole('separator', { name: 'Resize Points' });
    await points.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    const pointsWidth = Number(await points.getAttribute('aria-valuenow'));
    expect(pointsWidth).toBe(170 + 60);

    type View = { configuration?: { properties?: { property_id: string; width?: number }[] } };
    const views = await sdk.request<{ results: { id: string }[] }>({
      path: 'views',
      method: 'get',
      query: { data_source_id: dataSourceId },
    });
    const viewId = views.results[0]!.id;
    const pointsId = (await schemaProps()).Points!.id as string;
    const widthOf = async (propertyId: string) =>
      (await sdk.request<View>({ path: `views/${viewId}`, method: 'get' })).configuration?.properties?.find(
        (p) => p.property_id === propertyId,
      )?.width;
    await expect.poll(() => widthOf('title')).toBe(dragged);
    await expect.poll(() => widthOf(pointsId)).toBe(pointsWidth);
    // A new visit starts with them.
    await page.reload();
    await page.getByRole('table', { name: /Rows of Projects/ }).waitFor();
    expect(
      Number(await page.getByRole('separator', { name: 'Resize Name' }).getAttribute('aria-valuenow')),
    ).toBe(dragged);
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows relation titles and edits relation, multi-select, status, email, phone, people and dates', async () => {
    await page
      .getByRole('status')
      .filter({ hasText: /^2 rows$/ })
      .waitFor();
    const row = (name: string) =>
      page.locator('.db-table tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
    await row('Alpha').getByRole('link', { name: 'Red team', exact: true }).waitFor();

    // Relation: find a page of the related data source by title.
    await page.getByRole('button', { name: 'Edit Team of Beta' }).click();
    const team = page.getByRole('group', { name: 'Team of Beta' });
    await team.getByLabel('Find pages for Team of Beta').fill('Blue');
    await team.getByLabel('Blue team').check();
    await team.getByRole('button', { name: 'Save' }).click();
    await row('Beta').getByRole('link', { name: 'Blue team', exact: true }).waitFor();
    await expect
      .poll(async () => ((await rowProps(ids.Beta!)).Team!.relation as { id: string }[]).map((r) => r.id))
      .toEqual([ids['Blue team']]);

    // Multi-select: an option of the schema and a new one typed in.
    await page.getByRole('button', { name: 'Edit Tags of Alpha' }).click();
    const tags = page.getByRole('group', { name: 'Tags of Alpha' });
    await tags.getByLabel('A', { exact: true }).check();
    await tags.getByLabel('New option for Tags of Alpha').fill('Cee');
    await tags.getByLabel('New option for Tags of Alpha').press('Enter');
    await tags.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () =>
        ((await rowProps(ids.Alpha!)).Tags!.multi_select as { name: string }[]).map((o) => o.name),
      )
      .toEqual(['A', 'Cee']);

    // Status, email and phone by keyboard.
    await page.getByRole('button', { name: 'Edit Stage of Alpha' }).click();
    await page.getByRole('combobox', { name: 'Stage of Alpha' }).selectOption('In progress');
    await page.getByRole('combobox', { name: 'Stage of Alpha' }).press('Enter');
    await page.getByRole('button', { name: 'Edit Contact of Alpha' }).click();
    await page.getByRole('textbox', { name: 'Contact of Alpha' }).fill('alpha@example.com');
    await page.getByRole('textbox', { name: 'Contact of Alpha' }).press('Enter');
    await page.getByRole('button', { name: 'Edit Phone of Alpha' }).click();
    await page.getByRole('textbox', { name: 'Phone of Alpha' }).fill('+1 555 0100');
    await page.getByRole('textbox', { name: 'Phone of Alpha' }).press('Enter');
    const alpha = await (async () => {
      let p = await rowProps(ids.Alpha!);
      for (let i = 0; i < 50 && p.Phone!.phone_number === null; i++) {
        await new Promise((r) => setTimeout(r, 200));
        p = await rowProps(ids.Alpha!);
      }
      return p;
    })();
    expect((alpha.Stage!.status as { name: string }).name).toBe('In progress');
    expect(alpha.Contact!.email).toBe('alpha@example.com');
    expect(alpha.Phone!.phone_number).toBe('+1 555 0100');

    // People: the workspace's people to choose from.
    await page.getByRole('button', { name: 'Edit Owner of Alpha' }).click();
    const owner = page.getByRole('group', { name: 'Owner of Alpha' });
    await owner.getByLabel(person.user.name ?? '', { exact: true }).check();
    await owner.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => ((await rowProps(ids.Alpha!)).Owner!.people as { id: string }[]).map((u) => u.id))
      .toEqual([person.user.id]);

    // A date with an end, then with a time.
    await page.getByRole('button', { name: 'Edit Due of Alpha' }).click();
    let due = page.getByRole('group', { name: 'Due of Alpha' });
    await due.getByLabel('Start').fill('2026-05-01');
    await due.getByLabel('End date').check();
    await due.getByLabel('End', { exact: true }).fill('2026-05-03');
    await due.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await rowProps(ids.Alpha!)).Due!.date)
      .toMatchObject({ start: '2026-05-01', end: '2026-05-03' });
    await page.getByRole('button', { name: 'Edit Due of Alpha' }).click();
    due = page.getByRole('group', { name: 'Due of Alpha' });
    await due.getByLabel('Include time').check();
    await due.getByLabel('End date').uncheck();
    await due.getByLabel('Start').fill('2026-05-01T14:30');
    await due.getByLabel('Start').press('Enter');
    await expect
      .poll(async () =>
        ((await rowProps(ids.Alpha!)).Due!.date as { start: string } | null)?.start.slice(0, 16),
      )
      .toBe('2026-05-01T14:30');
    expect(((await rowProps(ids.Alpha!)).Due!.date as { end: string | null }).end).toBeNull();
    expect(errors).toEqual([]);
  }, 90_000);
});
