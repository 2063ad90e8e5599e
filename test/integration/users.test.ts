import { APIResponseError } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

describeEngines('users', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('GET /v1/users/me returns the integration bot with its workspace owner', async () => {
    const me = await h.client().users.me({});
    expect(me.type).toBe('bot');
    expect(me.name).toBe('Octavo Quickstart');
    if (me.type !== 'bot') throw new Error('not a bot');
    expect(me.bot).toMatchObject({ owner: { type: 'workspace', workspace: true }, workspace_name: 'Octavo' });
  });

  it('GET /v1/users lists people and bots, paginated', async () => {
    await h.newIntegration('Second bot');
    const first = await h.client().users.list({ page_size: 1 });
    expect(first.results).toHaveLength(1);
    expect(first.has_more).toBe(true);
    expect(first.next_cursor).toBeTruthy();
    const all = await h.client().users.list({});
    expect(all.results.length).toBeGreaterThanOrEqual(3);
    expect(all.next_cursor).toBeNull();
    const second = await h.client().users.list({ page_size: 1, start_cursor: first.next_cursor! });
    expect(second.results[0]!.id).not.toBe(first.results[0]!.id);
  });

  it('shows email only with the user-information-with-email capability', async () => {
    const withEmail = await h.client().users.list({});
    const admin = withEmail.results.find((u) => 'type' in u && u.type === 'person');
    expect(admin && 'person' in admin && admin.person.email).toBe('admin@octavo.local');
    // Notion sends email_verified beside the address; Octavo verifies none, so it is false.
    expect(admin && 'person' in admin && admin.person).toEqual({
      email: 'admin@octavo.local',
      email_verified: false,
    });
    const token = await h.newIntegration('No email', ['read_content', 'read_users']);
    const without = await h.client({ token }).users.retrieve({ user_id: admin!.id });
    expect('person' in without && without.person).toEqual({});
  });

  it('GET /v1/users needs the user-information capability', async () => {
    const token = await h.newIntegration('No users', ['read_content']);
    const err = await h
      .client({ token })
      .users.list({})
      .catch((e) => e);
    expect(err).toBeInstanceOf(APIResponseError);
    expect(err.code).toBe('restricted_resource');
    expect(err.status).toBe(403);
  });

  it('GET /v1/users/{id} returns 404 object_not_found for an unknown user', async () => {
    const err = await h
      .client()
      .users.retrieve({ user_id: '00000000000000000000000000000000' })
      .catch((e) => e);
    expect(err.code).toBe('object_not_found');
  });
});
