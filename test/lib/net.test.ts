/** The private-address check that guards file imports against server-side request forgery. */
import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/lib/net.ts';

describe('isPrivateAddress', () => {
  it.each([
    ['IPv4 loopback', '127.0.0.1'],
    ['IPv4 private', '10.1.2.3'],
    ['IPv4 private (172.16/12)', '172.31.255.255'],
    ['IPv4 private (192.168/16)', '192.168.1.1'],
    ['IPv4 link-local / cloud metadata', '169.254.169.254'],
    ['IPv4 carrier-grade NAT', '100.64.0.1'],
    ['IPv4 "this network"', '0.0.0.0'],
    ['IPv4 documentation', '192.0.2.1'],
    ['IPv4 benchmarking', '198.18.0.1'],
    ['IPv4 multicast', '224.0.0.1'],
    ['IPv4 broadcast', '255.255.255.255'],
    ['IPv6 unspecified', '::'],
    ['IPv6 loopback', '::1'],
    ['IPv6 unique local', 'fd12:3456::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 link-local with a zone', 'fe80::1%eth0'],
    ['IPv6 site-local (fec0::/10)', 'fec0::1'],
    ['IPv6 site-local, top of the range', 'feff:ffff::1'],
    ['IPv6 multicast', 'ff02::1'],
    ['IPv6 documentation', '2001:db8::1'],
    ['IPv6 discard-only', '100::1'],
    ['IPv4-mapped private', '::ffff:10.0.0.1'],
    ['IPv4-mapped loopback, hex form', '::ffff:7f00:1'],
    ['IPv4-compatible loopback', '::127.0.0.1'],
    ['IPv4-compatible public (deprecated form)', '::8.8.8.8'],
    ['NAT64 of a private address (64:ff9b::/96)', '64:ff9b::10.0.0.1'],
    ['NAT64 of a public address', '64:ff9b::8.8.8.8'],
    ['NAT64 local-use (64:ff9b:1::/48)', '64:ff9b:1::a00:1'],
    ['6to4 of a private address (2002::/16)', '2002:a00:1::1'],
    ['6to4 of a public address', '2002:808:808::1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['IPv4-translated (::ffff:0:0/96)', '::ffff:0:a00:1'],
    ['not an address', 'localhost'],
    ['an IPv4 address in a short form', '127.1'],
  ])('refuses %s (%s)', (_what, address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    ['public IPv4', '8.8.8.8'],
    ['public IPv4 next to a private range', '172.32.0.1'],
    ['public IPv6', '2606:4700:4700::1111'],
    ['IPv4-mapped public (the same host as 93.184.215.14)', '::ffff:93.184.215.14'],
  ])('allows %s (%s)', (_what, address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});
