// Case 10 — indexed lookups on the embedded FerretDB: 100,000 event-shaped documents (10,000
// with --quick) with Waymark's kind of indexes; `find({customerId})` and
// `countDocuments({journeyId, status})` timed against the same filters wrapped in a one-branch
// `$or`, which nothing pushes down (FerretDB reads the collection and filters in Go: what every filter but
// `_id` cost before the bootstrap's field pushdown). Same server, same run: the ratio compares.
import { MongoClient } from 'mongodb';
import type { BenchRow } from '../core.ts';
import { percentile, round, wallMs } from '../stats.ts';

const customers = 5_000;

async function timed(samples: number, run: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = wallMs();
    await run(i);
    ms.push(wallMs() - t0);
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

export async function benchLookups(mongoUrl: string, quick: boolean): Promise<BenchRow[]> {
  const documents = quick ? 10_000 : 100_000;
  const client = await MongoClient.connect(mongoUrl);
  try {
    const coll = client.db('waymark_bench_lookups').collection<{ _id: string }>('events');
    await coll.drop().catch(() => undefined);
    await coll.createIndex({ customerId: 1, at: -1 });
    await coll.createIndex({ journeyId: 1, status: 1 });
    for (let start = 0; start < documents; start += 10_000) {
      await coll.insertMany(
        Array.from({ length: Math.min(10_000, documents - start) }, (_, k) => {
          const i = start + k;
          return { _id: `e-${i}`, customerId: `c-${i % customers}`, at: new Date(Date.UTC(2026, 0, 1) + i * 60_000), journeyId: `j-${i % 7}`, status: i % 3 === 0 ? 'completed' : 'waiting', type: 'order_completed' };
        }),
      );
    }
    const byCustomer = (i: number) => ({ customerId: `c-${(i * 7919) % customers}` });
    const byJourney = (i: number) => ({ journeyId: `j-${i % 7}`, status: i % 2 === 0 ? 'completed' : 'waiting' });
    const samples = quick ? 20 : 40;
    const scanSamples = 5;
    const find = await timed(samples, (i) => coll.find(byCustomer(i)).sort({ at: -1 }).toArray());
    const findScan = await timed(scanSamples, (i) => coll.find({ $or: [byCustomer(i)] }).sort({ at: -1 }).toArray());
    const count = await timed(samples, (i) => coll.countDocuments(byJourney(i)));
    const countScan = await timed(scanSamples, (i) => coll.countDocuments({ $or: [byJourney(i)] }));
    await coll.drop();
    const label = `${documents.toLocaleString('en')} documents`;
    return [
      { case: `find({customerId}) p50, ${label}, indexed vs full read (ms)`, value: round(find.p50, 2), baseline: round(findScan.p50, 1), unit: 'ms' },
      { case: `find({customerId}) p95, ${label} (ms)`, value: round(find.p95, 2), baseline: round(findScan.p95, 1), unit: 'ms' },
      { case: `countDocuments({journeyId, status}) p50, ${label} (ms)`, value: round(count.p50, 1), baseline: round(countScan.p50, 1), unit: 'ms' },
      { case: `countDocuments({journeyId, status}) p95, ${label} (ms)`, value: round(count.p95, 1), baseline: round(countScan.p95, 1), unit: 'ms' },
    ];
  } finally {
    await client.close();
  }
}
