import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifecycleStage } from '../journey/customer.ts';
import { testDatabase } from '../test/db.ts';
import { searchCustomers } from './customers.ts';
import { ensureIndexes } from './db.ts';
import { seedDemo } from './seed.ts';

const now = new Date('2025-06-01T12:00:00Z');
let a: Awaited<ReturnType<typeof testDatabase>>;
let b: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  [a, b] = await Promise.all([testDatabase(), testDatabase()]);
  await ensureIndexes(a.db);
});
afterAll(async () => Promise.all([a.close(), b.close()]));

describe('demo seed', () => {
  it('loads a few hundred customers across every stage, with orders and segments', async () => {
    expect(await seedDemo(a.db, { now })).toMatchObject({ customers: 300 });
    const all = (await searchCustomers(a.db, {}, { limit: 500 })).items;
    expect(all).toHaveLength(300);
    const stages = new Set(all.map((c) => c.computed.stage));
    expect([...stages].sort()).toEqual([...LifecycleStage.options].sort());
    const segments = new Set(all.flatMap((c) => c.computed.segments));
    expect([...segments]).toEqual(expect.arrayContaining(['dormant-90d', 'at-risk', 'champions']));
    const buyer = all.find((c) => c.computed.orderCount > 1);
    const orders = await a.db.collection('events').countDocuments({ customerId: buyer?.id, type: 'order_completed' });
    expect(orders).toBe(buyer?.computed.orderCount);
    expect(all.filter((c) => c.computed.rfm !== undefined).length).toBeGreaterThan(200);
  });

  it('leaves a database with customers alone', async () => {
    expect(await seedDemo(a.db, { now })).toEqual({ customers: 0, events: 0 });
    expect(await a.db.collection('customers').countDocuments()).toBe(300);
  });

  it('is deterministic', async () => {
    await seedDemo(b.db, { now });
    const strip = async (db: typeof a.db) => (await db.collection('customers').find().sort({ _id: 1 }).limit(20).toArray());
    expect(await strip(b.db)).toEqual(await strip(a.db));
  });
});
