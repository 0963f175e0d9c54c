import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../test/db.ts';
import { definitionOf, simpleGraph, triggers } from '../api/fixtures.ts';
import { createApiKey, registerApiKey, revokeApiKey, verifyApiKey } from './apiKeys.ts';
import { claimTask, completeTask, createTask, findTaskByKey, listTasks } from './tasks.ts';
import { issueCoupon, redeemCoupon } from './coupons.ts';
import { ensureIndexes, indexPlan } from './db.ts';
import { claimEffects, endAbandonedMessages, findMessageByKey, markMessage, markMessageByProviderId, recordPendingMessage, settleEffects } from './messages.ts';
import { createJourney, getJourney, publishVersion } from './journeys.ts';
import { getSuppression, suppress, unsuppress } from './suppressions.ts';

/** Repositories against the real FerretDB: idempotency keys, state machines, races. */

let t: Awaited<ReturnType<typeof testDatabase>>;
const now = new Date('2025-06-01T12:00:00Z');
beforeAll(async () => {
  t = await testDatabase();
  await ensureIndexes(t.db);
});
afterAll(() => t.close());

describe('indexes', () => {
  it('creates every planned index, unique ones unique, and is safe to run again', async () => {
    await ensureIndexes(t.db);
    const ledger = await t.db.collection('messages').indexes();
    expect(ledger.find((i) => i.key['key'] === 1)?.unique).toBe(true);
    for (const [collection, specs] of indexPlan()) {
      const names = (await t.db.collection(collection).indexes()).map((i) => JSON.stringify(i.key));
      for (const spec of specs) expect(names).toContain(JSON.stringify(spec.key));
    }
  });
});

describe('message ledger', () => {
  it('records a key once and only moves forward', async () => {
    const input = { key: 'journey/w/c1#send#1', channel: 'sms' as const, customerId: 'c1', to: '+14155550100' };
    const first = await recordPendingMessage(t.db, input, now);
    const retry = await recordPendingMessage(t.db, input, now);
    expect(first.created).toBe(true);
    expect(retry).toEqual({ message: first.message, created: false });
    await markMessage(t.db, input.key, 'sent', { providerId: 'SM1' }, now);
    await markMessageByProviderId(t.db, 'SM1', 'delivered', {}, now);
    // A late "sent" callback must not undo "delivered".
    expect(await markMessageByProviderId(t.db, 'SM1', 'sent', {}, now)).toBeNull();
    const stored = await findMessageByKey(t.db, input.key);
    expect(stored?.status).toBe('delivered');
    expect(stored?.history.map((h) => h.status)).toEqual(['pending', 'sent', 'delivered']);
  });

  it('ends the messages no attempt can come back for, and only those', async () => {
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    const lease = (expiresIn: number, deferredFor?: number) => ({
      attempt: 1,
      holder: 'w1',
      since: at(expiresIn - 9_000),
      expiresAt: at(expiresIn),
      ...(deferredFor === undefined ? {} : { released: true, deferredUntil: at(deferredFor) }),
    });
    const day = 86_400_000;
    const base = { channel: 'email' as const, customerId: 'c9', to: 'c9@example.test' };
    // Its run ended four days ago while the send waited; a send retried an hour ago; a deferral to next week.
    await recordPendingMessage(t.db, { ...base, key: 'k-abandoned', lease: lease(-4 * day, -4 * day) }, now);
    await recordPendingMessage(t.db, { ...base, key: 'k-retrying', lease: lease(-3_600_000) }, now);
    await recordPendingMessage(t.db, { ...base, key: 'k-deferred', lease: lease(-4 * day, 7 * day) }, now);
    expect(await endAbandonedMessages(t.db, now)).toBe(1);
    expect(await findMessageByKey(t.db, 'k-abandoned')).toMatchObject({ status: 'failed', error: expect.stringContaining('Abandoned') });
    expect((await findMessageByKey(t.db, 'k-retrying'))?.status).toBe('pending');
    expect((await findMessageByKey(t.db, 'k-deferred'))?.status).toBe('pending');
  });
});

describe('effect ledger', () => {
  it('gives each key of racing batch claims to exactly one caller, and a later claim finds them as settled', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `campaign:race:${i}`);
    const claim = (from: number, to: number) => claimEffects(t.db, keys.slice(from, to).map((key) => ({ key, kind: 'campaignStart' })), now);
    // Three callers over overlapping ranges at once: 0–39, 20–59, 10–49.
    const [a, b, c] = await Promise.all([claim(0, 40), claim(20, 60), claim(10, 50)]);
    for (const key of keys) {
      const mine = [a, b, c].filter((claims) => claims.get(key)?.created === true);
      expect(mine, key).toHaveLength(1);
      for (const claims of [a, b, c]) if (claims.has(key)) expect(claims.get(key)?.effect.status).toBe('pending');
    }
    expect([a.size, b.size, c.size]).toEqual([40, 40, 40]);
    await settleEffects(t.db, keys.slice(0, 30).map((key) => ({ key, status: 'done', result: 'started' })), now);
    const again = await claim(0, 60);
    expect([...again.values()].filter((e) => e.created)).toHaveLength(0);
    expect(keys.map((key) => again.get(key)?.effect.status)).toEqual([...Array(30).fill('done'), ...Array(30).fill('pending')]);
    expect(again.get(keys[0] ?? '')?.effect.result).toBe('started');
  });
});

