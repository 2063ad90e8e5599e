/*
 * Invitation links in a real browser (Debian's Chromium via playwright-core), on both engines: an
 * admin opens Members, makes a link (shown once), revokes another; the invitee opens the link
 * signed out, chooses a name and a password, lands in the app signed in, and the official SDK
 * lists them; a member who is not an admin is told the screen is for admins.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import { expect, it } from 'vitest';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, useBrowser } from '../helpers/web-suite.ts';

describeBrowser('invitations browser test', 'Invitation links in Chromium', (engine) => {
  const suite = useBrowser(engine);

  it('an admin invites from Members; the invitee joins with the link and is signed in', async () => {
    const { server, page, sdk, context, errors } = suite;
    const admin = await newPerson({ store: server.store });
    await server.store.transaction((tx) => tx.invitations.setRole(admin.user.id, 'admin'));
    await page.goto(`${server.url}/app/members`);
    await suite.signIn(admin);
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    await page
      .getByRole('list', { name: 'Members' })
      .getByRole('listitem', { name: admin.user.name })
      .waitFor();

    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Email').fill('dropped@example.com');
    await form.getByRole('button', { name: 'Create invitation link' }).click();
    await page.getByTestId('invitation-link').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Revoke the invitation for dropped@example.com' }).click();
    await page
      .getByRole('listitem', { name: 'Invitation for dropped@example.com' })
      .getByText('revoked')
      .waitFor();

    const email = `joiner-${engine}@example.com`;
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption('member');
    await form.getByLabel('Days valid').fill('3');
    await form.getByRole('button', { name: 'Create invitation link' }).click();
    const link = (await page.getByTestId('invitation-link').textContent()) ?? '';
    expect(link).toMatch(new RegExp(`^${server.url}/invite/[A-Za-z0-9]{43}$`));
    await page
      .getByRole('listitem', { name: `Invitation for ${email}` })
      .getByText('open')
      .waitFor();

    // The invitee, in a browser that is signed out.
    await context.clearCookies();
    await page.goto(link);
    await page.getByRole('heading', { name: /^Join / }).waitFor();
    await page.getByLabel('Name').fill('Joiner');
    await page.getByLabel('Password', { exact: true }).fill('a long password');
    await page.getByLabel('Password again').fill('a long password');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL(`${server.url}/app`);
    await page.getByRole('navigation', { name: 'Workspace' }).getByText('Joiner').waitFor();
    const users = await sdk.users.list({});
    expect(users.results.find((u) => u.name === 'Joiner')).toMatchObject({
      type: 'person',
      person: { email },
    });

    // A member: no Members link in the sidebar, and the screen says it is for admins; the used
    // link opens nothing.
    const nav = page.getByRole('navigation', { name: 'Workspace' });
    expect(await nav.getByRole('link', { name: 'Members' }).count()).toBe(0);
    await page.goto(`${server.url}/app/members`);
    await page.getByRole('alert').filter({ hasText: 'Only a workspace admin' }).waitFor();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Invitation not valid' }).waitFor();
    expect(errors).toEqual([]);
  }, 90_000);
});
