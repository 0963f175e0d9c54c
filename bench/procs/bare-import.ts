// The history import's baseline: reads the NDJSON file line by line and inserts its events with
// insertMany, 1,000 at a time, into a fresh collection — no validation, no queue, no profile, no
// lifecycle, no routing. Sends the parent `{ inserted, ms, maxRssKiB }` over IPC and exits.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { eventKey } from '../../journey/event.ts';

const file = process.env['BENCH_FILE'] ?? '';
const limit = Number(process.env['BENCH_LIMIT'] ?? Number.POSITIVE_INFINITY);
const mongo = await MongoClient.connect(process.env['MONGODB_URL'] ?? '', { serverSelectionTimeoutMS: 5_000 });
const collection = mongo.db(process.env['MONGODB_DB'] ?? 'waymark').collection<{ _id: string; [field: string]: unknown }>(process.env['BENCH_COLLECTION'] ?? 'bare_import');

const t0 = performance.now();
const receivedAt = new Date().toISOString();
let batch: Array<{ _id: string; [field: string]: unknown }> = [];
let inserted = 0;
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  if (inserted + batch.length >= limit) break;
  if (line === '') continue;
  const event = JSON.parse(line) as { id: string; customerId: string; type: string; at: string; properties?: Record<string, unknown> };
  batch.push({ _id: eventKey(event.customerId, event.id), eventId: event.id, customerId: event.customerId, type: event.type, at: event.at, properties: event.properties ?? {}, receivedAt });
  if (batch.length === 1000) {
    await collection.insertMany(batch, { ordered: false });
    inserted += batch.length;
    batch = [];
  }
}
if (batch.length > 0) {
  await collection.insertMany(batch, { ordered: false });
  inserted += batch.length;
}
const ms = performance.now() - t0;
await mongo.close();
process.send?.({ type: 'bare-import', inserted, ms, maxRssKiB: process.resourceUsage().maxRSS }, () => process.exit(0));
