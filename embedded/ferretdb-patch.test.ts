import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { MongoClient, ObjectId, type Db, type Document, type Filter, type SortDirection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isListening, stopChild } from './process.ts';
import { tools } from './tools.ts';

/**
 * The bootstrap's FerretDB patch hands SQLite the filter's string equalities (and `$in`) on
 * top-level fields and dotted paths (and in a top-level `$and`), as the same expression its
 * indexes use, looking into arrays on the way and at the end as MongoDB does. Every
 * filter must be answered exactly as the same filter wrapped in a one-branch `$or` (which nothing
 * pushes down: FerretDB reads the whole collection and applies it in Go; its own
 * `--test-disable-pushdown` does not reach `find`), and the plans must search the index rather
 * than scan the table. A keyset page over `_id` (the whole filter string bounds on `_id`, sorted
 * by `_id`, limited) is filtered, sorted and limited by SQLite: it must keep exactly the
 * documents the handler keeps. A keyset page sorted by another field and `_id` (the customers at
 * a step) is read from an index as the first ordinary documents plus every unusual one: it must
 * also keep exactly the documents the handler keeps.
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
const word = fc.constantFrom('c-1', 'c-2', 'C-1', '', ' ', 'a"b', 'a\\b', '<x>', 'a&b', 'é', '中文', '\u2028', 'tab\t', '[', 'true', '1', 'a\u0000');
const value = fc.oneof(
  { weight: 6, arbitrary: word },
  { weight: 2, arbitrary: fc.array(word, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(word, fc.constant({ x: 'c-1' })), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 1, true, { x: 'c-1' }) },
);
/** What a dotted path `c.s` (and `c.s.x`) meets: a document, an array of documents, anything else. */
const nested = fc.oneof(
  { weight: 3, arbitrary: fc.record({ s: value }, { requiredKeys: [] }) },
  { weight: 2, arbitrary: fc.array(fc.record({ s: value }, { requiredKeys: [] }), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.record({ s: fc.oneof(fc.record({ x: value }), fc.array(fc.record({ x: value }), { maxLength: 2 })) }) },
  { weight: 1, arbitrary: value },
);
const doc = fc.record({ a: value, b: value, c: nested }, { requiredKeys: [] });
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
  // Dotted paths: through documents and arrays of them, to arrays, missing, other types.
  fc.record({ 'c.s': condition }),
  fc.record({ 'c.s': condition, a: condition }),
  fc.record({ 'c.s.x': condition }),
  fc.record({ 'c.s': condition }).map((f) => ({ $and: [f, { _id: { $gte: '' } }] })),
);

let round = 0;

