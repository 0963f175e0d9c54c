import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedAddress, guardedFetch, nonPublicReason } from './net-guard.ts';

/** A loopback receiver that counts what reaches it; an SSRF that gets through shows up here. */
let server: Server;
let port = 0;
let received = 0;
let answer: { status: number; headers?: Record<string, string> } = { status: 200 };

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    req.resume();
    res.writeHead(answer.status, answer.headers).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };

describe('webhook targets (SSRF)', () => {
  it.each([
    ['IPv4-mapped IPv6, dotted', (p: number) => `http://[::ffff:127.0.0.1]:${p}/`],
    ['IPv4-mapped IPv6, hex', (p: number) => `http://[::ffff:7f00:1]:${p}/`],
    ['IPv4-compatible IPv6', (p: number) => `http://[::127.0.0.1]:${p}/`],
    ['NAT64 of loopback', (p: number) => `http://[64:ff9b::7f00:1]:${p}/`],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/`],
    ['short form 127.1', (p: number) => `http://127.1:${p}/`],
    ['decimal host', (p: number) => `http://2130706433:${p}/`],
    ['hex host', (p: number) => `http://0x7f000001:${p}/`],
    ['octal host', (p: number) => `http://0177.0.0.1:${p}/`],
    ['unspecified 0.0.0.0', (p: number) => `http://0.0.0.0:${p}/`],
    ['a name that resolves to loopback', (p: number) => `http://localhost:${p}/`],
  ])('refuses %s and sends nothing', async (_name, url) => {
    const before = received;
    await expect(guardedFetch(new URL(url(port)), post)).rejects.toMatchObject({ type: 'InvalidConfig', nonRetryable: true });
    expect(received).toBe(before);
  });

  it.each([
    ['cloud metadata', '169.254.169.254'],
    ['cloud metadata, IPv4-mapped', '::ffff:a9fe:a9fe'],
    ['cloud metadata, NAT64', '64:ff9b::a9fe:a9fe'],
    ['RFC 1918', '10.1.2.3'],
    ['RFC 1918 172.16/12', '172.20.0.1'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['IPv6 unique local', 'fd00::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['6to4 embedding a private address', '2002:0a00:0001::1'],
    ['documentation range', '192.0.2.10'],
    ['multicast', '239.1.2.3'],
  ])('classifies %s (%s) as not public', (_name, address) => {
    expect(nonPublicReason(address)).not.toBeNull();
  });

  it('accepts public unicast addresses in both families', () => {
    expect(nonPublicReason('93.184.216.34')).toBeNull();
    expect(nonPublicReason('2606:2800:220:1:248:1893:25c8:1946')).toBeNull();
  });

  it('refuses a name when any of its addresses is private', async () => {
    const resolve = async () => ['93.184.216.34', '10.0.0.7'];
    await expect(checkedAddress(new URL('https://hooks.example.test/x'), { resolve })).rejects.toThrow(/10\.0\.0\.7/);
  });

  it('resolves once and connects to the checked address (no DNS rebinding)', async () => {
    let lookups = 0;
    // First answer public, every later one loopback: a second lookup would reach the receiver.
    const resolve = async () => (lookups++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']);
    const before = received;
    const url = new URL(`http://rebind.example.test:${port}/`);
    await expect(guardedFetch(url, { ...post, signal: AbortSignal.timeout(1_500) }, { resolve })).rejects.toBeDefined();
    expect(lookups).toBe(1);
    expect(received).toBe(before);
  });

  it('allows only http and https', async () => {
    await expect(checkedAddress(new URL('ftp://files.example.test/x'))).rejects.toThrow(/only http and https/);
    await expect(checkedAddress(new URL('file:///etc/passwd'))).rejects.toThrow(/only http and https/);
  });

  it('never follows a redirect, even to an allowed receiver', async () => {
    answer = { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } };
    try {
      await expect(guardedFetch(new URL(`http://127.0.0.1:${port}/`), post, { allowPrivateNetworks: true })).rejects.toMatchObject({
        nonRetryable: true,
        message: expect.stringMatching(/redirects are not followed/),
      });
    } finally {
      answer = { status: 200 };
    }
  });

  it('delivers to an allowed receiver with its status', async () => {
    const before = received;
    const response = await guardedFetch(new URL(`http://127.0.0.1:${port}/hook`), post, { allowPrivateNetworks: true });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(received).toBe(before + 1);
  });
});
