// The event pipeline on the real Temporal dev server, reached through a loopback TCP proxy that
// the test cuts for a few seconds: Temporal unreachable while events arrive. The worker keeps its
// own connection; only the pipeline's client loses Temporal.
import { randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { getCustomer } from '../store/customers.ts';
import { countUnfinished } from '../store/events.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { testDatabase } from '../test/db.ts';
import { eventually, inbox, prepareDatabase, publish, seedCustomer, startRealWorker, testJourneyGraph, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { journeyWorkflowId } from '../workflows/definitions.ts';
import { createEventPipeline } from './pipeline.ts';
import type { EventPipeline } from './pipeline.ts';
import { createTemporalRuntime } from './temporal.ts';

const services = inject('services');
const taskQueue = `pipeline-${randomUUID()}`;

/** A loopback TCP proxy to Temporal's frontend that can refuse connections for a while. */
async function cuttableProxy(target: string) {
  const [host, port] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let listenPort = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((socket) => {
        const upstream = connect(Number(port), host);
        sockets.add(socket).add(upstream);
        socket.pipe(upstream).pipe(socket);
        const drop = () => {
          socket.destroy();
          upstream.destroy();
          sockets.delete(socket);
          sockets.delete(upstream);
        };
        socket.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(listenPort, '127.0.0.1', () => {
        listenPort = (server?.address() as { port: number }).port;
        resolve();
      });
    });
  await open();
  return {
    address: () => `127.0.0.1:${listenPort}`,
    async down() {
      const closing = new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
      for (const socket of sockets) socket.destroy();
      await closing;
      server = null;
    },
    up: open,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
    },
  };
}

let database: Awaited<ReturnType<typeof testDatabase>>;
let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
let workerConnection: NativeConnection;
let client: Client;
let worker: { stop(): Promise<void> } | undefined;
let pipeline: EventPipeline;
let journey: PublishedJourney;

beforeAll(async () => {
  database = await testDatabase();
  await prepareDatabase(database.db);
  proxy = await cuttableProxy(services.temporalAddress);
  workerConnection = await NativeConnection.connect({ address: services.temporalAddress });
  // No gRPC retries of the client's own: an outage reaches the pipeline at once.
  client = new Client({ connection: await Connection.connect({ address: proxy.address(), interceptors: [] }) });
  const runtime = createTemporalRuntime({ client, db: database.db, taskQueue });
  pipeline = createEventPipeline({ db: database.db, runtime });
  worker = await startRealWorker({ connection: workerConnection, db: database.db, services, taskQueue, starter: runtime.starter });
  journey = await publish(
    database.db,
    testJourneyGraph({ id: `abandoned-${uniqueSuffix()}`, trigger: { kind: 'event', eventType: 'cart_abandoned' }, waitForEvent: { eventType: 'order_completed', timeoutMinutes: 60 } }),
  );
  pipeline.journeysChanged();
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await workerConnection?.close();
  await proxy?.close();
  await database?.close();
});

async function customer() {
  const id = `c-${uniqueSuffix()}`;
  await seedCustomer(database.db, { id, email: `${id}@pipeline.test`, consent: { email: true, sms: false } });
  return { id, email: `${id}@pipeline.test` };
}

const event = (customerId: string, id: string, type: string, properties: Record<string, number> = {}) => ({ id, type, customerId, at: new Date().toISOString(), properties });

/** What a client does after an error: sends the same events again until they are finished. */
async function retryUntilFinished(events: Parameters<EventPipeline['ingest']>[0]) {
  return eventually(
    () => pipeline.ingest(events, { wait: true }),
    (results) => results.every((r) => r.finished),
    30_000,
  );
}

describe('Temporal unreachable for a few seconds', () => {
  it('the client’s retry starts the run once; its purchase is folded once and ends the run with one email', { timeout: 120_000 }, async () => {
    const c = await customer();
    await proxy.down();
    const [first] = await pipeline.ingest([event(c.id, 'cart-1', 'cart_abandoned')], { wait: true });
    expect(first).toMatchObject({ duplicate: false, finished: false });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await proxy.up();
    await retryUntilFinished([event(c.id, 'cart-1', 'cart_abandoned')]);
    const handle = client.workflow.getHandle(journeyWorkflowId(journey.journeyId, c.id));
    await eventually(() => inbox(services, c.email), (m) => m.length === 1, 60_000);

    // The purchase arrives during a second outage; retried until it goes through.
    await proxy.down();
    const [order] = await pipeline.ingest([event(c.id, 'order-1', 'order_completed', { amount: 42 })], { wait: true });
    expect(order).toMatchObject({ finished: false });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await proxy.up();
    await retryUntilFinished([event(c.id, 'order-1', 'order_completed', { amount: 42 })]);
    expect(await handle.result()).toMatchObject({ reason: 'exit', nodeId: 'done' });
    expect((await getCustomer(database.db, c.id))?.computed).toMatchObject({ orderCount: 1, totalSpend: 42 });
    // One run ever started (each run's first step is the email), the order counted once.
    expect(await inbox(services, c.email)).toHaveLength(1);
  });

  it('the sweeper finishes what nobody retried once Temporal is back', { timeout: 120_000 }, async () => {
    const c = await customer();
    await proxy.down();
    await pipeline.ingest([event(c.id, 'cart-9', 'cart_abandoned')]);
    await pipeline.drain();
    expect(await countUnfinished(database.db)).toBeGreaterThan(0);
    await proxy.up();
    await eventually(
      async () => (await pipeline.sweep({ olderThanMs: 0 }), countUnfinished(database.db)),
      (left) => left === 0,
      30_000,
    );
    await eventually(() => inbox(services, c.email), (m) => m.length === 1, 60_000);
    await pipeline.ingest([event(c.id, 'order-9', 'order_completed', { amount: 5 })], { wait: true });
    expect(await client.workflow.getHandle(journeyWorkflowId(journey.journeyId, c.id)).result()).toMatchObject({ reason: 'exit' });
    expect(await inbox(services, c.email)).toHaveLength(1);
  });
});