async function seed(server: Server, name: string, docs: Document[]): Promise<void> {
  const coll = server.db.collection(name);
  await coll.createIndex({ a: 1 });
  await coll.createIndex({ a: 1, b: 1 });
  await coll.createIndex({ 'c.s': 1 });
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

/**
 * The patch runs the statements of one `update` command (several, none `multi`) or `delete`
 * command (several) in one SQLite transaction. The oracle is the write path of before: the same
 * update command with a `multi` statement matching nothing appended (such a command keeps one
 * transaction per write), and each delete statement as a command of its own. Both must leave the
 * same documents and give the same replies and errors.
 */
describe('FerretDB bulk update and delete commands', () => {
  type Outcome = { reply: Document } | { error: { code?: number; message: string } };
  const ids = ['d-1', 'd-2', 'd-3', 'd-4', 'd-5'];
  const text = fc.constantFrom('a', 'b', 'c-1');
  const id = fc.constantFrom(...ids);
  /** Seeded documents: `n` sometimes a string (an `$inc` then fails), `tags` sometimes missing or not an array. */
  const seedDocs = fc.uniqueArray(
    fc.record({ _id: id, n: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant('x')), s: text, tags: fc.oneof(fc.constant(['t']), fc.constant('t')) }, { requiredKeys: ['_id', 'n', 's'] }),
    { selector: (d) => d._id, maxLength: 5 },
  );
  const updateStatement = fc.oneof(
    fc.record({ q: id.map((_id) => ({ _id })), u: fc.constant({ $inc: { n: 1 } }) }),
    fc.record({ q: id.map((_id) => ({ _id })), u: text.map((s) => ({ $set: { s } })), upsert: fc.boolean() }),
    // An upsert on an existing `_id` whose `s` differs inserts a duplicate: a duplicate key error.
    fc.record({ q: fc.record({ _id: id, s: text }), u: fc.constant({ $set: { n: 5 } }), upsert: fc.constant(true) }),
    fc.record({ q: id.map((_id) => ({ _id })), u: text.map((s) => ({ n: 7, s })), upsert: fc.boolean() }),
    fc.record({ q: text.map((s) => ({ s })), u: fc.constant({ $inc: { n: 2 } }) }),
    fc.record({ q: id.map((_id) => ({ _id })), u: fc.constant({ $push: { tags: 'p' } }) }),
  );
  const deleteStatement = fc.oneof(
    fc.record({ q: id.map((_id) => ({ _id })), limit: fc.constantFrom(0, 1) }),
    fc.record({ q: text.map((s) => ({ s })), limit: fc.constantFrom(0, 1) }),
    // An unknown operator: a write error for this statement.
    fc.record({ q: fc.constant({ $bogus: 1 }), limit: fc.constant(0) }),
  );

  /** The command's reply or error, with the database's name (in error messages) left out. */
  async function outcome(db: Db, command: Document): Promise<Outcome> {
    const unnamed = <T,>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll(`${db.databaseName}.`, 'db.')) as T;
    try {
      return { reply: unnamed(await db.command(command)) };
    } catch (error) {
      const e = error as { code?: number; message: string };
      return { error: unnamed({ code: e.code, message: e.message }) };
    }
  }
  const docsOf = (db: Db, name: string) => db.collection(name).find().sort({ _id: 1 }).toArray();
  async function seedBoth(dbs: Db[], name: string, docs: ReadonlyArray<{ _id: string }>): Promise<void> {
    for (const db of dbs) if (docs.length > 0) await db.collection<{ _id: string }>(name).insertMany(docs.map((d) => ({ ...d })));
  }

  it('update: same documents and replies as one transaction per write (property-based)', async () => {
    const [batched, single] = [pushed.client.db('bulkBatched'), pushed.client.db('bulkSingle')];
    await fc.assert(
      fc.asyncProperty(seedDocs, fc.array(updateStatement, { minLength: 2, maxLength: 12 }), fc.boolean(), async (docs, updates, ordered) => {
        const name = `u${round++}`;
        await seedBoth([batched, single], name, docs);
        const a = await outcome(batched, { update: name, updates, ordered });
        const noop = { q: { _id: 'none' }, u: { $set: { never: 1 } }, multi: true };
        const b = await outcome(single, { update: name, updates: [...updates, noop], ordered });
        expect(a).toEqual(b);
        expect(await docsOf(batched, name)).toEqual(await docsOf(single, name));
      }),
      {
        numRuns: 60,
        examples: [
          // A duplicate key in the middle: the statements before it stay applied.
          [
            [{ _id: 'd-1', n: 0, s: 'a' }, { _id: 'd-2', n: 0, s: 'b' }],
            [{ q: { _id: 'd-1' }, u: { $inc: { n: 1 } } }, { q: { _id: 'd-2', s: 'a' }, u: { $set: { n: 5 } }, upsert: true }, { q: { _id: 'd-1' }, u: { $inc: { n: 1 } } }],
            false,
          ],
          // An update of a document written earlier in the command sees that write.
          [[{ _id: 'd-1', n: 0, s: 'a' }], [{ q: { _id: 'd-1' }, u: { $inc: { n: 1 } } }, { q: { _id: 'd-1' }, u: { $inc: { n: 1 } } }, { q: { _id: 'd-9' }, u: { $set: { s: 'b' } }, upsert: true }], true],
        ],
      },
    );
  }, 240_000);

  it('delete: same documents, counts and write errors as one command per statement (property-based)', async () => {
    const [batched, single] = [pushed.client.db('bulkBatched'), pushed.client.db('bulkSingle')];
    await fc.assert(
      fc.asyncProperty(seedDocs, fc.array(deleteStatement, { minLength: 2, maxLength: 8 }), fc.boolean(), async (docs, deletes, ordered) => {
        const name = `d${round++}`;
        await seedBoth([batched, single], name, docs);
        const a = await outcome(batched, { delete: name, deletes, ordered });
        let n = 0;
        const writeErrors: Document[] = [];
        for (const [index, statement] of deletes.entries()) {
          const r = await outcome(single, { delete: name, deletes: [statement], ordered });
          if (!('reply' in r)) throw new Error(`a single delete failed: ${r.error.message}`);
          n += r.reply['n'] as number;
          const errors = (r.reply['writeErrors'] as Document[] | undefined) ?? [];
          writeErrors.push(...errors.map((e) => ({ ...e, index })));
          if (errors.length > 0 && ordered) break;
        }
        expect(a).toEqual({ reply: { n, ...(writeErrors.length > 0 ? { writeErrors } : {}), ok: 1 } });
        expect(await docsOf(batched, name)).toEqual(await docsOf(single, name));
      }),
      { numRuns: 40 },
    );
  }, 240_000);

  it('applies a command of 300 updates (unpatched, more than 99 waited forever for a connection)', async () => {
    const coll = pushed.client.db('bulkBatched').collection<{ _id: string; n: number }>('many');
    await coll.insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: `m-${i}`, n: i })));
    const result = await coll.bulkWrite(Array.from({ length: 300 }, (_, i) => ({ updateOne: { filter: { _id: `m-${i}` }, update: { $inc: { n: 1 } } } })), { ordered: false });
    expect({ matched: result.matchedCount, modified: result.modifiedCount }).toEqual({ matched: 300, modified: 300 });
    const docs = await coll.find().toArray();
    expect(docs.every((d) => d.n === Number(d._id.slice(2)) + 1)).toBe(true);
    const deleted = await coll.bulkWrite(Array.from({ length: 150 }, (_, i) => ({ deleteOne: { filter: { _id: `m-${i * 2}` } } })));
    expect(deleted.deletedCount).toBe(150);
    expect(await coll.countDocuments()).toBe(150);
  }, 60_000);

  it('loses nothing when bulk updates and inserts of several clients meet', async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => MongoClient.connect(pushed.url)));
    try {
      const counters = (c: MongoClient) => c.db('bulkConcurrent').collection<{ _id: string; n: number; by?: string[] }>('counters');
      const log = (c: MongoClient) => c.db('bulkConcurrent').collection<{ client: number; k: number }>('log');
      await counters(pushed.client).insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: `k-${i}`, n: 0 })));
      await Promise.all(
        clients.map(async (client, ci) => {
          for (let k = 0; k < 5; k++) {
            // 60 updates over the 20 shared documents (3 each), one upsert of this client's own.
            const ops = Array.from({ length: 60 }, (_, i) => ({ updateOne: { filter: { _id: `k-${i % 20}` }, update: { $inc: { n: 1 }, $push: { by: `${ci}-${k}` } } } }));
            await Promise.all([
              counters(client).bulkWrite([...ops, { updateOne: { filter: { _id: `own-${ci}` }, update: { $inc: { n: 1 } }, upsert: true } }], { ordered: k % 2 === 0 }),
              log(client).insertMany(Array.from({ length: 50 }, () => ({ client: ci, k }))),
            ]);
          }
        }),
      );
      const docs = await counters(pushed.client).find().sort({ _id: 1 }).toArray();
      const shared = docs.filter((d) => d._id.startsWith('k-'));
      expect(shared.map((d) => d.n)).toEqual(Array.from({ length: 20 }, () => 4 * 5 * 3));
      expect(shared.every((d) => d.by?.length === 60)).toBe(true);
      expect(docs.filter((d) => d._id.startsWith('own-')).map((d) => d.n)).toEqual([5, 5, 5, 5]);
      expect(await log(pushed.client).countDocuments()).toBe(4 * 5 * 50);
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
        examples: [
          [[{ a: ['c-1', 'x'] }, { a: 'c-1', b: ['<x>'] }, { b: 'c-1' }], [{ a: 'c-1' }, { a: { $in: ['x', 'é'] } }, { a: 'c-1', b: '<x>' }]],
          // A path through an array of documents, to an array, to a document in an array.
          [
            [{ c: [{ s: 'c-1' }] }, { c: { s: ['x', 'c-1'] } }, { c: { s: [{ x: 'c-1' }] } }, { c: 'c-1' }, { c: { s: 'a"b' } }, { c: [{ s: ['<x>'] }] }],
            [{ 'c.s': 'c-1' }, { 'c.s': { $in: ['a"b', '<x>'] } }, { 'c.s.x': 'c-1' }],
          ],
        ],
      },
    );
  }, 240_000);

  it('finds one customer among 100,000 documents through the index, not a scan', async () => {
    const coll = pushed.db.collection<{ _id: string; customerId: string }>('events');
    await coll.createIndex({ customerId: 1, at: -1 });
    await coll.createIndex({ journeyId: 1, status: 1 });
    await coll.createIndex({ journeyId: 1, status: 1, since: 1, _id: 1 });
    await coll.createIndex({ 'computed.stage': 1, _id: 1 });
    await coll.createIndex({ 'computed.segments': 1 });
    const batch = 10_000;
    for (let start = 0; start < 100_000; start += batch) {
      await coll.insertMany(
        Array.from({ length: batch }, (_, k) => {
          const i = start + k;
          return {
            _id: `e-${i}`,
            customerId: `c-${i % 5_000}`,
            at: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
            journeyId: `j-${i % 7}`,
            status: i % 3 === 0 ? 'completed' : 'waiting',
            since: new Date(Date.UTC(2026, 0, 1) + ((i * 7_919) % 100_000) * 1_000).toISOString(),
            computed: { stage: `s-${i % 5}`, segments: i % 10 === 0 ? ['vip', 'all'] : ['all'] },
          };
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
    const ids = Array.from({ length: 100_000 }, (_, i) => `e-${i}`).sort();
    // Dotted paths: the index on the path, and into arrays (json_each) without reading the rest.
    expect(await coll.countDocuments({ 'computed.stage': 's-2' })).toBe(20_000);
    expect(await coll.countDocuments({ 'computed.segments': 'vip' })).toBe(10_000);
    expect(await plan({ 'computed.stage': 's-2' })).toMatch(/SEARCH .* USING INDEX .*computed\.stage_1__id_1/);
    expect(await plan({ 'computed.segments': 'vip' })).toMatch(/SEARCH .* USING INDEX .*computed\.segments_1/);
    expect(await plan({ 'computed.stage': 's-2' })).not.toMatch(/SCAN events/);
    // A page by id of the documents at a stage: from an index, in the strings' order.
    const atStage = ids.filter((id) => Number(id.slice(2)) % 5 === 2);
    const stagePage = async (f: Document) => (await coll.find(f).sort({ _id: 1 }).limit(51).toArray()).map((e) => e._id);
    expect(await stagePage({ $and: [{ 'computed.stage': 's-2' }, { _id: { $gte: '' } }] })).toEqual(atStage.slice(0, 51));
    expect(await stagePage({ $and: [{ 'computed.stage': 's-2' }, { _id: { $gt: atStage[9_000] ?? '' } }] })).toEqual(atStage.slice(9_001, 9_052));
    const stagePlan = ((await coll.find({ $and: [{ 'computed.stage': 's-2' }, { _id: { $gt: 'e-5' } }] }).sort({ _id: 1 }).limit(51).explain()) as { queryPlanner?: { Plan?: string[] } }).queryPlanner?.Plan?.join('\n');
    expect(stagePlan).toMatch(/SEARCH .* USING INDEX .*_waymark_page_/);
    expect(stagePlan).not.toMatch(/SCAN events|TEMP B-TREE/);

    // The customers at a step: a page sorted by `since` and `_id`, and the next one, from an index.
    const waiting = Array.from({ length: 100_000 }, (_, i) => i)
      .filter((i) => i % 7 === 3 && i % 3 !== 0)
      .map((i) => ({ id: `e-${i}`, since: new Date(Date.UTC(2026, 0, 1) + ((i * 7_919) % 100_000) * 1_000).toISOString() }))
      .sort((x, y) => (x.since < y.since ? -1 : x.since > y.since ? 1 : x.id < y.id ? -1 : 1));
    const step = { journeyId: 'j-3', status: 'waiting' };
    const stepPage = async (f: Document) => (await coll.find(f).sort({ since: 1, _id: 1 }).limit(51).toArray()).map((e) => e._id);
    expect(await stepPage(step)).toEqual(waiting.slice(0, 51).map((w) => w.id));
    const mid = waiting[5_000] ?? { id: '', since: '' };
    const next = { $and: [step, { $or: [{ since: { $gt: mid.since } }, { since: mid.since, _id: { $gt: mid.id } }] }] };
    expect(await stepPage(next)).toEqual(waiting.slice(5_001, 5_052).map((w) => w.id));
    const stepPlan = ((await coll.find(next).sort({ since: 1, _id: 1 }).limit(51).explain()) as { queryPlanner?: { Plan?: string[] } }).queryPlanner?.Plan?.join('\n');
    expect(stepPlan).toMatch(/SEARCH .* USING INDEX .*_waymark_page_/);
    expect(stepPlan).not.toMatch(/SCAN events|TEMP B-TREE/);

    // A filter the patch leaves to the handler still scans, and still answers correctly.
    expect(await plan({ at: { $gte: new Date(0) } })).toMatch(/SCAN/);

    // A keyset page over _id reads the page from an index in the strings' order, no sort of the collection.
    const keyset = async (f: Filter<{ _id: string }>, direction: SortDirection): Promise<string[]> =>
      (await coll.find(f).sort({ _id: direction }).limit(51).toArray()).map((e) => e._id);
    expect(await keyset({ _id: { $gte: '' } }, 1)).toEqual(ids.slice(0, 51));
    expect(await keyset({ $and: [{}, { _id: { $gt: ids[50_000] ?? '' } }] }, 1)).toEqual(ids.slice(50_001, 50_052));
    expect(await keyset({ $and: [{}, { _id: { $lt: ids[50_000] ?? '' } }] }, -1)).toEqual(ids.slice(49_949, 50_000).reverse());
    const keysetPlan = (
      (await coll.find({ _id: { $gt: 'e-5' } }).sort({ _id: 1 }).limit(51).explain()) as { queryPlanner?: { Plan?: string[] } }
    ).queryPlanner?.Plan?.join('\n');
    expect(keysetPlan).toMatch(/SEARCH .* USING INDEX .*_waymark_id_text/);
    expect(keysetPlan).not.toMatch(/TEMP B-TREE/);
  }, 240_000);
});

/** Ids whose JSON text orders unlike the strings: a closing quote against a space or `!`, escapes, non-ASCII. */
const idPart = fc.constantFrom('a', ' ', '!', '"', '#', '\\', '<', '&', '\u0000', '\u0001', '\t', 'b', 'é', 'e\u0301', '中', '😀', '\u2028', 'A', '~', '[', '{');
const idString = fc.array(idPart, { maxLength: 3 }).map((parts) => parts.join(''));
/** Mostly strings; some numbers, ObjectIds and documents, which a string bound must not meet. */
const idValue = fc.oneof(
  { weight: 8, arbitrary: idString.map((s) => s as unknown) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(1, 2.5, -3, 'oid', { x: 'a' }) },
);
const bound = fc.record({ op: fc.constantFrom('$gt', '$gte', '$lt', '$lte'), value: idString });
const range = fc.array(bound, { minLength: 1, maxLength: 2 }).map((bs) => Object.fromEntries(bs.map((b) => [b.op, b.value])));
const idFilter = fc.oneof(
  range.map((r) => ({ _id: r })),
  // The shape of a keyset page: `{$and: [filter, after]}`.
  range.map((r) => ({ $and: [{}, { _id: r }] })),
  fc.tuple(range, range).map(([r1, r2]) => ({ $and: [{ _id: r1 }, { _id: r2 }] })),
);

const label = (id: unknown): string => (id instanceof ObjectId ? `oid:${id.toHexString()}` : `${typeof id}:${JSON.stringify(id)}`);

/** A document whose `_id` may be of any type. */
type Keyed = { _id: string | number | ObjectId | { x: string } };

async function page(server: Server, name: string, f: Filter<Keyed>, direction: SortDirection, limit: number): Promise<string[]> {
  const docs = await server.db.collection<Keyed>(name).find(f).sort({ _id: direction }).limit(limit).toArray();
  return docs.map((d) => label(d['_id']));
}

describe('FerretDB keyset pages over _id', () => {
  it('keeps exactly the documents a full scan keeps (property-based corpus)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(idValue, { maxLength: 30, selector: (v) => JSON.stringify(v) }),
        fc.array(fc.record({ f: idFilter, direction: fc.constantFrom<SortDirection>(1, -1), limit: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 6 }),
        async (ids, queries) => {
          const name = `keyset${round++}`;
          const docs = ids.map((id, i) => ({ _id: id === 'oid' ? new ObjectId() : (id as Keyed['_id']), n: i }));
          if (docs.length > 0) await pushed.db.collection<Keyed>(name).insertMany(docs);
          for (const { f, direction, limit } of queries) {
            const p = await page(pushed, name, f, direction, limit);
            const s = await page(pushed, name, { $or: [f] }, direction, limit);
            expect({ f, direction, limit, ids: p }).toEqual({ f, direction, limit, ids: s });
          }
          // Paging through every string id two at a time lists each once, in order.
          const all = await page(pushed, name, { $or: [{ _id: { $gte: '' } }] }, 1, 1000);
          const paged: string[] = [];
          let after: Filter<Keyed> = { _id: { $gte: '' } };
          for (;;) {
            const docsOnPage = await pushed.db.collection<Keyed>(name).find(after).sort({ _id: 1 }).limit(2).toArray();
            paged.push(...docsOnPage.map((d) => label(d._id)));
            if (docsOnPage.length < 2) break;
            after = { $and: [{}, { _id: { $gt: docsOnPage[1]?._id ?? '' } }] };
          }
          expect(paged).toEqual(all);
        },
      ),
      {
        numRuns: 60,
        // A closing quote sorts after a space and `!` but before `#`; escapes start with a backslash.
        examples: [[['a', 'a ', 'a!', 'a#', 'a<', 'a\\', 'a\u0000', 'oid', 1], [{ f: { _id: { $gte: 'a' } }, direction: 1, limit: 3 }, { f: { $and: [{}, { _id: { $gt: 'a' } }] }, direction: -1, limit: 2 }]]],
      },
    );
  }, 240_000);
});

