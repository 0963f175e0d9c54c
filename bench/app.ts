import { consentRecords } from '../journey/consent.ts';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { Db, MongoClient } from 'mongodb';
import { endpointsEnv } from '../embedded/index.ts';
import { freePort } from '../embedded/process.ts';
import type { JourneyGraph } from '../journey/index.ts';
import { registerApiKey } from '../store/apiKeys.ts';
import { loadBuiltinTemplates } from '../store/builtins.ts';
import { bulkUpsertCustomers } from '../store/customers.ts';
import { connectDatabase, ensureIndexes } from '../store/db.ts';
import { ensureRunIndexes } from '../store/runs.ts';
import { ensureBuiltinSegments } from '../store/segments.ts';
import { putTemplate } from '../store/templates.ts';
import { startNode } from './child.ts';
import type { BenchChild } from './child.ts';
import type { BenchServices } from './services.ts';

/** A reply of the API: status and parsed JSON body. */
export interface Reply {
  status: number;
  body: unknown;
}

/** Waymark as `npm start` composes it — an API process and a worker process — on the bench's services. */
export interface BenchApp {
  url: string;
  adminApiKey: string;
  db: Db;
  temporal: Client;
  taskQueue: string;
  api: BenchChild;
  worker: BenchChild;
  /** Calls the API with the admin key (or `key`); JSON in, JSON out. */
  call(method: string, path: string, body?: unknown, key?: string): Promise<Reply>;
  /** Creates and publishes a journey through the API. */
  publish(graph: JourneyGraph): Promise<void>;
  /** Registers another API key of `role` (each key has its own ingestion rate bucket). */
  newKey(role: 'ingest' | 'admin'): Promise<string>;
  stop(): Promise<void>;
}

const repo = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/**
 * Starts Waymark on `services`: the production worker (worker/main.ts) and the API (cli/api.ts
 * `listen`, in bench/procs/api.ts) as separate Node processes, with its own database and task
 * queue. The database gets the built-in templates and segments; no demo data, no built-in
 * journeys (the benchmarks publish their own).
 *
 * `nodeArgs` go to both processes' `node` (e.g. `--cpu-prof`); `traceDb` (a directory) loads
 * bench/procs/db-trace.ts into both.
 */
export async function startBenchApp(services: BenchServices, options: { nodeArgs?: string[]; traceDb?: string } = {}): Promise<BenchApp> {
  const port = await freePort();
  const adminApiKey = `wm_admin_${randomBytes(18).toString('base64url')}`;
  const taskQueue = 'waymark-bench';
  const dbName = 'waymark_bench';
  const env: NodeJS.ProcessEnv = {
    ...endpointsEnv(services.endpoints),
    WAYMARK_DATA_DIR: join(services.dataDir, 'app'),
    WAYMARK_HOST: '127.0.0.1',
    WAYMARK_PORT: String(port),
    WAYMARK_ADMIN_API_KEY: adminApiKey,
    WAYMARK_SECRET: randomBytes(32).toString('hex'),
    WAYMARK_SEED: 'never',
    WAYMARK_WEBHOOK_ALLOW_PRIVATE: 'true',
    MONGODB_DB: dbName,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'warn',
    ...(options.traceDb ? { BENCH_DB_TRACE: options.traceDb } : {}),
  };
  // With the tracer, each process starts through bench/procs/traced.ts, which loads it first.
  const entryOf = (path: string) => (options.traceDb ? { entry: repo('bench/procs/traced.ts'), entryEnv: { BENCH_ENTRY: repo(path) } } : { entry: repo(path), entryEnv: {} });
  const workerEntry = entryOf('worker/main.ts');
  const apiEntry = entryOf('bench/procs/api.ts');
  const { client: mongo, db } = await connectDatabase(services.endpoints.mongo.url, dbName);
  await prepareDatabase(db);
  const connection = await Connection.connect({ address: services.endpoints.temporal.address });
  const temporal = new Client({ connection, namespace: 'default' });
  const started: BenchChild[] = [];
  try {
    const worker = await startNode({
      name: 'Waymark worker',
      entry: workerEntry.entry,
      env: { ...env, ...workerEntry.entryEnv, BENCH_PROCESS_NAME: 'worker' },
      logFile: join(services.dataDir, 'worker.log'),
      ready: /polling task queue/,
      ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    });
    started.push(worker);
    const api = await startNode({
      name: 'Waymark API',
      entry: apiEntry.entry,
      env: { ...env, ...apiEntry.entryEnv, BENCH_PROCESS_NAME: 'api' },
      logFile: join(services.dataDir, 'api.log'),
      ready: /listening/,
      ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    });
    started.push(api);
    const url = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, body?: unknown, key = adminApiKey): Promise<Reply> => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
    };
    return {
      url,
      adminApiKey,
      db,
      temporal,
      taskQueue,
      api,
      worker,
      call,
      async publish(graph) {
        const created = await call('POST', '/v1/journeys', graph);
        if (created.status !== 201) throw new Error(`creating journey ${graph.id}: ${created.status} ${JSON.stringify(created.body)}`);
        const published = await call('POST', `/v1/journeys/${graph.id}/publish`, { note: 'benchmark' });
        if (published.status !== 201) throw new Error(`publishing journey ${graph.id}: ${published.status} ${JSON.stringify(published.body)}`);
      },
      async newKey(role) {
        const key = `wm_bench_${randomBytes(18).toString('base64url')}`;
        await registerApiKey(db, key, { name: `bench ${role}`, role }, new Date());
        return key;
      },
      stop: () => stopAll(started, connection, mongo),
    };
  } catch (error) {
    await stopAll(started, connection, mongo);
    throw error;
  }
}

async function stopAll(children: BenchChild[], connection: Connection, mongo: MongoClient): Promise<void> {
  for (const child of children.reverse()) await child.stop().catch(() => undefined);
  await connection.close().catch(() => undefined);
  await mongo.close().catch(() => undefined);
}

/** Indexes, the built-in templates and segments: what journeys compile against. */
export async function prepareDatabase(db: Db): Promise<void> {
  const now = new Date();
  await ensureIndexes(db);
  await ensureRunIndexes(db);
  for (const template of loadBuiltinTemplates()) await putTemplate(db, template, now);
  await ensureBuiltinSegments(db, now);
}

/** The email address of bench customer `id`. */
export const emailOf = (id: string) => `${id}@bench.test`;

/**
 * Creates `count` customers `{prefix}-{n}` (n from `from`), all tagged `tags`, with email and SMS
 * consent, in bulk (1,000 per insert).
 */
export async function seedCustomers(db: Db, options: { prefix: string; from?: number; count: number; tags: string[] }): Promise<string[]> {
  const ids: string[] = [];
  const from = options.from ?? 0;
  for (let i = from; i < from + options.count; i++) ids.push(`${options.prefix}-${String(i).padStart(6, '0')}`);
  const now = new Date();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = ids.slice(i, i + 1000).map((id, k) => ({
      id,
      fields: {
        email: emailOf(id),
        phone: `+1555${String(from + i + k).padStart(7, '0')}`,
        name: `Bench ${id}`,
        locale: 'en',
        timezone: 'UTC',
        consent: consentRecords({ email: true, sms: true }, 'import', now.toISOString()),
        tags: options.tags,
      },
    }));
    const result = await bulkUpsertCustomers(db, rows, now);
    if (result.errors.length > 0) throw new Error(`seeding customers: ${result.errors[0]?.message}`);
  }
  return ids;
}
