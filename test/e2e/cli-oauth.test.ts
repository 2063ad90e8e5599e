/*
 * `octavo user create --password|--password-stdin`, `octavo user password` and
 * `octavo integration create|list|rotate|delete --public` as child processes; what they wrote is
 * then checked through the operations a server would use (sign-in, client authentication).
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clientAuthenticates } from '../../src/oauth/tokens.ts';
import { signIn } from '../../src/ops/accounts.ts';
import { openStore } from '../../src/store/connect.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { BIN, type CliResult, runCli, runCliJson, storageFor } from './cli-process.ts';

function runWithStdin(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<CliResult> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env, timeout: 30_000 },
      (err, stdout, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

describeEngines('octavo user and public integration commands', (engine) => {
  let storage: ReturnType<typeof storageFor>;
  beforeAll(() => {
    storage = storageFor(engine);
  });
  afterAll(() => storage?.cleanup());

  const open = () =>
    engine === 'postgres'
      ? openStore({ databaseUrl: PG_URL, pgSchema: storage.env.OCTAVO_PG_SCHEMA! })
      : openStore({ dataDir: storage.args[1]! });

  it('creates people with passwords that sign in, and refuses short ones', async () => {
    const a = await runCliJson(
      [
        'user',
        'create',
        '--name',
        'Ada',
        '--email',
        'ada@example.com',
        '--password',
        'long enough pw',
        ...storage.args,
      ],
      storage.env,
    );
    expect(a).toMatchObject({ email: 'ada@example.com', password: true });
    const b = await runWithStdin(
      ['user', 'create', '--name', 'Bob', '--email', 'bob@example.com', '--password-stdin', ...storage.args],
      storage.env,
      'from standard input\n',
    );
    expect(b.code).toBe(0);
    const short = await runCli(
      ['user', 'create', '--name', 'C', '--email', 'c@example.com', '--password', 'short', ...storage.args],
      storage.env,
    );
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 8 characters');
    const changed = await runCli(
      ['user', 'password', '--email', 'ada@example.com', '--password', 'a new password', ...storage.args],
      storage.env,
    );
    expect(changed.code).toBe(0);

    const store = await open();
    try {
      const now = new Date();
      expect(
        (await signIn(store, { email: 'bob@example.com', password: 'from standard input', now })).ok,
      ).toBe(true);
      expect((await signIn(store, { email: 'ada@example.com', password: 'long enough pw', now })).ok).toBe(
        false,
      );
      expect((await signIn(store, { email: 'ada@example.com', password: 'a new password', now })).ok).toBe(
        true,
      );
    } finally {
      await store.close();
    }
  });

  it('creates, lists, rotates and deletes a public integration', async () => {
    const made = await runCliJson<{ client_id: string; client_secret: string; redirect_uris: string[] }>(
      [
        'integration',
        'create',
        '--public',
        '--name',
        'CLI app',
        '--redirect-uri',
        'https://cli.example/cb',
        '--redirect-uri',
        'http://127.0.0.1:9999/cb',
        '--capabilities',
        'read_content',
        ...storage.args,
      ],
      storage.env,
    );
    expect(made.redirect_uris).toEqual(['https://cli.example/cb', 'http://127.0.0.1:9999/cb']);
    const human = await runCli(['integration', 'list', '--public', ...storage.args], storage.env);
    expect(human.stdout).toContain('CLI app');
    expect(human.stdout).not.toContain(made.client_secret);
    const rotated = await runCliJson<{ client_secret: string }>(
      ['integration', 'rotate', 'CLI app', '--public', ...storage.args],
      storage.env,
    );
    const store = await open();
    try {
      expect(await clientAuthenticates(store, made.client_id, rotated.client_secret)).toBe(true);
      expect(await clientAuthenticates(store, made.client_id, made.client_secret)).toBe(false);
    } finally {
      await store.close();
    }
    const missing = await runCli(
      ['integration', 'create', '--public', '--name', 'No URI', ...storage.args],
      storage.env,
    );
    expect(missing.code).toBe(2);
    expect(
      (await runCli(['integration', 'delete', 'CLI app', '--public', ...storage.args], storage.env)).code,
    ).toBe(0);
    const gone = await runCli(['integration', 'delete', 'CLI app', '--public', ...storage.args], storage.env);
    expect(gone.code).toBe(1);
  });
});
