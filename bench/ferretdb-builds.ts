// What a campaign page's writes cost two FerretDB builds, in the server's own CPU (/proc), the
// rounds alternating between the two servers so the machine's noise weighs on both alike:
//   npx tsx bench/ferretdb-builds.ts <ferretdb A> [ferretdb B]   (B: the build in tool-versions.json)
// A round is what the first touch and the start of 100 customers write: ledger claims inserted
// (documents of about 600 bytes in a collection with three field indexes, as the effect ledger
// has), settled with one `updateMany` by `$in`, read back by `$in`; run records of about 2 KB
// inserted; the page's customers read by `$in` with the audience's conditions (a tag and a
// stage, evaluated by SQLite on each document's JSON); and a registry entry `$set` on each of
// 100 customers of about 1.5 KB (one bulk command). Only the ratio compares (e.g. A = an
// earlier build kept in ~/.cache/waymark).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startFerretDb } from '../embedded/ferretdb.ts';
import { freePort } from '../embedded/process.ts';
import { tools } from '../embedded/tools.ts';
import { cpuSeconds, percentile, round } from './stats.ts';

const [binA, binB = tools.ferretdb] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (binA === undefined) throw new Error('usage: npx tsx bench/ferretdb-builds.ts <ferretdb A> [ferretdb B]');
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 40);
const page = 100;
const customers = 10_000;
/** Ids of one width, as a seeded or imported audience has: documents of one shape and length. */
const id = (n: number) => `c-${String(n).padStart(5, '0')}`;

const servers = await Promise.all(
  [binA, binB].map(async (bin, i) => {
    const dir = mkdtempSync(join(tmpdir(), `waymark-builds-${i}-`));
    const ferret = await startFerretDb({ port: await freePort(), dataDir: join(dir, 'data'), logFile: join(dir, 'ferretdb.log'), cmd: bin });
    const client = await MongoClient.connect(ferret.url);
    const db = client.db('bench');
    const effects = db.collection<{ _id: string }>('effects');
    await effects.createIndexes([{ key: { customerId: 1 } }, { key: { journeyId: 1, status: 1 } }, { key: { kind: 1, createdAt: 1 } }]);
    const pad = 'x'.repeat(1_200);
    const people = db.collection<{ _id: string }>('customers');
    for (let k = 0; k < customers; k += 1_000) {
      await people.insertMany(Array.from({ length: 1_000 }, (_, j) => ({ _id: id(k + j), email: `${id(k + j)}@example.test`, tags: ['winback'], attributes: { pad }, computed: { stage: 'dormant', orderCount: 3 } })));
    }
    return { bin, dir, ferret, client, db, cpu: [] as number[], wall: [] as number[] };
  }),
);
try {
  const state = 'y'.repeat(1_600);
  for (let r = -3; r < rounds; r++) {
    for (const s of servers) {
      const ids = Array.from({ length: page }, (_, i) => id((((r + 3) * page + i) * 7) % customers));
      const keys = ids.map((c) => `campaign:r${String(r + 3).padStart(3, '0')}:${c}`);
      const pid = s.ferret.child.pid ?? 0;
      const cpu0 = await cpuSeconds(pid);
      const t0 = performance.now();
      const effects = s.db.collection<{ _id: string }>('effects');
      const now = new Date().toISOString();
      await effects.insertMany(keys.map((key, i) => ({ _id: key, kind: 'campaignStart', customerId: ids[i], journeyId: 'j-winback', status: 'pending', createdAt: now, updatedAt: now })), { ordered: false });
      await s.db.collection<{ _id: string }>('journeyRuns').insertMany(keys.map((key, i) => ({ _id: `run:${key}`, customerId: ids[i], journeyId: 'j-winback', status: 'running', nodeId: 'wait-order', startState: { state } })), { ordered: false });
      await effects.updateMany({ _id: { $in: keys } }, { $set: { status: 'done', result: 'started', updatedAt: now } });
      await effects.find({ _id: { $in: keys } }).toArray();
      await s.db.collection<{ _id: string }>('customers').find({ _id: { $in: ids }, tags: 'winback', 'computed.stage': 'dormant' }).toArray();
      await s.db.collection<{ _id: string }>('customers').bulkWrite(ids.map((_id) => ({ updateOne: { filter: { _id }, update: { $set: { [`runs.j-winback`]: { workflowId: `journey/j-winback/${_id}`, waitsFor: ['order_completed'], since: now } } } } })), { ordered: false });
      const wall = performance.now() - t0;
      const cpu = (await cpuSeconds(pid)) - cpu0;
      if (r >= 0) {
        s.cpu.push(cpu);
        s.wall.push(wall);
      }
    }
  }
  const [a, b] = servers;
  if (a !== undefined && b !== undefined) {
    const median = (xs: number[]) => percentile(xs, 50);
    const total = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
    for (const s of servers) console.log(`${s.bin}: a page's writes ${round(median(s.wall))} ms (median of ${rounds}), server CPU ${round(total(s.cpu), 2)} s in all`);
    console.log(`B / A: wall ${round(median(b.wall) / median(a.wall), 2)}×, server CPU ${round(total(b.cpu) / total(a.cpu), 2)}×`);
  }
} finally {
  for (const s of servers) {
    await s.client.close();
    await s.ferret.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
}
