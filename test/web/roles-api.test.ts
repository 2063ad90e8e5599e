/*
 * Workspace management is for admins (web/app-api.routes.ts `adminOnly`), over real HTTP on both
 * engines: a member is answered 403 `restricted_resource`, naming what only an admin may do, for
 * every management route of /app/api (integrations' create/rename/capabilities/rotate/revoke/
 * delete, webhooks and their deliveries, automations and their runs, the request log, the
 * emulator controls, members and invitations) and the request log page, and nothing is created; a member still lists the
 * integrations and shares a page through its Connections; an admin does what a member may not.
 * The shell tells the app the person's role.
 */
import { expect, it } from 'vitest';
import { createAdminPage } from '../../src/ops/workspace.ts';
import { describeEngines } from '../helpers/engines.ts';
import { newSignedInPerson, useWebServer } from '../helpers/web-suite.ts';

const QUICKSTART = 'Octavo Quickstart';

describeEngines('/app/api management is for admins', (engine) => {
  const suite = useWebServer(engine);

  it('answers 403 with a clear message to a member, and changes nothing', async () => {
    const { server } = suite;
    const member = await newSignedInPerson(server);
    const ints = await member.call<{ results: { id: string; name: string; capabilities: string[] }[] }>(
      'GET',
      '/app/api/integrations',
    );
    expect(ints.status).toBe(200);
    const quick = ints.json.results.find((i) => i.name === QUICKSTART)!;
    const refused: [string, string, unknown, string][] = [
      [
        'POST',
        '/app/api/integrations',
        { name: 'Sneaky' },
        'create, rename, rotate, revoke or delete integrations or change their capabilities',
      ],
      [
        'POST',
        `/app/api/integrations/${quick.id}/rotate`,
        undefined,
        'create, rename, rotate, revoke or delete integrations or change their capabilities',
      ],
      [
        'POST',
        `/app/api/integrations/${quick.id}/revoke`,
        undefined,
        'create, rename, rotate, revoke or delete integrations or change their capabilities',
      ],
      [
        'PATCH',
        `/app/api/integrations/${quick.id}`,
        { name: 'Renamed by a member' },
        'create, rename, rotate, revoke or delete integrations or change their capabilities',
      ],
      [
        'PATCH',
        `/app/api/integrations/${quick.id}`,
        { capabilities: ['read_content'] },
        'create, rename, rotate, revoke or delete integrations or change their capabilities',
      ],
      [
        'DELETE',
        `/app/api/integrations/${quick.id}`,
        undefined,
        'create, rename, rotate, revoke or delete integrations or change their capabilities',
      ],
      ['GET', '/app/api/webhooks', undefined, 'manage webhook subscriptions'],
      [
        'POST',
        '/app/api/webhooks',
        { integration_id: quick.id, url: 'https://example.com/hook' },
        'manage webhook subscriptions',
      ],
      ['POST', '/app/api/webhook_deliveries/x/replay', undefined, 'manage webhook subscriptions'],
      ['GET', '/app/api/automations', undefined, 'manage automations'],
      ['POST', '/app/api/automation_runs/x/retry', undefined, 'manage automations'],
      ['GET', '/app/api/requests', undefined, 'read the request log'],
      ['GET', '/app/api/emulator', undefined, 'use the emulator controls'],
      ['DELETE', '/app/api/emulator/requests', undefined, 'use the emulator controls'],
      ['GET', '/app/api/members', undefined, 'manage invitations'],
      ['POST', '/app/api/invitations', { email: 'friend@example.com' }, 'manage invitations'],
    ];
    for (const [method, path, body, what] of refused) {
      const res = await member.call<{ object: string; status: number; code: string; message: string }>(
        method,
        path,
        body,
      );
      expect({ path, status: res.status, json: res.json }).toEqual({
        path,
        status: 403,
        json: expect.objectContaining({
          object: 'error',
          status: 403,
          code: 'restricted_resource',
          message: `Only a workspace admin may ${what}.`,
        }),
      });
    }
    const after = await member.call<{
      results: { name: string; revoked_time: string | null; capabilities: string[] }[];
    }>('GET', '/app/api/integrations');
    expect(after.json.results.map((i) => i.name)).not.toContain('Sneaky');
    expect(after.json.results.map((i) => i.name)).not.toContain('Renamed by a member');
    expect(after.json.results.find((i) => i.name === QUICKSTART)?.revoked_time).toBeNull();
    expect(after.json.results.find((i) => i.name === QUICKSTART)?.capabilities).toEqual(quick.capabilities);
    const page = await member.jar.fetch('/requests');
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('Only a workspace admin may read the request log.');
  });

  it('lets a member share a page through its Connections, and an admin manage what they may not', async () => {
    const { server } = suite;
    const page = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: 'Roles', now: new Date().toISOString() }),
    );
    const admin = await newSignedInPerson(server, { admin: true });
    const made = await admin.call<{ id: string; token: string }>('POST', '/app/api/integrations', {
      name: 'Reporter',
    });
    expect(made.status).toBe(200);
    expect(typeof made.json.token).toBe('string');
    expect((await admin.call('GET', '/app/api/webhooks')).status).toBe(200);
    expect((await admin.call('GET', '/app/api/automations')).status).toBe(200);
    expect((await admin.call('GET', '/app/api/requests')).status).toBe(200);

    const member = await newSignedInPerson(server);
    const shared = await member.call('POST', `/app/api/pages/${page.id}/connections`, {
      integration_id: made.json.id,
    });
    expect(shared.status).toBe(200);
    const listed = await member.call<{ results: { name: string }[] }>(
      'GET',
      `/app/api/pages/${page.id}/connections`,
    );
    expect(listed.json.results.map((i) => i.name)).toEqual(['Reporter']);
    expect(
      (await member.call('DELETE', `/app/api/pages/${page.id}/connections/${made.json.id}`)).status,
    ).toBe(200);

    // The shell says who is an admin (the app hides the admin screens from members).
    const shell = async (who: typeof admin) => (await who.jar.fetch('/app')).text();
    expect(await shell(admin)).toContain('<meta name="octavo-role" content="admin">');
    expect(await shell(member)).toContain('<meta name="octavo-role" content="member">');
  });
});
