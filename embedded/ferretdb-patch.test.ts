import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { MongoClient, type Db, type Document, type Filter } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isListening, stopChild } from './process.ts';
import { tools } from './tools.ts';

/**
 * The bootstrap's FerretDB patch hands SQLite the filter's string equalities (and `$in`) on
 * top-level fields (and in a top-level `$and`), as the same expression its indexes use. Every
 * filter must be answered exactly as the same filter wrapped in a one-branch `$or` (which nothing
 * pushes down: FerretDB reads the whole collection and applies it in Go; its own
 * `--test-disable-pushdown` does not reach `find`), and the plans must search the index rather
 * than scan the table.
 */
interface Server {
  child: ChildProcess;
  client: MongoClient;
  db: Db;
  dir: string;
  url: string;
}

async function startServer(): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-ferret-'));
  const port = await freePort();
  const child = spawn(
    tools.ferretdb,
    ['--handler=sqlite', `--sqlite-url=file:${dir}/`, `--state-dir=${dir}`, `--listen-addr=127.0.0.1:${port}`, '--debug-addr=-', '--telemetry=disable', '--log-level=error'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 30_000;
  while (!(await isListening(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`FerretDB did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = `mongodb://127.0.0.1:${port}/`;
  const client = await MongoClient.connect(url);
  return { child, client, db: client.db('pushdown'), dir, url };
}

async function stopServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  await server.client.close();
  await stopChild(server.child);
  rmSync(server.dir, { recursive: true, force: true });
}

let pushed: Server;

beforeAll(async () => {
  pushed = await startServer();
}, 60_000);
afterAll(() => stopServer(pushed));

/** Strings that stress the JSON text comparison: quotes, escapes, HTML characters, non-ASCII. */
const word = fc.constantFrom('c-1', 'c-2', 'C-1', '', ' ', 'a"b', 'a\\b', '<x>', 'a&b', 'é', '中文', '\u2028', 'tab\t', '[', 'true', '1');
const value = fc.oneof(
  { weight: 6, arbitrary: word },
  { weight: 2, arbitrary: fc.array(word, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(word, fc.constant({ x: 'c-1' })), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 1, true, { x: 'c-1' }) },
);
const doc = fc.record({ a: value, b: value }, { requiredKeys: [] });
const condition = fc.oneof(word.map((w) => w as unknown), fc.array(word, { minLength: 1, maxLength: 4 }).map((ws) => ({ $in: ws })));
const filter = fc.oneof(
  fc.record({ a: condition }),
  fc.record({ a: condition, b: condition }),
  fc.record({ _id: fc.constantFrom('d-1', 'd-2', 'd-3'), a: condition }),
  fc.record({ a: condition, $or: fc.constant([{ b: 'c-1' }, { b: { $exists: false } }]) }),
  fc.record({ a: condition, b: fc.constant({ $ne: 'c-2' }) }),
  // Keyset pages are `{$and: [filter, after]}`.
  fc.record({ a: condition }).map((f) => ({ $and: [f, { _id: { $gt: 'd-1' } }] })),
  fc.record({ $and: fc.tuple(fc.record({ a: condition }), fc.record({ b: condition })) }),
);

let round = 0;

async function seed(server: Server, name: string, docs: Document[]): Promise<void> {
  const coll = server.db.collection(name);
  await coll.createIndex({ a: 1 });
  await coll.createIndex({ a: 1, b: 1 });
  if (docs.length > 0) await coll.insertMany(docs.map((d) => ({ ...d })));
}

async function answer(server: Server, name: string, f: Filter<Document>): Promise<{ ids: string[]; count: number }> {
  const coll = server.db.collection(name);
  const ids = (await coll.find(f).sort({ _id: 1 }).toArray()).map((d) => String(d['_id']));
  return { ids, count: await coll.countDocuments(f) };
}

describe('FerretDB concurrent updates', () => {
  it('applies every one of many concurrent updates to one document', async () => {
    // Unpatched, the SQLite backend reads, changes and writes with nothing held in between:
    // 8 connections doing 2,000 `$inc`s on one document ended at 34.
    const clients = await Promise.all(Array.from({ length: 4 }, () => MongoClient.connect(pushed.url)));
    try {
      const coll = (c: MongoClient) => c.db('pushdown').collection<{ _id: string; n?: number; m?: number; list?: string[] }>('counters');
      await coll(pushed.client).insertMany([{ _id: 'x', n: 0, m: 0, list: [] }, { _id: 'y', n: 0 }]);
      await Promise.all(
        clients.flatMap((client, ci) =>
          Array.from({ length: 5 }, async (_, k) => {
            for (let i = 0; i < 20; i++) {
              await coll(client).updateOne({ _id: 'x' }, { $inc: { n: 1 }, $push: { list: `${ci}-${k}-${i}` } });
              await coll(client).findOneAndUpdate({ _id: 'x' }, { $inc: { m: 1 } });
              // A filter without `_id` takes the whole collection.
              await coll(client).updateMany({ n: { $gte: 0 } }, { $inc: { n: 1 } });
            }
          }),
        ),
      );
      const x = await coll(pushed.client).findOne({ _id: 'x' });
      const y = await coll(pushed.client).findOne({ _id: 'y' });
      expect({ n: x?.n, m: x?.m, list: new Set(x?.list).size }).toEqual({ n: 800, m: 400, list: 400 });
      expect(y?.n).toBe(400);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }, 120_000);
});

describe('FerretDB field pushdown', () => {
  it('answers every filter exactly as a full scan does (property-based corpus)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(doc, { maxLength: 40 }), fc.array(filter, { minLength: 1, maxLength: 8 }), async (docs, filters) => {
        // A fresh collection per round (a drop followed by the same index races in FerretDB).
        const withIds = docs.map((d, i) => ({ _id: `d-${i}`, ...d }));
        const name = `corpus${round++}`;
        await seed(pushed, name, withIds);
        for (const f of filters) {
          const p = await answer(pushed, name, f as Filter<Document>);
          const s = await answer(pushed, name, { $or: [f] } as Filter<Document>);
          expect({ filter: f, ...p }).toEqual({ filter: f, ...s });
        }
      }),
      {
        numRuns: 60,
        // MongoDB's equality also matches an array holding the value.
        examples: [[[{ a: ['c-1', 'x'] }, { a: 'c-1', b: ['<x>'] }, { b: 'c-1' }], [{ a: 'c-1' }, { a: { $in: ['x', 'é'] } }, { a: 'c-1', b: '<x>' }]]],
      },
    );
  }, 240_000);

  it('finds one customer among 100,000 documents through the index, not a scan', async () => {
    const coll = pushed.db.collection<{ _id: string; customerId: string }>('events');
    await coll.createIndex({ customerId: 1, at: -1 });
    await coll.createIndex({ journeyId: 1, status: 1 });
    const batch = 10_000;
    for (let start = 0; start < 100_000; start += batch) {
      await coll.insertMany(
        Array.from({ length: batch }, (_, k) => {
          const i = start + k;
          return { _id: `e-${i}`, customerId: `c-${i % 5_000}`, at: new Date(Date.UTC(2026, 0, 1) + i * 60_000), journeyId: `j-${i % 7}`, status: i % 3 === 0 ? 'completed' : 'waiting' };
        }),
      );
    }
    const events = await coll.find({ customerId: 'c-42' }).sort({ at: -1 }).toArray();
    expect(events).toHaveLength(20);
    expect(events.every((e) => e.customerId === 'c-42')).toBe(true);
    const completed = await coll.countDocuments({ journeyId: 'j-3', status: 'completed' });
    expect(completed).toBe(Array.from({ length: 100_000 }, (_, i) => i).filter((i) => i % 7 === 3 && i % 3 === 0).length);

    const plan = async (f: Document): Promise<string> => {
      const explained = (await coll.find(f).explain()) as { queryPlanner?: { Plan?: string[] }; pushdown?: boolean };
      return (explained.queryPlanner?.Plan ?? []).join('\n');
    };
    expect(await plan({ customerId: 'c-42' })).toMatch(/SEARCH .* USING INDEX .*customerId_1_at_-1/);
    expect(await plan({ journeyId: 'j-3', status: 'completed' })).toMatch(/SEARCH .* USING INDEX .*journeyId_1_status_1/);
    expect(await plan({ customerId: { $in: ['c-1', 'c-2'] } })).toMatch(/SEARCH .* USING INDEX .*customerId_1_at_-1/);
    expect(await plan({ $and: [{ customerId: 'c-42' }, { _id: { $gt: 'e-1' } }] })).toMatch(/SEARCH .* USING INDEX .*customerId_1_at_-1/);
    // A filter the patch leaves to the handler still scans, and still answers correctly.
    expect(await plan({ at: { $gte: new Date(0) } })).toMatch(/SCAN/);
  }, 240_000);
});
