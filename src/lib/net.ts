/** Address checks for outbound requests a client can steer (server-side request forgery). */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * True unless `address` is an ordinary public unicast address: loopback, private, link-local,
 * site-local, multicast, reserved, documentation and every IPv6 form that carries an IPv4
 * address (IPv4-compatible, NAT64 64:ff9b::/96 and its local-use /48, 6to4 2002::/16, Teredo,
 * IPv4-translated) are refused, as is anything that is not an IP address in its usual form.
 * An IPv4-mapped address (::ffff:a.b.c.d) reaches the very IPv4 host it names, so it is judged
 * as that address. The ranges are ipaddr.js's (IANA's special-purpose registries), so this list
 * is not ours to keep up to date; the one range it lacks, IPv4-compatible ::/96, is added here.
 */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(family === 6 ? canonicalIPv6(address) : address);
  } catch {
    return true;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // ::/96 (unspecified, loopback, IPv4-compatible) is not in ipaddr.js's table: it calls
    // ::a.b.c.d in hex ordinary unicast.
    if (v6.parts.slice(0, 6).every((p) => p === 0)) return true;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
  }
  return parsed.range() !== 'unicast';
}

/**
 * The address in the URL standard's canonical hex form, zone dropped (it does not change the
 * class). ipaddr.js reads a dotted tail after `::` (`::8.8.8.8`, IPv4-compatible) as if it were
 * IPv4-mapped (`::ffff:8.8.8.8`); written in hex the two stay apart.
 */
function canonicalIPv6(address: string): string {
  return new URL(`http://[${address.replace(/%.*$/, '')}]`).hostname.slice(1, -1);
}

/**
 * A DNS lookup for outbound requests (`http.request({ lookup })`) that refuses, after resolving,
 * any address `isPrivateAddress` refuses unless `allowPrivate`: the check holds for the address
 * actually connected to, so a public name that resolves to a private address does not slip by.
 * `refuse` makes the error handed to the request (its message names host and address).
 */
export function guardedLookup(
  allowPrivate: boolean,
  refuse: (host: string, address: string) => Error,
): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad && !allowPrivate)
        return callback(refuse(hostname, bad.address) as NodeJS.ErrnoException, '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
