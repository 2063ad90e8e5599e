/*
 * Data-source templates (listing, `template` on page create), custom emojis (listing, icons) and
 * async tasks (`allow_async` writes and GET /v1/async_tasks/{id}), through the official SDK on
 * both engines. Templates and emojis are made as the command line makes them (the operations
 * `octavo template add` and `octavo emoji add` call).
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCustomEmoji } from '../../src/ops/custom-emojis.ts';
import { addTemplate, administrationEnv } from '../../src/ops/templates.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';
import { failure, MISSING, rt } from './comments-support.ts';

/** A 1x1 transparent PNG. */
const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
);

type Row = { properties: Record<string, Record<string, unknown>>; icon: unknown };

describeEngines('templates, custom emojis and async tasks', (engine) => {
  let h: Harness;
  let client: Client;
  let dataSourceId: string;
  let otherDataSourceId: string;

  const newDatabase = async (title: string) => {
    const db = await client.databases.create({
      parent: { type: 'page_id', page_id: h.rootPageId },
      title: rt(title),
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Points: { number: {} },
          Status: { select: { options: [{ name: 'Open' }, { name: 'Done' }] } },
        },
      },
    });
    return (db as { data_sources: { id: string }[] }).data_sources[0]!.id;
  };

  const asAdmin = <T>(
    fn: (tx: Parameters<Parameters<Harness['store']['transaction']>[0]>[0]) => Promise<T>,
  ) => h.store.transaction(fn);

  beforeAll(async () => {
    h = await startHarness(engine);
    client = h.client();
    dataSourceId = await newDatabase('Bugs');
    otherDataSourceId = await newDatabase('Other');
  });
  afterAll(() => h.close());

  describe('data-source templates', () => {
    let bugTemplate: string;

    it('lists none until the administration adds some', async () => {
      expect(await client.dataSources.listTemplates({ data_source_id: dataSourceId })).toEqual({
        templates: [],
        has_more: false,
        next_cursor: null,
      });
    });

    it('lists templates made from pages, with the default marked, by name and page by page', async () => {
      const source = await client.pages.create({
        parent: { data_source_id: dataSourceId },
        icon: { type: 'emoji', emoji: '🐛' },
        properties: {
          Name: { title: rt('Bug report') },
          Points: { number: 3 },
          Status: { select: { name: 'Open' } },
        },
        children: [
          { heading_2: { rich_text: rt('Steps') } },
          { to_do: { rich_text: rt('Reproduce'), checked: false } },
        ],
      });
      const [bug, chore] = await asAdmin(async (tx) => {
        const env = await administrationEnv(tx, new Date().toISOString(), BASE_URL);
        return [
          await addTemplate(tx, env, {
            dataSourceId,
            name: 'Bug report',
            fromPageId: source.id,
            isDefault: true,
          }),
          await addTemplate(tx, env, { dataSourceId, name: 'Chore', fromPageId: null, isDefault: false }),
        ];
      });
      bugTemplate = bug!.id;
      const all = await client.dataSources.listTemplates({ data_source_id: dataSourceId });
      expect(all.templates).toEqual([
        { id: bug!.id, name: 'Bug report', is_default: true },
        { id: chore!.id, name: 'Chore', is_default: false },
      ]);
      const byName = await client.dataSources.listTemplates({ data_source_id: dataSourceId, name: 'BUG' });
      expect(byName.templates.map((t) => t.name)).toEqual(['Bug report']);
      const first = await client.dataSources.listTemplates({ data_source_id: dataSourceId, page_size: 1 });
      expect([first.templates.length, first.has_more, first.next_cursor]).toEqual([1, true, chore!.id]);
      const second = await client.dataSources.listTemplates({
        data_source_id: dataSourceId,
        page_size: 1,
        start_cursor: first.next_cursor!,
      });
      expect(second.templates.map((t) => t.id)).toEqual([chore!.id]);
    });

    it("gives a page made from a template the template's values, icon and content; the request's values win", async () => {
      for (const template of [
        { type: 'default' as const },
        { type: 'template_id' as const, template_id: bugTemplate },
      ]) {
        const page = (await client.pages.create({
          parent: { data_source_id: dataSourceId },
          template,
          properties: { Name: { title: rt('Login fails') } },
        })) as unknown as Row;
        expect((page.properties.Name!.title as { plain_text: string }[])[0]!.plain_text).toBe('Login fails');
        expect(page.properties.Points!.number).toBe(3);
        expect((page.properties.Status!.select as { name: string }).name).toBe('Open');
        expect(page.icon).toEqual({ type: 'emoji', emoji: '🐛' });
        const blocks = await client.blocks.children.list({
          block_id: (page as unknown as { id: string }).id,
        });
        expect(blocks.results.map((b) => (b as { type: string }).type)).toEqual(['heading_2', 'to_do']);
      }
    });

    it('applies a template to an existing page, after its content or instead of it (erase_content)', async () => {
      const page = await client.pages.create({
        parent: { data_source_id: dataSourceId },
        properties: { Name: { title: rt('Old') }, Points: { number: 9 } },
        children: [{ paragraph: { rich_text: rt('Old text') } }],
      });
      const types = async () =>
        (await client.blocks.children.list({ block_id: page.id })).results.map(
          (b) => (b as { type: string }).type,
        );
      const kept = (await client.pages.update({
        page_id: page.id,
        template: { type: 'default' },
        properties: { Name: { title: rt('New') } },
      })) as unknown as Row;
      expect(kept.properties.Points!.number).toBe(3);
      expect(await types()).toEqual(['paragraph', 'heading_2', 'to_do']);
      await client.pages.update({
        page_id: page.id,
        template: { type: 'template_id', template_id: bugTemplate },
        erase_content: true,
      });
      expect(await types()).toEqual(['heading_2', 'to_do']);
      await client.pages.update({ page_id: page.id, erase_content: true });
      expect(await types()).toEqual([]);
      const onPage = await failure(
        client.pages.update({ page_id: h.rootPageId, template: { type: 'default' } }),
      );
      expect(onPage.message).toContain(
        'body.template should be absent: templates apply to pages of a data source',
      );
    });

    it("keeps templates out of the data source's rows", async () => {
      const rows = await client.dataSources.query({ data_source_id: dataSourceId });
      const names = rows.results.map(
        (r) => ((r as unknown as Row).properties.Name!.title as { plain_text: string }[])[0]?.plain_text,
      );
      expect(names.filter((n) => n === 'Chore')).toEqual([]);
    });

    it("refuses another data source's template and a default that does not exist", async () => {
      const foreign = await failure(
        client.pages.create({
          parent: { data_source_id: otherDataSourceId },
          template: { type: 'template_id', template_id: bugTemplate },
        }),
      );
      expect([foreign.status, foreign.code]).toEqual([400, 'validation_error']);
      expect(foreign.message).toContain(
        'body.template.template_id should be the id of a template of data source',
      );
      const noDefault = await failure(
        client.pages.create({ parent: { data_source_id: otherDataSourceId }, template: { type: 'default' } }),
      );
      expect(noDefault.message).toBe(`Data source ${otherDataSourceId} has no default template.`);
    });

    it('hides the templates of a data source the integration cannot see', async () => {
      const outsider = h.client({ token: await h.newIntegration('Template outsider') });
      const err = await failure(outsider.dataSources.listTemplates({ data_source_id: dataSourceId }));
      const missing = await failure(outsider.dataSources.listTemplates({ data_source_id: MISSING }));
      expect([err.status, err.code]).toEqual([missing.status, missing.code]);
    });
  });

  describe('custom emojis', () => {
    let emojiId: string;

    it('lists the workspace emojis with a signed image URL that serves the image', async () => {
      const row = await asAdmin((tx) =>
        addCustomEmoji(tx, {
          name: 'octavo',
          filename: 'octavo.png',
          bytes: PNG,
          now: new Date().toISOString(),
        }),
      );
      emojiId = row.id;
      await asAdmin((tx) =>
        addCustomEmoji(tx, {
          name: 'party',
          filename: 'party.png',
          bytes: PNG,
          now: new Date().toISOString(),
        }),
      );
      const list = await client.customEmojis.list();
      expect(list.results.map((e) => e.name)).toEqual(['octavo', 'party']);
      const one = await client.customEmojis.list({ name: 'octavo' });
      expect(one.results).toHaveLength(1);
      const served = await h.app.request(one.results[0]!.url);
      expect(served.status).toBe(200);
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
      const paged = await client.customEmojis.list({ page_size: 1 });
      expect([paged.has_more, paged.next_cursor]).toEqual([true, list.results[1]!.id]);
    });

    it('refuses a taken name, a bad name and a file that is no image', async () => {
      const now = new Date().toISOString();
      const tries = [
        { name: 'octavo', filename: 'a.png', bytes: PNG, now },
        { name: 'Not OK', filename: 'a.png', bytes: PNG, now },
        { name: 'text', filename: 'a.txt', bytes: PNG, now },
      ];
      for (const input of tries) {
        await expect(asAdmin((tx) => addCustomEmoji(tx, input))).rejects.toMatchObject({
          code: 'validation_error',
        });
      }
    });

    it('takes a custom emoji as a page icon and shows its name and image', async () => {
      const page = await client.pages.create({
        parent: { page_id: h.rootPageId },
        icon: { type: 'custom_emoji', custom_emoji: { id: emojiId } },
        properties: { title: { title: rt('Emoji page') } },
      });
      const icon = (
        page as { icon: { type: string; custom_emoji: { id: string; name: string; url: string } } }
      ).icon;
      expect([icon.type, icon.custom_emoji.id, icon.custom_emoji.name]).toEqual([
        'custom_emoji',
        emojiId,
        'octavo',
      ]);
      expect((await h.app.request(icon.custom_emoji.url)).status).toBe(200);
      const [callout] = (
        await client.blocks.children.append({
          block_id: page.id,
          children: [
            {
              callout: { rich_text: rt('c'), icon: { type: 'custom_emoji', custom_emoji: { id: emojiId } } },
            },
          ],
        })
      ).results as { callout: { icon: { type: string; custom_emoji: { name: string; url: string } } } }[];
      expect([callout!.callout.icon.type, callout!.callout.icon.custom_emoji.name]).toEqual([
        'custom_emoji',
        'octavo',
      ]);
      const err = await failure(
        client.pages.update({
          page_id: page.id,
          icon: { type: 'custom_emoji', custom_emoji: { id: MISSING } },
        }),
      );
      expect(err.message).toBe(
        `body failed validation: body.icon.custom_emoji.id should be the id of a custom emoji of this workspace, instead was \`"${MISSING}"\`.`,
      );
    });
  });

  describe('async tasks', () => {
    it('answers an allow_async markdown edit with a queued task that then reads as succeeded', async () => {
      const page = await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: rt('Async') } },
      });
      const res = await h.request(`/v1/pages/${page.id}/markdown`, {
        method: 'PATCH',
        body: JSON.stringify({
          type: 'insert_content',
          insert_content: { content: 'Later text.' },
          allow_async: true,
        }),
      });
      expect(res.status).toBe(202);
      const queued = (await res.json()) as { id: string; status: string; poll_after_seconds: number };
      expect([queued.status, queued.poll_after_seconds]).toEqual(['queued', 1]);
      const task = await client.asyncTasks.retrieve({ task_id: queued.id });
      expect(task.status).toBe('succeeded');
      expect(task.status === 'succeeded' && task.result).toMatchObject({
        object: 'page_markdown',
        markdown: 'Later text.',
      });
      expect((await client.pages.retrieveMarkdown({ page_id: page.id })).markdown).toBe('Later text.');
      const outsider = h.client({ token: await h.newIntegration('Task outsider') });
      expect((await failure(outsider.asyncTasks.retrieve({ task_id: queued.id }))).status).toBe(404);
    });

    it('records a write that fails as a failed task with its error, and creates pages asynchronously', async () => {
      const page = await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: rt('Trashed') } },
      });
      await client.pages.update({ page_id: page.id, in_trash: true });
      const res = await h.request(`/v1/pages/${page.id}/markdown`, {
        method: 'PATCH',
        body: JSON.stringify({
          type: 'replace_content',
          replace_content: { new_str: 'x' },
          allow_async: true,
        }),
      });
      const failed = await client.asyncTasks.retrieve({ task_id: ((await res.json()) as { id: string }).id });
      expect(failed.status === 'failed' && failed.error.code).toBe('validation_error');
      const created = await h.request('/v1/pages', {
        method: 'POST',
        body: JSON.stringify({
          parent: { page_id: h.rootPageId },
          markdown: '# Made later\n\nBody',
          allow_async: true,
        }),
      });
      expect(created.status).toBe(202);
      const done = await client.asyncTasks.retrieve({
        task_id: ((await created.json()) as { id: string }).id,
      });
      expect(done.status === 'succeeded' && done.result).toMatchObject({ object: 'page' });
    });
  });
});
