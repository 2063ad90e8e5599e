/**
 * `octavo webhook …` as real processes beside `octavo serve` (jobs inline): create, the
 * handshake, verify, a signed delivery over real HTTP, list, deliveries, replay, delete; the
 * outbound address policy; and `webhook listen --forward-to`.
 */
import { spawn } from 'node:child_process';
import { Client, verifyWebhookSignature } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, runCliJson, type ServeProcess, startServe, storageFor } from '../e2e/cli-process.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Receiver, startReceiver, waitFor } from './support.ts';

describeEngines('octavo webhook', (engine) => {
  const storage = storageFor(engine);
  const env = { ...storage.env, OCTAVO_WEBHOOK_POLL_MS: '20', OCTAVO_WEBHOOK_BACKOFF_MS: '200' };
  let serve: ServeProcess;
  let rx: Receiver;
  let client: Client;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' JSON, read loosely by the tests
  const cli = (args: string[]) => runCliJson<Record<string, any>>([...args, ...storage.args], env);
  beforeAll(async () => {
    rx = await startReceiver();
    serve = await startServe(['--port', '0', ...storage.args], env);
    client = new Client({ auth: serve.token!, baseUrl: serve.url, logLevel: 'error' as never });
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
    await rx.close();
    await storage.cleanup();
  });

  it('creates, verifies, delivers signed, lists, logs, replays and deletes', async () => {
    const made = await cli([
      'webhook',
      'create',
      '--integration',
      'Octavo Quickstart',
      '--url',
      rx.url,
      '--events',
      'page.created',
    ]);
    expect(made).toMatchObject({ status: 'pending_verification', event_types: ['page.created'] });
    const hs = await waitFor(
      () => rx.received.find((r) => 'verification_token' in r.json),
      20_000,
      'the handshake',
    );
    const token = String(hs.json.verification_token);
    expect((await runCli(['webhook', 'verify', made.id, 'secret_wrong', ...storage.args], env)).code).toBe(1);
    expect(await cli(['webhook', 'verify', made.id, token])).toMatchObject({ status: 'active' });
    const page = await client.pages.create({
      parent: { page_id: serve.pageId },
      properties: { title: { title: [{ text: { content: 'Over the wire' } }] } },
    });
    const got = await waitFor(
      () => rx.received.find((r) => r.json.type === 'page.created'),
      20_000,
      'the event',
    );
    expect(got.json).toMatchObject({ entity: { id: page.id }, subscription_id: made.id, attempt_number: 1 });
    expect(
      await verifyWebhookSignature({
        body: got.raw,
        signature: got.headers['x-notion-signature'] as string,
        verificationToken: token,
      }),
    ).toBe(true);
    const listed = await cli(['webhook', 'list']);
    expect(listed.results).toMatchObject([{ id: made.id, status: 'active' }]);
    const log = await waitFor(async () => {
      const l = await cli(['webhook', 'deliveries', made.id]);
      return l.results.find((d: { kind: string }) => d.kind === 'event');
    });
    expect(log).toMatchObject({
      status: 'succeeded',
      response_status: 200,
      attempt_number: 1,
      event_id: got.json.id,
    });
    const text = await runCli(['webhook', 'deliveries', ...storage.args], env);
    expect(text.stdout).toContain('event attempt 1\tsucceeded\tpage.created');
    await cli(['webhook', 'replay', log.id]);
    await waitFor(
      () => rx.received.filter((r) => r.json.id === got.json.id).length === 2,
      20_000,
      'the replay',
    );
    expect(await cli(['webhook', 'delete', made.id])).toMatchObject({ id: made.id });
    expect((await cli(['webhook', 'list'])).results).toEqual([]);
  }, 90_000);

  it('refuses a loopback URL when the server is not bound to loopback, unless allowed', async () => {
    const args = [
      'webhook',
      'create',
      '--integration',
      'Octavo Quickstart',
      '--url',
      'http://127.0.0.1:9/x',
      ...storage.args,
    ];
    const refused = await runCli(args, { ...env, OCTAVO_HOST: '0.0.0.0' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('OCTAVO_WEBHOOK_ALLOW_PRIVATE');
    const allowed = await runCli([...args, '--json'], {
      ...env,
      OCTAVO_HOST: '0.0.0.0',
      OCTAVO_WEBHOOK_ALLOW_PRIVATE: '1',
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    await runCli(['webhook', 'delete', JSON.parse(allowed.stdout).id, ...storage.args], env);
  }, 60_000);

  it('listen streams events and forwards them signed with the session secret', async () => {
    const fwd = rx.url.replace('/hook', '/forwarded');
    const proc = spawn(
      process.execPath,
      [serve.child.spawnargs[1]!, 'webhook', 'listen', '--forward-to', fwd, '--json', ...storage.args],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    try {
      const secret = (
        await waitFor(() => /signing secret: (secret_\w+)/.exec(err), 20_000, `listen to start (${err})`)
      )[1]!;
      const page = await client.pages.create({
        parent: { page_id: serve.pageId },
        properties: { title: { title: [{ text: { content: 'Heard' } }] } },
      });
      const line = await waitFor(
        () => out.split('\n').find((l) => l.includes(page.id) && l.includes('page.created')),
        20_000,
      );
      expect(JSON.parse(line)).toMatchObject({ type: 'page.created', entity: { id: page.id, type: 'page' } });
      const forwarded = await waitFor(
        () => rx.received.find((r) => r.path === '/forwarded' && r.raw === line),
        20_000,
      );
      expect(
        await verifyWebhookSignature({
          body: forwarded.raw,
          signature: forwarded.headers['x-notion-signature'] as string,
          verificationToken: secret,
        }),
      ).toBe(true);
    } finally {
      proc.kill('SIGTERM');
    }
  }, 60_000);
});