/** Run records as the customers at a step see them: mostly strings, some arrays, missing values and other types. */
const journeyValue = fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>('j-1', 'j-2') }, { weight: 1, arbitrary: fc.constantFrom<unknown>(['j-1'], ['j-2', 'j-1'], null, 1) });
const statusValue = fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>('running', 'done') }, { weight: 1, arbitrary: fc.constantFrom<unknown>(['running'], { x: 'running' }) });
const sinceString = fc.constantFrom('2026-01-01', '2026-01-02', '2026-01-01 ', '2026-01-01!', '2026-01-01"', 'a\\', '<x>', 'é', '');
const sinceValue = fc.oneof(
  { weight: 8, arbitrary: sinceString.map((s) => s as unknown) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>('missing', null, 5, new Date(0), ['2026-01-01', 'a'], [], { x: 'a' }) },
);
const runRecord = fc.record({ id: idValue, journeyId: journeyValue, status: statusValue, since: sinceValue });
const stepQuery = fc.record({
  journeyId: fc.constantFrom('j-1', 'j-2'),
  status: fc.constantFrom('running', 'done'),
  direction: fc.constantFrom<SortDirection>(1, -1),
  limit: fc.integer({ min: 1, max: 5 }),
  after: fc.option(fc.record({ since: sinceString, id: idString }), { nil: undefined }),
});

