import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Whether an address is one a webhook may be sent to without WEBHOOK_ALLOW_PRIVATE: only ordinary
 * unicast (ipaddr.js's `unicast` range). Loopback, private, link-local (cloud metadata services live
 * there), unique-local, carrier-grade NAT, multicast, unspecified and reserved ranges are all refused,
 * and an IPv4-mapped IPv6 address is judged as the IPv4 address it maps.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** The URL's host when it is an IP literal (brackets off an IPv6 one), else undefined. */
export function addressLiteral(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : undefined;
}

/** Why a URL is refused as a webhook target, or undefined when it may be used. Resolves its host. */
export async function refusedTarget(url: URL, allowPrivate: boolean): Promise<string | undefined> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must be http or https';
  if (allowPrivate) return undefined;
  const literal = addressLiteral(url);
  if (literal) return isPublicAddress(literal) ? undefined : 'url is on a loopback, link-local or private address';
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(url.hostname, { all: true });
  } catch {
    return 'url has a host name that does not resolve';
  }
  if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address))) return 'url resolves to a loopback, link-local or private address';
  return undefined;
}

/** A connection refused because its host resolved to no address a webhook may go to. */
export class PrivateAddressError extends Error {
  constructor(host: string) {
    super(`${host} resolves to no public address`);
  }
}

/**
 * A `lookup` for node's http client that resolves the host and hands the connection only addresses that
 * pass isPublicAddress: the address checked is the address connected to, so a name that resolves to a
 * public address when the endpoint is saved and to 127.0.0.1 at delivery (DNS rebinding) still cannot
 * reach the service's own network. (IP literals do not go through a lookup: the sender checks them.)
 */
export function checkedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const allowed = allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0) return callback(new PrivateAddressError(hostname) as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
