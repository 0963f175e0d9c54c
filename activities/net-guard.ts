import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { permanent } from './errors.ts';

/**
 * Outbound HTTP for marketer-configured URLs (webhook steps), safe against server-side request
 * forgery: only http and https, only public unicast addresses, the connection goes to the
 * address that was checked (no second lookup, so DNS rebinding cannot swap it), and redirects
 * are never followed.
 */

/** How a host name becomes addresses; tests inject one to play DNS tricks. */
export type Resolve = (host: string) => Promise<string[]>;

const systemResolve: Resolve = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** IPv6 global unicast is 2000::/3; everything else (and ::/96, IPv4-compatible) is not public. */
const globalUnicast6 = ipaddr.parseCIDR('2000::/3');
const ipv4Compatible = ipaddr.parseCIDR('::/96');

/**
 * Why `address` is not a public unicast address, or null when it is. IPv4-mapped, IPv4-compatible,
 * NAT64 (64:ff9b::/96), 6to4 and Teredo forms are refused whatever they embed, as are loopback,
 * private, link-local (cloud metadata), carrier-grade NAT, multicast and reserved ranges.
 */
export function nonPublicReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return `IPv4-mapped (${v6.toIPv4Address().toString()}, ${v6.toIPv4Address().range()})`;
    if (v6.match(ipv4Compatible)) return 'IPv4-compatible or unspecified';
    const range = v6.range();
    if (range !== 'unicast') return range;
    if (!v6.match(globalUnicast6)) return 'outside global unicast (2000::/3)';
    return null;
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/** The first address of `host` to connect to, after every address it resolves to was checked. */
export async function checkedAddress(url: URL, guard: Guard = {}): Promise<{ address: string; family: 4 | 6 }> {
  const resolve = guard.resolve ?? systemResolve;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw permanent('InvalidConfig', `webhook ${url.href}: only http and https URLs are allowed, not ${url.protocol.replace(':', '')}`);
  }
  // WHATWG URL parsing already turned `127.1`, `2130706433` and `0x7f000001` into 127.0.0.1.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = ipaddr.isValid(host) ? [host] : await resolve(host).catch((error: unknown) => {
    throw new Error(`webhook ${url.origin}: cannot resolve ${host} (${error instanceof Error ? error.message : String(error)})`);
  });
  if (addresses.length === 0) throw new Error(`webhook ${url.origin}: ${host} resolves to no address`);
  for (const address of guard.allowPrivateNetworks ? [] : addresses) {
    const reason = nonPublicReason(address);
    if (reason !== null) throw permanent('InvalidConfig', `webhook ${url.origin} resolves to a non-public address (${address}: ${reason}); not allowed`);
  }
  const address = addresses[0] as string;
  return { address, family: ipaddr.parse(address).kind() === 'ipv6' ? 6 : 4 };
}

export interface Guard {
  resolve?: Resolve;
  /** Skip the public-address check (tests, or an intranet receiver on purpose); the rest holds. */
  allowPrivateNetworks?: boolean;
}

export interface GuardedRequest {
  method: string;
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
}

/**
 * Sends one request to a public address only. Answers like `fetch` (status, text) but never
 * follows a redirect: a 3xx is a permanent error naming where it pointed.
 */
export async function guardedFetch(url: URL, init: GuardedRequest, guard: Guard = {}): Promise<Response> {
  const target = await checkedAddress(url, guard);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((ok, fail) => {
    const req = send(
      url,
      {
        method: init.method,
        headers: { ...init.headers, 'content-length': Buffer.byteLength(init.body) },
        ...(init.signal ? { signal: init.signal } : {}),
        // The connection uses the address checked above: no second lookup.
        lookup: (_host, options, callback) => {
          const all = (options as { all?: boolean }).all === true;
          if (all) (callback as (e: null, a: LookupAddress[]) => void)(null, [target]);
          else (callback as (e: null, a: string, f: number) => void)(null, target.address, target.family);
        },
      },
      ok,
    );
    req.once('error', fail);
    req.end(init.body);
  });
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    throw permanent('WebhookRejected', `webhook ${url.origin} answered ${status} redirecting to ${response.headers.location ?? '(no location)'}; redirects are not followed`);
  }
  return new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status });
}