describe('FerretDB keyset pages sorted by another field', () => {
  it('keeps exactly the page a full scan keeps, whatever the types (property-based corpus)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(runRecord, { maxLength: 30, selector: (r) => JSON.stringify(r.id) }),
        fc.array(stepQuery, { minLength: 1, maxLength: 6 }),
        async (records, queries) => {
          const name = `steps${round++}`;
          const coll = pushed.db.collection<Keyed>(name);
          await coll.createIndex({ journeyId: 1, status: 1, since: 1, _id: 1 });
          const docs = records.map(({ id, since, ...rest }) => ({
            _id: id === 'oid' ? new ObjectId() : id,
            ...rest,
            ...(since === 'missing' ? {} : { since }),
          }));
          if (docs.length > 0) await coll.insertMany(docs as Keyed[]);
          for (const { journeyId, status, direction, limit, after } of queries) {
            const op = direction === 1 ? '$gt' : '$lt';
            const cursor = after && { $or: [{ since: { [op]: after.since } }, { since: after.since, _id: { [op]: after.id } }] };
            const eq = { journeyId, status };
            const read = async (f: Filter<Keyed>) =>
              (await coll.find(f).sort({ since: direction, _id: direction }).limit(limit).toArray()).map((d) => label(d['_id']));
            const p = await read(cursor ? { $and: [eq, cursor] } : eq);
            const s = await read(cursor ? { $and: [{ $or: [eq] }, cursor] } : { $or: [eq] });
            expect({ eq, direction, limit, after, ids: p }).toEqual({ eq, direction, limit, after, ids: s });
          }
        },
      ),
      {
        numRuns: 60,
        // Missing and non-string `since` sort before strings, arrays by their least element; a
        // closing quote sorts after a space and `!`.
        examples: [
          [
            [
              { id: 'r1', journeyId: 'j-1', status: 'running', since: '2026-01-01' },
              { id: 'r2', journeyId: 'j-1', status: 'running', since: 'missing' },
              { id: 'r3', journeyId: ['j-1'], status: 'running', since: '2026-01-01 ' },
              { id: 'r4', journeyId: 'j-1', status: 'running', since: ['2026-01-01', 'a'] },
              { id: 'r5', journeyId: 'j-1', status: 'running', since: '2026-01-01"' },
              { id: 1, journeyId: 'j-1', status: 'running', since: '2026-01-01!' },
              { id: 'r6', journeyId: 'j-1', status: 'running', since: new Date(0) },
            ],
            [
              { journeyId: 'j-1', status: 'running', direction: 1, limit: 2, after: undefined },
              { journeyId: 'j-1', status: 'running', direction: 1, limit: 3, after: { since: '2026-01-01', id: 'r1' } },
              { journeyId: 'j-1', status: 'running', direction: -1, limit: 2, after: { since: '2026-01-01"', id: 'r5' } },
            ],
          ],
        ],
      },
    );
  }, 240_000);
});

