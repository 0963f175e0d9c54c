// Preloaded into the worker and the API by `npm run bench -- --trace-db` (node --import): turns
// on the MongoDB driver's command monitoring for every client made with `MongoClient.connect`
// and, at exit, writes the time spent per command and collection to
// `$BENCH_DB_TRACE/db-<name>-<pid>.json`, so the bench can say where a case's time goes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, MongoClientOptions } from 'mongodb';

const dir = process.env['BENCH_DB_TRACE'];
const name = process.env['BENCH_PROCESS_NAME'] ?? 'process';
const totals = new Map<string, { count: number; ms: number }>();
const pending = new Map<number, string>();

function label(event: CommandStartedEvent): string {
  const target = event.command[event.commandName];
  const collection = typeof target === 'string' ? target : typeof event.command['collection'] === 'string' ? event.command['collection'] : '';
  return `${event.commandName} ${collection}`.trim();
}

function finished(event: CommandSucceededEvent | CommandFailedEvent): void {
  const key = pending.get(event.requestId);
  if (key === undefined) return;
  pending.delete(event.requestId);
  const total = totals.get(key) ?? { count: 0, ms: 0 };
  total.count += 1;
  total.ms += event.duration;
  totals.set(key, total);
}

if (dir) {
  const connect = MongoClient.connect.bind(MongoClient);
  MongoClient.connect = async (url: string, options?: MongoClientOptions) => {
    const client = await connect(url, { ...options, monitorCommands: true });
    client.on('commandStarted', (event) => pending.set(event.requestId, label(event)));
    client.on('commandSucceeded', finished);
    client.on('commandFailed', finished);
    return client;
  };
  process.on('exit', () => {
    const rows = [...totals].map(([command, t]) => ({ command, count: t.count, ms: Math.round(t.ms) })).sort((a, b) => b.ms - a.ms);
    writeFileSync(join(dir, `db-${name}-${process.pid}.json`), `${JSON.stringify(rows, null, 2)}\n`);
  });
}