describe('coupons', () => {
  it('issues one coupon per key and redeems it once', async () => {
    const input = { code: 'WB-ABC123', key: 'journey/wb/c1#coupon#1', customerId: 'c1', offer: { type: 'percent' as const, percent: 10 } };
    expect((await issueCoupon(t.db, input, now)).created).toBe(true);
    expect((await issueCoupon(t.db, { ...input, code: 'WB-OTHER1' }, now)).coupon.code).toBe('WB-ABC123');
    expect(await redeemCoupon(t.db, 'WB-ABC123', { customerId: 'c2' }, now)).toBe('wrong_customer');
    expect(await redeemCoupon(t.db, 'WB-ABC123', { orderId: 'o1' }, now)).toMatchObject({ status: 'redeemed', orderId: 'o1' });
    expect(await redeemCoupon(t.db, 'WB-ABC123', {}, now)).toBe('already_redeemed');
    await issueCoupon(t.db, { ...input, code: 'OLD-000001', key: 'k-old', expiresAt: '2025-05-01T00:00:00.000Z' }, now);
    expect(await redeemCoupon(t.db, 'OLD-000001', {}, now)).toBe('expired');
  });
});

describe('tasks', () => {
  it('opens one task per key; claims and completes with the claim respected', async () => {
    const input = { key: 'journey/hv/c9#task#1', customerId: 'c9', queue: 'vip', title: 'Call Ana', priority: 'high' as const };
    const { task } = await createTask(t.db, input, now);
    expect((await createTask(t.db, input, now)).created).toBe(false);
    expect(await findTaskByKey(t.db, input.key)).toEqual(task);
    expect(await claimTask(t.db, task.id, 'sam', now)).toMatchObject({ status: 'claimed', assignee: 'sam' });
    expect(await claimTask(t.db, task.id, 'sam', now)).toMatchObject({ status: 'claimed' });
    expect(await claimTask(t.db, task.id, 'ria', now)).toBe('claimed_by_other');
    expect(await completeTask(t.db, task.id, { outcome: 'reached', by: 'ria' }, now)).toBe('claimed_by_other');
    expect(await completeTask(t.db, task.id, { outcome: 'reached', by: 'sam' }, now)).toMatchObject({ status: 'done', outcome: 'reached' });
    expect(await completeTask(t.db, task.id, { outcome: 'reached' }, now)).toBe('closed');
    expect((await listTasks(t.db, { queue: 'vip', status: 'done' }, { limit: 10 })).items.map((x) => x.id)).toEqual([task.id]);
  });
});

describe('API keys', () => {
  it('verifies by hash, never stores the key, and stops accepting a revoked key', async () => {
    const { record, plaintext } = await createApiKey(t.db, { name: 'ci', role: 'viewer' }, now);
    expect(JSON.stringify(await t.db.collection('apiKeys').find().toArray())).not.toContain(plaintext.slice(4));
    expect((await verifyApiKey(t.db, plaintext))?.role).toBe('viewer');
    expect(await verifyApiKey(t.db, `${plaintext}x`)).toBeNull();
    await revokeApiKey(t.db, record.id, now);
    expect(await verifyApiKey(t.db, plaintext)).toBeNull();
  });

  it('registers an operator-chosen key idempotently', async () => {
    const key = 'wm_admin_configured-by-the-operator-123';
    const first = await registerApiKey(t.db, key, { name: 'admin', role: 'admin' }, now);
    expect(await registerApiKey(t.db, key, { name: 'admin', role: 'admin' }, now)).toEqual(first);
    expect((await verifyApiKey(t.db, key))?.id).toBe(first.id);
  });
});

describe('journeys', () => {
  it('lets exactly one of two concurrent publishes of the same version win', async () => {
    const graph = simpleGraph('race', triggers.api());
    await createJourney(t.db, graph, now);
    const input = { journeyId: 'race', expectedVersion: 0, note: 'v1', definition: definitionOf(graph), graph, publishedBy: 'x' };
    const results = await Promise.all([publishVersion(t.db, input, now), publishVersion(t.db, input, now)]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await getJourney(t.db, 'race')).toMatchObject({ status: 'published', latestVersion: 1, entry: { kind: 'api' } });
  });
});

describe('suppressions', () => {
  it('normalises email addresses and keeps the first reason', async () => {
    await suppress(t.db, { channel: 'email', address: ' Ana@Example.com ', reason: 'bounce' }, now);
    await suppress(t.db, { channel: 'email', address: 'ana@example.com', reason: 'unsubscribe' }, now);
    expect((await getSuppression(t.db, 'email', 'ANA@example.com'))?.reason).toBe('bounce');
    expect(await unsuppress(t.db, 'email', 'ana@example.com')).toBe(true);
    expect(await getSuppression(t.db, 'email', 'ana@example.com')).toBeNull();
  });
});