/** What `computed.stage` meets: mostly a string in a document, sometimes an array, an array of documents, nothing or another type. */
const stageValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>({ stage: 'active' }, { stage: 'dormant' }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ stage: ['active'] }, [{ stage: 'active' }], [{ stage: 'dormant' }, { stage: 'active' }], {}, 'active', { stage: 1 }, { stage: null }) },
);
const stageQuery = fc.record({
  stage: fc.constantFrom('active', 'dormant'),
  direction: fc.constantFrom<SortDirection>(1, -1),
  limit: fc.integer({ min: 1, max: 5 }),
  after: fc.option(fc.record({ id: idString, inclusive: fc.boolean() }), { nil: undefined }),
});

describe('FerretDB keyset pages over _id with a condition on a dotted path', () => {
  it('keeps exactly the page a full scan keeps, whatever the types (property-based corpus)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ id: idValue, computed: stageValue }), { maxLength: 30, selector: (r) => JSON.stringify(r.id) }),
        fc.array(stageQuery, { minLength: 1, maxLength: 6 }),
        async (records, queries) => {
          const name = `stages${round++}`;
          const coll = pushed.db.collection<Keyed>(name);
          await coll.createIndex({ 'computed.stage': 1, _id: 1 });
          const docs = records.map(({ id, computed }) => ({ _id: id === 'oid' ? new ObjectId() : id, computed }));
          if (docs.length > 0) await coll.insertMany(docs as Keyed[]);
          for (const { stage, direction, limit, after } of queries) {
            const op = `${direction === 1 ? '$gt' : '$lt'}${after?.inclusive ? 'e' : ''}`;
            const eq = { 'computed.stage': stage };
            const read = async (f: Filter<Keyed>) => (await coll.find(f).sort({ _id: direction }).limit(limit).toArray()).map((d) => label(d['_id']));
            // `paginate`'s first page is `{_id: {$gte: ''}}`.
            const cursor = { _id: { [after ? op : direction === 1 ? '$gte' : '$lte']: after ? after.id : direction === 1 ? '' : '\uffff' } };
            const p = await read({ $and: [eq, cursor] } as Filter<Keyed>);
            const s = await read({ $and: [{ $or: [eq] }, cursor] } as Filter<Keyed>);
            expect({ eq, direction, limit, after, ids: p }).toEqual({ eq, direction, limit, after, ids: s });
            expect(await read(eq as Filter<Keyed>)).toEqual(await read({ $or: [eq] } as Filter<Keyed>));
          }
        },
      ),
      {
        numRuns: 60,
        examples: [
          [
            [
              { id: 'a', computed: { stage: 'active' } },
              { id: 'a ', computed: [{ stage: 'active' }] },
              { id: 'a!', computed: { stage: ['active'] } },
              { id: 'a"', computed: { stage: 'active' } },
              { id: 1, computed: { stage: 'active' } },
              { id: 'oid', computed: { stage: 'active' } },
              { id: 'b', computed: 'active' },
            ],
            [
              { stage: 'active', direction: 1, limit: 2, after: undefined },
              { stage: 'active', direction: 1, limit: 3, after: { id: 'a', inclusive: false } },
              { stage: 'active', direction: -1, limit: 2, after: { id: 'a"', inclusive: true } },
            ],
          ],
        ],
      },
    );
  }, 240_000);
});

