/*
 * Comments and file uploads in the browser app, in a real browser (Debian's Chromium via
 * playwright-core) on both engines, read back through the official SDK: a comment with an
 * attached image and a reply in its discussion; a file uploaded as a block at the end of a page;
 * two files uploaded into a row's files property (the first kept when the second is added).
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import type { Client } from '@notionhq/client';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/main.ts';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, useBrowser } from '../helpers/web-suite.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describeBrowser('comments and uploads browser test', 'Comments and uploads in Chromium', (engine) => {
  const suite = useBrowser(engine, { setupTimeout: 120_000 });
  let server: RunningServer;
  let page: Page;
  let sdk: Client;
  let person: Awaited<ReturnType<typeof newPerson>>;
  const errors = suite.errors;

  beforeAll(async () => {
    ({ server, sdk } = suite);
    page = suite.page;
    page.setDefaultTimeout(10_000);
    person = await newPerson({ store: server.store });
    await page.goto(`${server.url}/app`);
    await suite.signIn(person);
    await page.getByRole('navigation', { name: 'Workspace' }).waitFor({ state: 'attached' });
  }, 90_000);

  it('comments with an attachment and a reply; a file uploaded as a block', async () => {
    const notes = await sdk.pages.create({
      parent: { page_id: server.boot.created!.pageId },
      properties: { title: { title: [{ text: { content: 'Design notes' } }] } },
    });
    await page.goto(`${server.url}/app/p/${notes.id}`);
    await page.getByText('No comments yet.').waitFor();
    const add = page.getByRole('form', { name: 'Add a comment' });
    await add.getByLabel('Add a comment').fill('Is this the final logo?');
    await add
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
    await add.getByLabel('Add a comment').press('Control+Enter');
    const discussion = page.getByRole('listitem', { name: /^Discussion: Is this the final logo\?/ });
    await discussion.getByRole('img', { name: 'logo.png' }).waitFor();
    await discussion.getByRole('textbox', { name: 'Reply' }).fill('Yes, shipping it.');
    await discussion.getByRole('button', { name: 'Reply' }).click();
    await discussion.getByText('Yes, shipping it.').waitFor();

    const listed = (await sdk.comments.list({ block_id: notes.id })).results as unknown as {
      discussion_id: string;
      created_by: { id: string };
      display_name: { type: string; resolved_name: string };
      rich_text: { plain_text: string }[];
      attachments: { category: string }[];
    }[];
    expect(listed.map((c) => c.rich_text[0]?.plain_text)).toEqual([
      'Is this the final logo?',
      'Yes, shipping it.',
    ]);
    expect(listed[1]!.discussion_id).toBe(listed[0]!.discussion_id);
    expect(listed[0]!.attachments.map((a) => a.category)).toEqual(['image']);
    expect(listed[0]!.created_by.id).toBe(person.user.id);
    expect(listed[0]!.display_name).toEqual({ type: 'user', resolved_name: person.user.name });

    await page.getByText('Upload a file', { exact: true }).click();
    const upload = page.getByRole('form', { name: 'Upload a file' });
    await upload.getByLabel('File').setInputFiles({ name: 'chart.png', mimeType: 'image/png', buffer: PNG });
    await upload.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('chart.png was added at the end of the page.').waitFor();
    const blocks = await sdk.blocks.children.list({ block_id: notes.id });
    const image = blocks.results.at(-1) as { type: string; image: { type: string; file: { url: string } } };
    expect(image.type).toBe('image');
    const served = await fetch(image.image.file.url);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
    expect(errors).toEqual([]);
  });

  it('comments follow others: an SDK comment appears in the open page, and a reply goes back', async () => {
    const open = await sdk.pages.create({
      parent: { page_id: server.boot.created!.pageId },
      properties: { title: { title: [{ text: { content: 'Release checklist' } }] } },
    });
    await page.goto(`${server.url}/app/p/${open.id}`);
    await page.getByText('No comments yet.').waitFor();
    // Written through the API while the page is open: shown without a reload (the poll).
    const fromSdk = (await sdk.comments.create({
      parent: { page_id: open.id },
      rich_text: [{ type: 'text', text: { content: 'Tagged v2.1 from CI' } }],
    })) as unknown as { discussion_id: string };
    const discussion = page.getByRole('listitem', { name: /^Discussion: Tagged v2\.1 from CI/ });
    await discussion.waitFor({ timeout: 15_000 });
    // A reply in the same discussion from the browser, read back through the SDK; then a second
    // SDK reply also arrives in the open page.
    await discussion.getByRole('textbox', { name: 'Reply' }).fill('Thanks, checking it');
    await discussion.getByRole('button', { name: 'Reply' }).click();
    await discussion.getByText('Thanks, checking it').waitFor();
    const listed = (await sdk.comments.list({ block_id: open.id })).results as unknown as {
      discussion_id: string;
      rich_text: { plain_text: string }[];
    }[];
    expect(listed.map((c) => c.rich_text[0]?.plain_text)).toEqual([
      'Tagged v2.1 from CI',
      'Thanks, checking it',
    ]);
    expect(listed[1]!.discussion_id).toBe(fromSdk.discussion_id);
    await sdk.comments.create({
      discussion_id: fromSdk.discussion_id,
      rich_text: [{ type: 'text', text: { content: 'Release notes are up' } }],
    });
    await discussion.getByText('Release notes are up').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('listitem', { name: /^Discussion:/ }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it("uploads two files into a row's files property; both are kept", async () => {
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: server.boot.created!.pageId },
      title: [{ type: 'text', text: { content: 'Contracts' } }],
      initial_data_source: { properties: { Name: { title: {} }, Scans: { files: {} } } },
    })) as { data_sources: { id: string }[] };
    const row = await sdk.pages.create({
      parent: { type: 'data_source_id', data_source_id: db.data_sources[0]!.id },
      properties: { Name: { title: [{ text: { content: 'Lease' } }] } },
    });
    await page.goto(`${server.url}/app/p/${row.id}`);
    await page.getByText('Upload a file', { exact: true }).click();
    const upload = page.getByRole('form', { name: 'Upload a file' });
    for (const name of ['page-1.txt', 'page-2.txt']) {
      await upload
        .getByLabel('File')
        .setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(name) });
      await upload.getByLabel('Add it').selectOption({ label: 'to the property Scans' });
      await upload.getByRole('button', { name: 'Upload' }).click();
      await page.getByText(`${name} was added to Scans.`).waitFor();
    }
    const read = (await sdk.pages.retrieve({ page_id: row.id })) as unknown as {
      properties: { Scans: { files: { name: string; file: { url: string } }[] } };
    };
    expect(read.properties.Scans.files.map((f) => f.name)).toEqual(['page-1.txt', 'page-2.txt']);
    expect(await (await fetch(read.properties.Scans.files[0]!.file.url)).text()).toBe('page-1.txt');
    expect(errors).toEqual([]);
  });
});
