// Times one lane's customer writes on a FerretDB build: 250 `updateOne`s by `_id` ($set), as one
// bulk command and in commands of 32 (the chunk the store used before build waymark8), on 5,000
// customers of about 1 KB, against the same data read back with one `$in` find.
//   npx tsx bench/ferretdb-bulk.ts [path/to/ferretdb]   (default: the build in tool-versions.json)
// Unpatched and before waymark8, a command of more than 99 updates never finishes: run the
// older build with 32 only (`--chunks=32`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startFerretDb } from '../embedded/ferretdb.ts';
import { freePort } from '../embedded/process.ts';
import { tools } from '../embedded/tools.ts';

const bin = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? tools.ferretdb;
const chunks = (process.argv.find((a) => a.startsWith('--chunks='))?.slice('--chunks='.length) ?? '250,32').split(',').map(Number);
const lane = 250;
const customers = 5_000;
const rounds = 10;
const warmups = 3;

const dir = mkdtempSync(join(tmpdir(), 'waymark-bulk-'));
const ferret = await startFerretDb({ port: await freePort(), dataDir: join(dir, 'data'), logFile: join(dir, 'ferretdb.log'), cmd: bin });
const client = await MongoClient.connect(ferret.url);
try {
  const coll = client.db('bench').collection<{ _id: string; pad: string; computed: { score: number } }>('customers');
  const pad = 'x'.repeat(800);
  for (let i = 0; i < customers; i += 1_000) await coll.insertMany(Array.from({ length: 1_000 }, (_, j) => ({ _id: `c-${i + j}`, pad, computed: { score: 0 } })));
  console.log(`FerretDB ${bin}, ${lane} updateOne by _id per round, ${rounds} rounds after ${warmups} to warm up (median ms)`);
  for (const chunk of chunks) {
    const times: number[] = [];
    const reads: number[] = [];
    // The first rounds warm up (the checkpoint after the seeding lands in the first commands).
    for (let round = -warmups; round < rounds; round++) {
      const ids = Array.from({ length: lane }, (_, i) => `c-${(round * lane + i * 7) % customers}`);
      let t = performance.now();
      for (let k = 0; k < ids.length; k += chunk) {
        const ops = ids.slice(k, k + chunk).map((_id) => ({ updateOne: { filter: { _id }, update: { $set: { 'computed.score': round } } } }));
        await coll.bulkWrite(ops, { ordered: false });
      }
      const took = performance.now() - t;
      t = performance.now();
      await coll.find({ _id: { $in: ids } }).toArray();
      if (round >= 0) {
        times.push(took);
        reads.push(performance.now() - t);
      }
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0);
    console.log(`commands of ${chunk}: updates ${median(times)} ms; the same customers read with one $in: ${median(reads)} ms`);
  }
} finally {
  await client.close();
  await ferret.stop();
  rmSync(dir, { recursive: true, force: true });
}