/**
 * The patch decodes stored documents with fewer passes (strings, numbers, dates and booleans in
 * the form FerretDB writes them read directly; anything else, and every error, as before). Every
 * document must come back exactly as it was written: each BSON type FerretDB stores, nested,
 * in arrays, with strings that need escapes.
 */
describe('FerretDB stored documents', () => {
  it('come back exactly as written, every type at every depth (property-based)', async () => {
    const { Binary, BSON, BSONRegExp, Double, Int32, Long, Timestamp } = await import('mongodb');
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }), word);
    const scalar = fc.oneof(
      text,
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => new Int32(n)),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => new Double(n)),
      fc.date({ min: new Date(-8e15), max: new Date(8e15), noInvalidDate: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constant(new ObjectId('64b7f0c2a1b2c3d4e5f60718')),
      fc.uint8Array({ maxLength: 8 }).map((bytes) => new Binary(Buffer.from(bytes))),
      fc.constantFrom(new BSONRegExp('^a.c$', 'i'), new BSONRegExp('x', '')),
      fc.constantFrom(new Timestamp({ t: 1_700_000_000, i: 3 })),
    );
    // Field names as applications write them (FerretDB refuses a name with a backslash).
    const key = fc.oneof(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_-]{0,6}$/), fc.constantFrom('é', '中文', 'a b'));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('document')),
      // FerretDB stores no array directly inside an array.
      array: fc.array(fc.oneof(scalar, tie('document')), { maxLength: 4 }),
      document: fc.dictionary(key, tie('tree'), { maxKeys: 5 }),
    }));
    const stored = fc.dictionary(key.filter((k) => k !== '_id'), tree, { maxKeys: 8 });
    const coll = pushed.db.collection<Document & { _id: string }>('roundtrip');
    let n = 0;
    const canonical = (d: unknown) => BSON.EJSON.stringify(d, { relaxed: false });
    await fc.assert(
      fc.asyncProperty(fc.array(stored, { minLength: 1, maxLength: 5 }), async (docs) => {
        const written = docs.map((d) => ({ _id: `r-${n++}`, ...d }));
        await coll.insertMany(written.map((d) => ({ ...d })));
        const read = await coll.find({ _id: { $in: written.map((d) => d._id) } }, { promoteValues: false, promoteLongs: false, bsonRegExp: true }).sort({ _id: 1 }).toArray();
        const byId = new Map(read.map((d) => [d['_id'] as string, d]));
        for (const d of written) expect(canonical(byId.get(d._id))).toBe(canonical(d));
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
