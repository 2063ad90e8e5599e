/*
 * The board view's manual card order in a real browser (Debian's Chromium via playwright-core)
 * on both engines: a card moved up its column with the keyboard and one dragged below another
 * with the mouse keep their places after a reload, for another person too (the order is kept
 * beside the view, `/app/api/views/{id}/card_order`), and the order read over HTTP is the one
 * shown. A card moved to another column with the keyboard takes the place chosen there.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import { beforeAll, expect, it } from 'vitest';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, newSignedInPerson, useBrowser } from '../helpers/web-suite.ts';

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 });
const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

describeBrowser('board order browser test', 'Board cards keep their order within a column', (engine) => {
  const app = useBrowser(engine);
  let databaseId: string;
  let viewId: string;
  const ids: Record<string, string> = {};

  const column = (label: string) => app.page.locator(`[data-group="option:${label}"]`);
  const titles = (label: string) => column(label).locator('[data-card] .card-link').allTextContents();
  const card = (title: string) => app.page.locator('[data-card]').filter({ hasText: title });
  const boardUrl = () => `${app.server.url}/app/p/${databaseId}?v=${viewId.replaceAll('-', '')}`;

  beforeAll(async () => {
    const { sdk } = app;
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: app.rootPageId },
      title: rt('Sprint'),
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Stage: { select: { options: [{ name: 'To do' }, { name: 'Done' }] } },
        },
      },
    })) as unknown as { id: string; data_sources: { id: string }[] };
    databaseId = db.id;
    const parent = { type: 'data_source_id' as const, data_source_id: db.data_sources[0]!.id };
    for (const [title, stage] of [
      ['Alpha', 'To do'],
      ['Bravo', 'To do'],
      ['Charlie', 'To do'],
      ['Delta', 'Done'],
    ] as const) {
      const p = await sdk.pages.create({
        parent,
        properties: { Name: { title: rt(title) }, Stage: { select: { name: stage } } },
      });
      ids[title] = p.id;
    }
    const view = (await sdk.views.create({
      data_source_id: db.data_sources[0]!.id,
      database_id: databaseId,
      name: 'Board',
      type: 'board',
      configuration: {
        type: 'board',
        group_by: { type: 'select', property_id: 'Stage', sort: { type: 'manual' } },
      },
    } as never)) as { id: string };
    viewId = view.id;
  }, 120_000);

  it('keeps a keyboard move and a mouse drag within a column after a reload, for everyone', async () => {
    const { page, server, errors } = app;
    page.setDefaultTimeout(15_000);
    const person = await newPerson({ store: server.store });
    await page.goto(
      `${server.url}/sign-in?next=${encodeURIComponent(new URL(boardUrl()).pathname + new URL(boardUrl()).search)}`,
    );
    await app.signIn(person);
    await column('To do').getByText('Charlie').waitFor();
    const first = await titles('To do');
    expect([...first].sort()).toEqual(['Alpha', 'Bravo', 'Charlie']);

    // The keyboard: pick up the last card, up twice to the top, drop.
    const last = first[2]!;
    await page.getByRole('button', { name: `Move ${last}` }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const afterKeys = [last, first[0]!, first[1]!];
    await poll(() => titles('To do')).toEqual(afterKeys);

    // The mouse: drag the (new) first card below the last one.
    const from = (await card(afterKeys[0]!).boundingBox())!;
    const to = (await card(afterKeys[2]!).boundingBox())!;
    await page.mouse.move(from.x + 20, from.y + 10);
    await page.mouse.down();
    await page.mouse.move(from.x + 25, from.y + 20, { steps: 3 });
    await page.mouse.move(to.x + 20, to.y + to.height - 4, { steps: 10 });
    await page.mouse.up();
    const afterDrag = [afterKeys[1]!, afterKeys[2]!, afterKeys[0]!];
    await poll(() => titles('To do')).toEqual(afterDrag);
    // A drop inside the column changed no property: the card is still "To do".
    expect(new URL(page.url()).pathname).toBe(`/app/p/${databaseId}`);

    // Kept: after a reload, and for another person reading the order over HTTP.
    const other = await newSignedInPerson(server);
    await poll(async () => {
      const res = await other.call<{ page_ids: string[] }>('GET', `/app/api/views/${viewId}/card_order`);
      return res.json.page_ids.filter((id) => afterDrag.some((t) => ids[t] === id));
    }).toEqual(afterDrag.map((t) => ids[t]));
    await page.reload();
    await column('To do').getByText('Charlie').waitFor();
    await poll(() => titles('To do')).toEqual(afterDrag);

    // To another column with the keyboard, at the place chosen there (before Delta).
    await page.getByRole('button', { name: `Move ${afterDrag[0]}` }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await poll(() => titles('Done')).toEqual([afterDrag[0], 'Delta']);
    await page.reload();
    await column('Done').getByText('Delta').waitFor();
    await poll(() => titles('Done')).toEqual([afterDrag[0], 'Delta']);
    const moved = (await app.sdk.pages.retrieve({ page_id: ids[afterDrag[0]!]! })) as unknown as {
      properties: { Stage: { select: { name: string } } };
    };
    expect(moved.properties.Stage.select.name).toBe('Done');

    // Bad input is refused with Notion's error shape.
    const bad = await other.call<{ code: string }>('PUT', `/app/api/views/${viewId}/card_order`, {
      page_ids: ['not an id'],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('validation_error');
    expect(errors).toEqual([]);
  }, 120_000);
});
