/*
 * The browser app's Integrations screen and a page's Connections in a real browser (Debian's
 * Chromium via playwright-core) against a running server, on both engines: create an
 * integration with chosen capabilities, read its token (shown once), share a page with it from
 * the page, then retrieve that page with the official SDK and the token; disconnect, and the
 * SDK no longer finds it; rotate and revoke from the screen, and /v1 refuses the old tokens;
 * rename one (its bot user's name read back through users.me and users.list) and delete it
 * (confirmed): its token refused at once, and it is listed nowhere any more; change one's
 * capabilities from the keyboard, and the same token is refused (or allowed) at once.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import { Client } from '@notionhq/client';
import { expect, it } from 'vitest';
import { createAdminPage } from '../../src/ops/workspace.ts';
import { newAdmin, newPerson } from '../helpers/oauth.ts';
import { describeBrowser, useBrowser } from '../helpers/web-suite.ts';

describeBrowser('integrations browser test', 'Integrations and Connections in Chromium', (engine) => {
  const suite = useBrowser(engine, { permissions: ['clipboard-read', 'clipboard-write'] });

  it('creates an integration, shares a page through Connections, and the SDK reads it with the token', async () => {
    const { server, page, errors } = suite;
    const person = await newAdmin({ store: server.store });
    const plans = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: 'Launch plans', now: new Date().toISOString() }),
    );
    await page.goto(`${server.url}/app/integrations`);
    await suite.signIn(person);
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();

    const form = page.getByRole('form', { name: 'New integration' });
    await form.getByLabel('Name').fill('Release bot');
    // Read content is chosen by default; add comments, leave updating out.
    await form.getByLabel('Update content').uncheck();
    await form.getByLabel('Read comments').check();
    await form.getByRole('button', { name: 'Create integration' }).click();
    const token = (await page.getByTestId('token').textContent()) ?? '';
    expect(token).toMatch(/^ntn_/);
    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    const item = page
      .getByRole('list', { name: 'Integrations' })
      .getByRole('listitem', { name: 'Release bot' });
    await item.getByText('nothing shared yet').waitFor();
    expect(await item.textContent()).toContain('read_content, insert_content, read_comments');
    await page.getByRole('button', { name: 'Done' }).click();
    // Shown once: gone from the screen, and a reload does not bring it back.
    expect(await page.getByTestId('token').count()).toBe(0);
    await page.reload();
    await item.waitFor();
    expect(await page.content()).not.toContain(token);

    const sdk = new Client({ auth: token, baseUrl: server.url });
    await expect(sdk.pages.retrieve({ page_id: plans.id })).rejects.toMatchObject({
      code: 'object_not_found',
    });

    await page.goto(`${server.url}/app/p/${plans.id}`);
    await page.getByText('Connections').click();
    await page.getByLabel('Connect an integration').selectOption({ label: 'Release bot' });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('list', { name: 'Connected integrations' }).getByText('Release bot').waitFor();
    const got = (await sdk.pages.retrieve({ page_id: plans.id })) as unknown as {
      id: string;
      properties: { title: { title: { plain_text: string }[] } };
    };
    expect(got.id).toBe(plans.id);
    expect(got.properties.title.title.map((t) => t.plain_text).join('')).toBe('Launch plans');

    // The Integrations screen lists what it can reach.
    await page
      .getByRole('navigation', { name: 'Workspace' })
      .getByRole('link', { name: 'Integrations' })
      .click();
    await item.getByRole('link', { name: 'Launch plans' }).waitFor();

    await page.goto(`${server.url}/app/p/${plans.id}`);
    await page.getByText('Connections').click();
    await page.getByRole('button', { name: 'Disconnect Release bot' }).click();
    await page.getByText('Not shared with any integration.').waitFor();
    await expect(sdk.pages.retrieve({ page_id: plans.id })).rejects.toMatchObject({
      code: 'object_not_found',
    });
    // Rotate: a new token shown once, the old one refused; revoke (confirmed): refused too.
    await page
      .getByRole('navigation', { name: 'Workspace' })
      .getByRole('link', { name: 'Integrations' })
      .click();
    await item.getByRole('button', { name: 'Rotate the token of Release bot' }).click();
    await page.getByTestId('token').filter({ hasNotText: token }).waitFor();
    const rotated = (await page.getByTestId('token').textContent()) ?? '';
    expect(rotated).toMatch(/^ntn_/);
    await expect(sdk.users.me({})).rejects.toMatchObject({ code: 'unauthorized' });
    const next = new Client({ auth: rotated, baseUrl: server.url });
    expect((await next.users.me({})).type).toBe('bot');
    await page.getByRole('button', { name: 'Done' }).click();
    page.once('dialog', (d) => d.accept());
    await item.getByRole('button', { name: 'Revoke the token of Release bot' }).click();
    await item.getByText('(revoked)').waitFor();
    await expect(next.users.me({})).rejects.toMatchObject({ code: 'unauthorized' });
    expect(errors).toEqual([]);
  }, 90_000);

  it('renames an integration and deletes it: the SDK sees the new name, then refuses its token', async () => {
    const { server, page, errors } = suite;
    const person = await newAdmin({ store: server.store });
    const notes = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: 'Field notes', now: new Date().toISOString() }),
    );
    await page.context().clearCookies();
    await page.goto(`${server.url}/app/integrations`);
    await suite.signIn(person);
    const form = page.getByRole('form', { name: 'New integration' });
    await form.getByLabel('Name').fill('Draft bot');
    await form.getByRole('button', { name: 'Create integration' }).click();
    const token = (await page.getByTestId('token').textContent()) ?? '';
    expect(token).toMatch(/^ntn_/);
    await page.getByRole('button', { name: 'Done' }).click();
    const sdk = new Client({ auth: token, baseUrl: server.url });
    const bot = await sdk.users.me({});
    expect(bot.name).toBe('Draft bot');

    // Shared with a page, so the screen lists what it can reach.
    await page.goto(`${server.url}/app/p/${notes.id}`);
    await page.getByText('Connections').click();
    await page.getByLabel('Connect an integration').selectOption({ label: 'Draft bot' });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('list', { name: 'Connected integrations' }).getByText('Draft bot').waitFor();
    await page
      .getByRole('navigation', { name: 'Workspace' })
      .getByRole('link', { name: 'Integrations' })
      .click();
    const list = page.getByRole('list', { name: 'Integrations' });
    const draft = list.getByRole('listitem', { name: 'Draft bot' });
    await draft.getByRole('link', { name: 'Field notes' }).waitFor();

    // Rename: Escape leaves it as it was; Save name renames it (and its bot user).
    await draft.getByRole('button', { name: 'Rename Draft bot' }).click();
    const field = draft.getByLabel('New name of Draft bot');
    await field.fill('Thrown away');
    await field.press('Escape');
    expect(await draft.getByLabel('New name of Draft bot').count()).toBe(0);
    await draft.getByRole('button', { name: 'Rename Draft bot' }).click();
    expect(await field.inputValue()).toBe('Draft bot');
    await field.fill('Field bot');
    await draft.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').filter({ hasText: 'Draft bot is now called Field bot.' }).waitFor();
    const item = list.getByRole('listitem', { name: 'Field bot' });
    await item.getByRole('link', { name: 'Field notes' }).waitFor();
    expect(await list.getByRole('listitem', { name: 'Draft bot' }).count()).toBe(0);
    expect(await sdk.users.me({})).toMatchObject({ id: bot.id, type: 'bot', name: 'Field bot' });
    const everyone = await suite.sdk.users.list({});
    expect(everyone.results.find((u) => u.id === bot.id)?.name).toBe('Field bot');
    expect((await sdk.pages.retrieve({ page_id: notes.id })).id).toBe(notes.id);

    // Delete: dismissing the confirmation keeps it; accepting deletes it, and its token is refused.
    page.once('dialog', (d) => d.dismiss());
    await item.getByRole('button', { name: 'Delete Field bot' }).click();
    await page.waitForTimeout(300);
    expect(await item.count()).toBe(1);
    expect((await sdk.users.me({})).id).toBe(bot.id);
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      return d.accept();
    });
    await item.getByRole('button', { name: 'Delete Field bot' }).click();
    await page.getByRole('status').filter({ hasText: 'Field bot was deleted.' }).waitFor();
    expect(asked).toContain('Its token stops working at once');
    expect(await item.count()).toBe(0);
    await expect(sdk.users.me({})).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(sdk.pages.retrieve({ page_id: notes.id })).rejects.toMatchObject({ code: 'unauthorized' });
    // Listed nowhere: not on this screen after a reload, not in the page's Connections.
    await page.reload();
    await list.getByRole('listitem', { name: 'Octavo Quickstart' }).waitFor();
    expect(await list.getByRole('listitem', { name: 'Field bot' }).count()).toBe(0);
    await page.goto(`${server.url}/app/p/${notes.id}`);
    await page.getByText('Connections').click();
    await page.getByText('Not shared with any integration.').waitFor();
    expect(await page.getByLabel('Connect an integration').locator('option').allTextContents()).not.toContain(
      'Field bot',
    );
    expect(errors).toEqual([]);
  }, 120_000);

  it("changes an integration's capabilities from the keyboard: the same token is refused at once", async () => {
    const { server, page, errors } = suite;
    const person = await newAdmin({ store: server.store });
    const inbox = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: 'Inbox', now: new Date().toISOString() }),
    );
    await page.context().clearCookies();
    await page.goto(`${server.url}/app/integrations`);
    await suite.signIn(person);
    const form = page.getByRole('form', { name: 'New integration' });
    await form.getByLabel('Name').fill('Filing bot');
    await form.getByRole('button', { name: 'Create integration' }).click();
    const token = (await page.getByTestId('token').textContent()) ?? '';
    expect(token).toMatch(/^ntn_/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.goto(`${server.url}/app/p/${inbox.id}`);
    await page.getByText('Connections').click();
    await page.getByLabel('Connect an integration').selectOption({ label: 'Filing bot' });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('list', { name: 'Connected integrations' }).getByText('Filing bot').waitFor();

    const sdk = new Client({ auth: token, baseUrl: server.url });
    const file = () =>
      sdk.pages.create({
        parent: { page_id: inbox.id },
        properties: { title: { title: [{ text: { content: 'Filed' } }] } },
      });
    expect((await file()).object).toBe('page');

    await page
      .getByRole('navigation', { name: 'Workspace' })
      .getByRole('link', { name: 'Integrations' })
      .click();
    const item = page
      .getByRole('list', { name: 'Integrations' })
      .getByRole('listitem', { name: 'Filing bot' });
    expect(await item.textContent()).toContain('read_content, update_content, insert_content');
    // Keyboard only: open the form (the first box takes the focus), Escape leaves it unchanged.
    const open = item.getByRole('button', { name: 'Change the capabilities of Filing bot' });
    await open.focus();
    await page.keyboard.press('Enter');
    const edit = item.getByRole('form', { name: 'Capabilities of Filing bot' });
    const read = edit.getByRole('checkbox', { name: 'Read content' });
    await read.waitFor();
    expect(await read.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await read.isChecked()).toBe(true);
    expect(await edit.getByRole('checkbox', { name: 'Read comments' }).isChecked()).toBe(false);
    await page.keyboard.press('Escape');
    expect(await edit.count()).toBe(0);
    await open.focus();
    await page.keyboard.press('Enter');
    // Tab to "Insert content" (the third box), clear it with Space, Tab to Save and press Enter.
    await read.waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const insert = edit.getByRole('checkbox', { name: 'Insert content' });
    expect(await insert.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Space');
    expect(await insert.isChecked()).toBe(false);
    await edit.getByRole('button', { name: 'Save capabilities' }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: 'The capabilities of Filing bot were changed.' })
      .waitFor();
    expect(await edit.count()).toBe(0);
    expect(await item.textContent()).toContain('read_content, update_content');
    expect(await item.textContent()).not.toContain('insert_content');

    // The same token, at once: Notion's error for a missing capability; reading still works.
    await expect(file()).rejects.toMatchObject({
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    });
    expect((await sdk.pages.retrieve({ page_id: inbox.id })).id).toBe(inbox.id);

    // Kept after a reload; given back with the mouse, and the token may insert again.
    await page.reload();
    await item.getByRole('button', { name: 'Change the capabilities of Filing bot' }).click();
    expect(await edit.getByRole('checkbox', { name: 'Insert content' }).isChecked()).toBe(false);
    await edit.getByRole('checkbox', { name: 'Insert content' }).check();
    await edit.getByRole('button', { name: 'Save capabilities' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'The capabilities of Filing bot were changed.' })
      .waitFor();
    expect((await file()).object).toBe('page');
    expect(errors).toEqual([]);
  }, 90_000);

  it('shows a member the integrations read-only and no admin screens; Connections still work', async () => {
    const { server, page, errors } = suite;
    const member = await newPerson({ store: server.store });
    const notes = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: 'Member notes', now: new Date().toISOString() }),
    );
    await page.context().clearCookies();
    await page.goto(`${server.url}/app/integrations`);
    await suite.signIn(member);
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await page
      .getByRole('note')
      .filter({ hasText: 'Only a workspace admin can create integrations' })
      .waitFor();
    const list = page.getByRole('list', { name: 'Integrations' });
    await list.getByRole('listitem', { name: 'Octavo Quickstart' }).waitFor();
    expect(await page.getByRole('form', { name: 'New integration' }).count()).toBe(0);
    expect(await list.getByRole('button').count()).toBe(0);
    const links = page.getByRole('list', { name: 'Workspace settings' }).getByRole('link');
    expect(await links.allTextContents()).toEqual(['Integrations']);
    // Typed into the address bar, an admin screen says it is for admins.
    await page.goto(`${server.url}/app/webhooks`);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Only a workspace admin can manage webhook subscriptions' })
      .waitFor();

    // A member shares a page with an integration from the page, read back through the SDK.
    await page.goto(`${server.url}/app/p/${notes.id}`);
    await page.getByText('Connections').click();
    await page.getByLabel('Connect an integration').selectOption({ label: 'Octavo Quickstart' });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('list', { name: 'Connected integrations' }).getByText('Octavo Quickstart').waitFor();
    const got = await suite.sdk.pages.retrieve({ page_id: notes.id });
    expect(got.id).toBe(notes.id);
    expect(errors).toEqual([]);
  }, 90_000);
});
