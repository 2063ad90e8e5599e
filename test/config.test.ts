/** Reading the configuration: what is accepted as it is, and the one-line refusals. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const load = (env: Record<string, string>, flags = {}) => loadConfig(flags, env);

describe('loadConfig', () => {
  it('takes IPv4 and IPv6 addresses and host names as the host', () => {
    for (const host of [
      '127.0.0.1',
      '0.0.0.0',
      '::',
      '::1',
      'fe80::1',
      'localhost',
      'octavo.internal',
      'a-b.example.com',
    ])
      expect(load({ OCTAVO_HOST: host }).host).toBe(host);
    expect(load({}, { host: '::' }).host).toBe('::');
  });

  it.each(['not a host!', '[::1]', 'host:7400', 'http://localhost', '-leading.example'])(
    'refuses the host %j with a ConfigError naming the variable',
    (host) => {
      const attempt = () => load({ OCTAVO_HOST: host });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/^OCTAVO_HOST must be an IP address or a host name, not /);
    },
  );

  it('reads an empty OCTAVO_HOST as unset', () => {
    expect(load({ OCTAVO_HOST: '' }).host).toBe('127.0.0.1');
  });

  it('takes an http(s) OCTAVO_PUBLIC_URL, with a path, without its trailing slash', () => {
    expect(load({ OCTAVO_PUBLIC_URL: 'https://octavo.example.com/' }).publicUrl).toBe(
      'https://octavo.example.com',
    );
    expect(load({ OCTAVO_PUBLIC_URL: 'http://10.0.0.5:8080/notion//' }).publicUrl).toBe(
      'http://10.0.0.5:8080/notion',
    );
    expect(load({}).publicUrl).toBeUndefined();
  });

  it.each([
    'octavo.example.com',
    'ftp://octavo.example.com',
    'https://u:p@octavo.example.com',
    'https://x.example/?a=1',
    'https://x.example/#top',
    'http://',
  ])('refuses OCTAVO_PUBLIC_URL %j in one line', (url) => {
    expect(() => load({ OCTAVO_PUBLIC_URL: url })).toThrow(ConfigError);
    expect(() => load({ OCTAVO_PUBLIC_URL: url })).toThrow(/^OCTAVO_PUBLIC_URL must be [^\n]+$/);
  });

  it('reads the SMTP server of email actions: none without a host, port by security', () => {
    expect(load({}).smtp).toBeUndefined();
    const from = 'Octavo <robot@example.com>';
    expect(load({ OCTAVO_SMTP_HOST: 'mail.example.com', OCTAVO_SMTP_FROM: from }).smtp).toEqual({
      host: 'mail.example.com',
      port: 587,
      secure: 'starttls',
      user: undefined,
      password: undefined,
      from,
    });
    const tls = load({
      OCTAVO_SMTP_HOST: 'mail.example.com',
      OCTAVO_SMTP_SECURE: 'TLS',
      OCTAVO_SMTP_USER: 'u',
      OCTAVO_SMTP_PASSWORD: 'p',
      OCTAVO_SMTP_FROM: 'robot@example.com',
    }).smtp;
    expect(tls).toMatchObject({ port: 465, secure: 'tls', user: 'u', password: 'p' });
  });

  it.each([
    [{ OCTAVO_SMTP_SECURE: 'ssl' }, /^OCTAVO_SMTP_SECURE must be tls, starttls or none, not ssl$/],
    [{ OCTAVO_SMTP_PORT: '70000' }, /^OCTAVO_SMTP_PORT must be a port number/],
    [{ OCTAVO_SMTP_FROM: 'robot' }, /^OCTAVO_SMTP_FROM must be an email address/],
    [{ OCTAVO_SMTP_FROM: '' }, /^OCTAVO_SMTP_FROM must be an email address .*\(unset\)$/],
  ])('refuses SMTP settings %j in one line', (env, message) => {
    const all = { OCTAVO_SMTP_HOST: 'mail.example.com', OCTAVO_SMTP_FROM: 'robot@example.com', ...env };
    expect(() => load(all)).toThrow(ConfigError);
    expect(() => load(all)).toThrow(message);
  });

  it('reads the default limits of scripts and refuses wrong ones', () => {
    expect(load({}).scripts).toEqual({ timeoutMs: 30_000, memoryMb: 128 });
    expect(load({ OCTAVO_SCRIPT_TIMEOUT_MS: '5000', OCTAVO_SCRIPT_MEMORY_MB: '64' }).scripts).toEqual({
      timeoutMs: 5000,
      memoryMb: 64,
    });
    expect(() => load({ OCTAVO_SCRIPT_MEMORY_MB: '8' })).toThrow(/^OCTAVO_SCRIPT_MEMORY_MB must be/);
    expect(() => load({ OCTAVO_SCRIPT_TIMEOUT_MS: 'soon' })).toThrow(/OCTAVO_SCRIPT_TIMEOUT_MS/);
  });
});
