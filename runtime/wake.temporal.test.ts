// Runs that a campaign starts in Temporal's start delay (their batched first steps ended at a
// timed wait), on the real Temporal dev server with a worker and the real activities: what the
// server does with signals during the delay, and that every way the runtime reaches a run
// (events, exits, erasures) reaches one in its delay at once.
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testDatabase } from '../test/db.ts';
import { prepareDatabase, startRealWorker } from '../test/fixtures/workflow-harness.ts';
import { customerEventSignal, workflowTypes } from '../workflows/definitions.ts';
import { createTemporalRuntime } from './temporal.ts';

const services = inject('services');
const taskQueue = `wake-${randomUUID()}`;
let database: Awaited<ReturnType<typeof testDatabase>>;
let connection: NativeConnection;
let client: Client;
let worker: { stop(): Promise<void> } | undefined;
let runtime: ReturnType<typeof createTemporalRuntime>;

beforeAll(async () => {
  database = await testDatabase();
  await prepareDatabase(database.db);
  connection = await NativeConnection.connect({ address: services.temporalAddress });
  client = new Client({ connection: await Connection.connect({ address: services.temporalAddress }) });
  runtime = createTemporalRuntime({ client, db: database.db, taskQueue });
  worker = await startRealWorker({ connection, db: database.db, services, taskQueue, starter: runtime.starter });
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await connection?.close();
  await database?.close();
});

const event = { event: { id: 'e-1', type: 'order_completed', customerId: 'nobody', at: new Date(0).toISOString(), properties: {} } };

describe('the server, during a start delay', () => {
  it('keeps a plain signal without starting the run, and starts it at once on a signal-with-start', async () => {
    const workflowId = `wake-fact/${randomUUID()}`;
    const handle = await client.workflow.start(workflowTypes.runGone, { taskQueue, workflowId, args: [], startDelay: '1 hour' });
    await handle.signal(customerEventSignal, event);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await client.workflow.signalWithStart(workflowTypes.runGone, { taskQueue, workflowId, args: [], signal: customerEventSignal, signalArgs: [event], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    await handle.result();
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(2);
    // The same workflow, not a second one: the id has one run, and it has closed.
    expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
  });

  it('refuses a signal-with-start to a closed run when the id may not be reused', async () => {
    const workflowId = `wake-fact/${randomUUID()}`;
    await client.workflow.execute(workflowTypes.runGone, { taskQueue, workflowId, args: [] });
    await expect(
      client.workflow.signalWithStart(workflowTypes.runGone, { taskQueue, workflowId, args: [], signal: customerEventSignal, signalArgs: [event], workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });
});
