import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../test/db.ts';
import { batchingDb } from './batching.ts';
import { issueCoupon } from './coupons.ts';
import { ensureCustomer, getCustomer } from './customers.ts';
import { ensureIndexes } from './db.ts';
import { markMessageById, recordPendingMessage } from './messages.ts';

// A campaign page's customers make their single-document calls at once: through a batching
// database each kind of call is one round trip, and every caller still gets its own answer.
describe('batching database (FerretDB)', () => {
  let env: Awaited<ReturnType<typeof testDatabase>>;
  let watched: MongoClient;
  let db: Db;
  const commands: string[] = [];
  /** The same commands with their collection, e.g. `find journeyRuns`. */
  const targets: string[] = [];
  const now = new Date('2026-03-01T10:00:00Z');

  beforeAll(async () => {
    env = await testDatabase();
    await ensureIndexes(env.db);
    watched = await MongoClient.connect(env.url, { monitorCommands: true });
    watched.on('commandStarted', (event) => {
      if (['insert', 'find', 'update'].includes(event.commandName)) {
        commands.push(event.commandName);
        targets.push(`${event.commandName} ${String(event.command[event.commandName])}`);
      }
    });
    db = watched.db(env.db.databaseName);
  });
  afterAll(async () => {
    await watched.close();
    await env.close();
  });

  it('issues 40 coupons in one insert, and a repeated key gets its first coupon back', async () => {
    const offer = { type: 'percent' as const, percent: 15 };
    const input = (i: number, code: string) => ({ code, key: `coupon-key-${i}`, customerId: `c${i}`, offer });
    commands.length = 0;
    const firstPage = batchingDb(db);
    const first = await Promise.all(Array.from({ length: 40 }, (_, i) => issueCoupon(firstPage, input(i, `FIRST-${i}`), now)));
    expect(first.every((r) => r.created)).toBe(true);
    expect(commands.filter((c) => c === 'insert')).toHaveLength(1);

    // Again under the same keys, new codes (a retried page), and 5 new keys among them.
    const page = batchingDb(db);
    const again = await Promise.all(Array.from({ length: 45 }, (_, i) => issueCoupon(page, input(i, `AGAIN-${i}`), now)));
    expect(again.slice(0, 40).map((r) => [r.created, r.coupon.code])).toEqual(first.map((_, i) => [false, `FIRST-${i}`]));
    expect(again.slice(40).map((r) => [r.created, r.coupon.code])).toEqual([40, 41, 42, 43, 44].map((i) => [true, `AGAIN-${i}`]));
    expect(await env.db.collection('coupons').countDocuments()).toBe(45);
  });

  it("40 coupons issued at once refresh their customers' outcomes with one read of their runs", async () => {
    const offer = { type: 'percent' as const, percent: 10 };
    targets.length = 0;
    const page = batchingDb(db);
    await Promise.all(Array.from({ length: 40 }, (_, i) => issueCoupon(page, { code: `OUT-${i}`, key: `outcome-key-${i}`, customerId: `out-${i}`, offer }, now)));
    expect(targets.filter((t) => t === 'find journeyRuns')).toHaveLength(1);
    expect(targets.filter((t) => t === 'insert coupons')).toHaveLength(1);
  });

  it('batches the updates of the collections it is asked to, never a counter', async () => {
    const page = batchingDb(db, { batchUpdates: ['messages'] });
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => recordPendingMessage(page, { key: `only-${i}`, channel: 'email', customerId: `c${i}`, journeyId: 'j', templateId: 't', to: 'x@example.test' }, now)),
    );
    type Counted = { _id: string; n: number; seen?: boolean };
    for (let i = 0; i < 20; i++) await env.db.collection<Counted>('counted').insertOne({ _id: `k${i}`, n: 0 });
    targets.length = 0;
    await Promise.all(claims.map((c) => markMessageById(page, c.message.id, 'sent', {}, now)));
    await Promise.all(Array.from({ length: 20 }, (_, i) => page.collection<Counted>('counted').updateOne({ _id: `k${i}` }, { $set: { seen: true } })));
    expect(targets.filter((t) => t === 'update messages')).toHaveLength(1);
    expect(targets.filter((t) => t === 'update counted')).toHaveLength(20);

    // Even where asked, an increment goes alone: a failed batch's callers would count twice on retry.
    targets.length = 0;
    const counting = batchingDb(db, { batchUpdates: true });
    await Promise.all(Array.from({ length: 20 }, (_, i) => counting.collection<Counted>('counted').updateOne({ _id: `k${i}` }, { $inc: { n: 1 } })));
    expect(targets.filter((t) => t === 'update counted')).toHaveLength(20);
    expect((await env.db.collection<{ n: number }>('counted').find().toArray()).map((d) => d.n)).toEqual(Array.from({ length: 20 }, () => 1));
  });

  it('reads 30 customers in one find, each getting their own (null for one that does not exist)', async () => {
    for (let i = 0; i < 30; i++) await ensureCustomer(env.db, `reader-${i}`, now);
    commands.length = 0;
    const page = batchingDb(db);
    const ids = [...Array.from({ length: 30 }, (_, i) => `reader-${i}`), 'nobody'];
    const found = await Promise.all(ids.map((id) => getCustomer(page, id)));
    expect(found.map((c) => c?.id ?? null)).toEqual([...ids.slice(0, 30), null]);
    expect(commands).toEqual(['find']);
  });

  it('claims and completes 25 sends in one insert and one update; a claimed key is not claimed twice', async () => {
    const page = batchingDb(db, { batchUpdates: true });
    const claim = (i: number) =>
      recordPendingMessage(page, { key: `send-${i}`, channel: 'email', customerId: `c${i}`, journeyId: 'j', templateId: 't', to: `c${i}@example.test` }, now);
    commands.length = 0;
    const claims = await Promise.all(Array.from({ length: 25 }, (_, i) => claim(i)));
    expect(claims.every((c) => c.created)).toBe(true);
    const moved = await Promise.all(claims.map((c) => markMessageById(page, c.message.id, 'sent', { providerId: `p-${c.message.key}` }, now)));
    expect(moved.every(Boolean)).toBe(true);
    expect(commands).toEqual(['insert', 'update']);

    const retried = await Promise.all(Array.from({ length: 25 }, (_, i) => claim(i)));
    expect(retried.map((c) => [c.created, c.message.status, c.message.providerId])).toEqual(claims.map((c) => [false, 'sent', `p-${c.message.key}`]));
    expect(await env.db.collection('messages').countDocuments({ key: { $in: Array.from({ length: 25 }, (_, i) => `send-${i}`) } })).toBe(25);
  });

  it('an update that changes nothing in a batch fails as retryable, the others are applied', async () => {
    const page = batchingDb(db, { batchUpdates: true });
    const claims = await Promise.all(
      [0, 1, 2].map((i) => recordPendingMessage(page, { key: `amb-${i}`, channel: 'email', customerId: `c${i}`, journeyId: 'j', templateId: 't', to: 'x@example.test' }, now)),
    );
    const [firstClaim] = claims;
    if (firstClaim === undefined) throw new Error('no claim');
    await markMessageById(env.db, firstClaim.message.id, 'sent', {}, now);
    // `sent` cannot move to `sent` again: one of the three updates matches nothing.
    const results = await Promise.allSettled(claims.map((c) => markMessageById(page, c.message.id, 'sent', {}, now)));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof Error && r.reason.name === 'AmbiguousBatchError')).toBe(true);
    const statuses = await env.db.collection('messages').find({ key: { $in: ['amb-0', 'amb-1', 'amb-2'] } }).toArray();
    expect(statuses.map((m) => m['status'])).toEqual(['sent', 'sent', 'sent']);
  });
});
