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
});
