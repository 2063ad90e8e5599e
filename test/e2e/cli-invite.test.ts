/*
 * `octavo user create --admin`, `octavo user invite` and `octavo user role` as child processes;
 * what they wrote is checked through the store (the role, the invitation's hash) and the link is
 * accepted through the operation the invitation page calls.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto.ts';
import { acceptInvitation, openInvitation } from '../../src/ops/invitations.ts';
import { openStore } from '../../src/store/connect.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { runCli, runCliJson, storageFor } from './cli-process.ts';

describeEngines('octavo user invite and user role', (engine) => {
  let storage: ReturnType<typeof storageFor>;
  beforeAll(() => {
    storage = storageFor(engine);
  });
  afterAll(() => storage?.cleanup());

  const open = () =>
    engine === 'postgres'
      ? openStore({ databaseUrl: PG_URL, pgSchema: storage.env.OCTAVO_PG_SCHEMA! })
      : openStore({ dataDir: storage.args[1]! });

  it('makes admins, invitation links that work once, and changes roles', async () => {
    const admin = await runCliJson(
      ['user', 'create', '--name', 'Ada', '--email', 'ada@example.com', '--admin', ...storage.args],
      storage.env,
    );
    expect(admin).toMatchObject({ email: 'ada@example.com', role: 'admin' });
    const env = { ...storage.env, OCTAVO_PUBLIC_URL: 'https://octavo.example.com' };
    const made = await runCliJson<{ id: string; url: string; role: string; expires_time: string }>(
      ['user', 'invite', '--email', 'grace@example.com', '--days', '2', ...storage.args],
      env,
    );
    expect(made.role).toBe('member');
    expect(made.url).toMatch(/^https:\/\/octavo\.example\.com\/invite\/[A-Za-z0-9]{43}$/);
    expect(Date.parse(made.expires_time) - Date.now()).toBeGreaterThan(86_400_000);
    const dup = await runCli(['user', 'invite', '--email', 'grace@example.com', ...storage.args], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('open invitation');
    const bad = await runCli([
      'user',
      'invite',
      '--email',
      'grace@example.com',
      '--days',
      'x',
      ...storage.args,
    ]);
    expect(bad.code).toBe(2);

    const store = await open();
    try {
      const token = made.url.split('/').at(-1)!;
      const row = await store.transaction((tx) => tx.invitations.get(made.id));
      expect(row!.token_hash).toBe(sha256Hex(token));
      const opened = await openInvitation(store, token, new Date());
      expect(opened.ok).toBe(true);
      const joined = await acceptInvitation(store, {
        invitationId: made.id,
        name: 'Grace',
        passwordHash: 'scrypt$10$8$1$x$y',
        now: new Date(),
      });
      expect(joined?.user.email).toBe('grace@example.com');
      expect(
        await acceptInvitation(store, {
          invitationId: made.id,
          name: 'Again',
          passwordHash: 'h',
          now: new Date(),
        }),
      ).toBeNull();
    } finally {
      await store.close();
    }

    const role = await runCliJson(
      ['user', 'role', '--email', 'grace@example.com', '--role', 'admin', ...storage.args],
      storage.env,
    );
    expect(role).toMatchObject({ role: 'admin' });
    expect(
      (await runCli(['user', 'role', '--email', 'grace@example.com', '--role', 'owner', ...storage.args]))
        .code,
    ).toBe(2);
    const check = await open();
    try {
      const grace = await check.transaction((tx) => tx.users.getByEmail('grace@example.com'));
      expect(await check.transaction((tx) => tx.invitations.roleOf(grace!.id))).toBe('admin');
    } finally {
      await check.close();
    }
  }, 120_000);
});
