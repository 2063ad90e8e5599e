/**
 * The outbound address policy of webhook requests: URL shape, literal addresses, the post-DNS
 * check (a name that resolves to loopback), the setting and its default, and the signature.
 */
import { signWebhookPayload, verifyWebhookSignature } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { guardedLookup } from '../../src/lib/net.ts';
import { checkWebhookUrl, postJson, signBody } from '../../src/webhooks/send.ts';
import { type Receiver, startReceiver } from './support.ts';

describe('webhook URLs', () => {
  it('refuses other schemes, credentials and loopback or private literals unless allowed', () => {
    expect(checkWebhookUrl('ftp://example.com/x', true)).toMatch(/http/);
    expect(checkWebhookUrl('https://u:p@example.com/x', true)).toMatch(/credentials/);
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://localhost/x',
      'http://[::1]/x',
      'http://10.1.2.3/x',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      expect(checkWebhookUrl(url, false)).toMatch(/OCTAVO_WEBHOOK_ALLOW_PRIVATE/);
      expect(checkWebhookUrl(url, true)).toBeNull();
    }
    expect(checkWebhookUrl('https://example.com/hook', false)).toBeNull();
  });

  it('checks the address a name resolves to (post-DNS)', async () => {
    const lookup = guardedLookup(false, (host, address) => new Error(`${host} -> ${address} refused`));
    const err = await new Promise<Error | null>((done) => lookup('localhost', {}, (e) => done(e)));
    expect(err?.message).toMatch(/^localhost -> (127\.0\.0\.1|::1) refused$/);
    const open = guardedLookup(true, () => new Error('no'));
    const ok = await new Promise<Error | null>((done) => open('localhost', {}, (e) => done(e)));
    expect(ok).toBeNull();
  });
});

describe('sending', () => {
  let rx: Receiver;
  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterAll(() => rx.close());

  it('never connects to a refused address and says why', async () => {
    const r = await postJson(rx.url, '{}', {}, { allowPrivate: false, timeoutMs: 1000 });
    expect(r).toMatchObject({ ok: false, status: null });
    expect(r.error).toMatch(/loopback or private/);
    expect(rx.received).toHaveLength(0);
  });

  it('signs the exact bytes as the SDK does', async () => {
    const body = '{"a":"é","b":[1,2]}';
    expect(signBody(body, 'secret_x')).toBe(
      await signWebhookPayload({ body, verificationToken: 'secret_x' }),
    );
    expect(
      await verifyWebhookSignature({
        body,
        signature: signBody(body, 'secret_x'),
        verificationToken: 'secret_x',
      }),
    ).toBe(true);
  });
});

describe('OCTAVO_WEBHOOK_ALLOW_PRIVATE', () => {
  it('defaults to allowed on a loopback host and refused otherwise; the variable overrides', () => {
    expect(loadConfig({}, {}).webhooks.allowPrivate).toBe(true);
    expect(loadConfig({ host: '::1' }, {}).webhooks.allowPrivate).toBe(true);
    expect(loadConfig({ host: '0.0.0.0' }, {}).webhooks.allowPrivate).toBe(false);
    expect(loadConfig({}, { OCTAVO_HOST: '192.168.1.5' }).webhooks.allowPrivate).toBe(false);
    expect(loadConfig({ host: '0.0.0.0' }, { OCTAVO_WEBHOOK_ALLOW_PRIVATE: '1' }).webhooks.allowPrivate).toBe(
      true,
    );
    expect(loadConfig({}, { OCTAVO_WEBHOOK_ALLOW_PRIVATE: 'false' }).webhooks.allowPrivate).toBe(false);
  });

  it('refuses values Octavo cannot use, naming the variable', () => {
    expect(() => loadConfig({}, { OCTAVO_WEBHOOK_ALLOW_PRIVATE: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { OCTAVO_WEBHOOK_MAX_ATTEMPTS: '9' })).toThrow(/OCTAVO_WEBHOOK_MAX_ATTEMPTS/);
    expect(loadConfig({}, {}).webhooks).toMatchObject({
      maxAttempts: 8,
      backoffMs: 600_000,
      timeoutMs: 5000,
    });
  });
});
