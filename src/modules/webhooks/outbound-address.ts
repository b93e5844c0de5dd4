import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** Why a webhook URL is refused; `reason` is the stable code in the API error. */
export class OutboundRefused extends Error {
  constructor(readonly reason: 'MALFORMED_URL' | 'SCHEME' | 'CREDENTIALS' | 'PRIVATE_ADDRESS' | 'UNRESOLVED', message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

export interface Target {
  address: string;
  family: 4 | 6;
}

/**
 * The form of a webhook URL: http or https, a host, no user name or password (they would be stored and
 * shown in the audit trail like the rest of the URL). The address is checked by resolveTarget.
 */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new OutboundRefused('MALFORMED_URL', `"${raw.slice(0, 100)}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefused('SCHEME', `A webhook URL is http or https, not ${url.protocol.replace(/:$/, '')}`);
  if (!url.hostname) throw new OutboundRefused('MALFORMED_URL', 'A webhook URL names a host');
  if (url.username || url.password) throw new OutboundRefused('CREDENTIALS', 'A webhook URL must not carry a user name or password; deliveries are signed instead');
  return url;
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Whether the hub may call this address when private networks are forbidden: public unicast only.
 * ipaddr.js names every special range (loopback, private, link-local, unique-local, carrier-grade NAT,
 * multicast, unspecified, broadcast, reserved, documentation, 6to4, Teredo, NAT64); anything named is
 * refused, and IPv6 outside 2000::/3 too (the deprecated IPv4-compatible ::a.b.c.d among it). An
 * IPv4-mapped IPv6 address is judged as the IPv4 address it is.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const a = ipaddr.process(address);
  if (a.kind() === 'ipv4') return a.range() === 'unicast';
  const v6 = a as ipaddr.IPv6;
  return v6.range() === 'unicast' && v6.match(GLOBAL_UNICAST_V6);
}

type Lookup = (host: string, options: { all: true; verbatim: true }) => Promise<{ address: string; family: number }[]>;

/**
 * The addresses to connect to for a URL. Unless private networks are allowed, a host any of whose
 * addresses is not public is refused (a name that resolves both ways could be aimed inside at will),
 * and the caller connects to the address checked here, not to a second resolution of the name.
 */
export async function resolveTarget(url: URL, allowPrivate: boolean, lookup: Lookup = dns.promises.lookup as unknown as Lookup): Promise<Target[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let found: Target[];
  if (net.isIP(host)) {
    found = [{ address: host, family: net.isIP(host) as 4 | 6 }];
  } else {
    try {
      found = (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } catch (err) {
      throw new OutboundRefused('UNRESOLVED', `The host ${host.slice(0, 100)} could not be resolved (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!found.length) throw new OutboundRefused('UNRESOLVED', `The host ${host.slice(0, 100)} has no address`);
  }
  if (!allowPrivate) {
    const refused = found.find((a) => !isPublicAddress(a.address));
    if (refused) {
      throw new OutboundRefused('PRIVATE_ADDRESS', `${host.slice(0, 100)} is (or resolves to) ${refused.address}, a loopback, private, link-local or otherwise non-public address; webhooks may only call public addresses here (HUB_WEBHOOK_ALLOW_PRIVATE_NETWORKS)`);
    }
  }
  return found;
}
