// The ingestion cases' baseline: a bare Express endpoint that validates events with the API's own
// schema (api/wire/events.ts) and inserts them into the same `events` collection (same indexes)
// with one insertOne each, one after the other. No API key, no queue, no profile, no lifecycle,
// no routing. Takes one event or a batch (`{ events: [...] }`), like `POST /v1/events`.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { MongoClient } from 'mongodb';
import { EventBody } from '../../api/wire/events.ts';

const port = Number(process.env['BENCH_PORT']);
const mongo = await MongoClient.connect(process.env['MONGODB_URL'] ?? '', { serverSelectionTimeoutMS: 5_000 });
const events = mongo.db(process.env['MONGODB_DB'] ?? 'waymark').collection<{ _id: string; [field: string]: unknown }>('events');

const app = express();
app.use(express.json({ limit: 4 * 1024 * 1024 }));
app.post('/v1/events', async (req, res) => {
  const parsed = EventBody.safeParse(req.body);
  if (!parsed.success) {
    res.status(400).json({ error: parsed.error.message });
    return;
  }
  const batch = 'events' in parsed.data ? parsed.data.events : [parsed.data];
  const now = new Date().toISOString();
  for (const { id, at, ...rest } of batch) {
    await events.insertOne({ ...rest, _id: id ?? `evt_${randomUUID()}`, at: at === undefined ? now : new Date(at).toISOString(), receivedAt: now });
  }
  res.status(202).json({ accepted: batch.length, duplicates: 0 });
});
const server = app.listen(port, '127.0.0.1', () => console.log(`bench bare ingest: listening on 127.0.0.1:${port} (pid ${process.pid})`));
process.on('SIGTERM', () => server.close(() => void mongo.close().finally(() => process.exit(0))));
