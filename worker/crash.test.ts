// The worker process on the real Temporal dev server: a 1,000-customer campaign launch, timed;
// then a second one during which the worker is killed (SIGKILL) and restarted, twice. Every
// customer must get exactly one email per step: the SMTP inbox is counted against the ledger.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalRuntime } from '../runtime/temporal.ts';
import { runsCollection } from '../store/runs.ts';
import { testDatabase } from '../test/db.ts';
import { eventually, inbox, prepareDatabase, publish, seedAudience, testJourneyGraph, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { exited, workerProcesses } from '../test/fixtures/worker-process.ts';

const services = inject('services');
const taskQueue = `crash-${randomUUID()}`;

let database: Awaited<ReturnType<typeof testDatabase>>;
let client: Client;
let runtime: ReturnType<typeof createTemporalRuntime>;
let workers: Awaited<ReturnType<typeof workerProcesses>>;
/** One data directory for every worker process of this file (one machine). */
let dataDir: string;
const startWorker = () => workers.start({}, dataDir);

beforeAll(async () => {
  database = await testDatabase();
  await prepareDatabase(database.db);
  workers = await workerProcesses(services, { taskQueue, dbName: database.db.databaseName });
  dataDir = workers.dataDir();
  client = new Client({ connection: await Connection.connect({ address: services.temporalAddress }) });
  runtime = createTemporalRuntime({ client, db: database.db, taskQueue });
});

afterAll(async () => {
  workers?.killAll();
  await client?.connection.close();
  await database?.close();
});

/** Ledger records marked sent for a journey (cheap: polled while the worker runs). */
function ledgerCount(journeyId: string): Promise<number> {
  return database.db.collection('messages').countDocuments({ journeyId, status: 'sent' });
}

/** Emails the inbox holds for a domain (the whole inbox is fetched: read it once at the end). */
async function mailsTo(domain: string) {
  return (await inbox(services)).filter((m) => m.to[0]?.endsWith(`@${domain}`));
}

const poll = 1_000;

describe('worker process', () => {
  it('launches a 1,000-customer campaign', { timeout: 1_800_000 }, async () => {
    const segment = `launch-${uniqueSuffix()}`;
    const domain = `${segment}.test`;
    await seedAudience(database.db, segment, 1_000, domain);
    const journey = await publish(database.db, testJourneyGraph({ id: segment }));
    const worker = await startWorker();
    const began = Date.now();
    await runtime.launchCampaign({ campaignId: segment, journey, segment: { tags: [segment] }, ratePerSecond: 1_000 });
    const progress = await eventually(() => runtime.campaignProgress(segment), (p) => p?.done === true, 900_000, 250);
    const launched = Date.now() - began;
    await eventually(() => ledgerCount(segment), (n) => n >= 1_000, 1_200_000, poll);
    const delivered = Date.now() - began;
    expect(await mailsTo(domain)).toHaveLength(1_000);
    console.log(`1,000-customer launch: all runs started in ${(launched / 1000).toFixed(1)} s, all emails sent in ${(delivered / 1000).toFixed(1)} s`);
    expect(progress).toEqual({ audience: 1_000, started: 1_000, skipped: 0, failed: 0, done: true });
    // SIGTERM: the worker drains and exits on its own.
    worker.kill('SIGTERM');
    expect(await exited(worker)).toEqual({ code: 0, signal: null });
  });

  it('sends exactly one email per step to each of 1,000 customers although the worker is killed twice', { timeout: 3_600_000 }, async () => {
    const segment = `crash-${uniqueSuffix()}`;
    const domain = `${segment}.test`;
    await seedAudience(database.db, segment, 1_000, domain);
    // Two steps: an email at once, and another after a 6-second wait.
    const journey = await publish(database.db, testJourneyGraph({ id: segment, waitMinutes: 0.1 }));
    const began = Date.now();
    let worker = await startWorker();
    await runtime.launchCampaign({ campaignId: segment, journey, segment: { tags: [segment] }, ratePerSecond: 200 });

    // First kill: during the launch. Second: while sends of both steps are under way.
    await eventually(() => runtime.campaignProgress(segment), (p) => (p?.started ?? 0) >= 300, 600_000, poll);
    worker.kill('SIGKILL');
    await exited(worker);
    const firstKill = await ledgerCount(segment);
    worker = await startWorker();

    await eventually(() => ledgerCount(segment), (n) => n >= firstKill + 300, 900_000, poll);
    worker.kill('SIGKILL');
    await exited(worker);
    const secondKill = await ledgerCount(segment);
    worker = await startWorker();

    const progress = await eventually(() => runtime.campaignProgress(segment), (p) => p?.done === true, 1_200_000, poll);
    await eventually(() => runsCollection(database.db).countDocuments({ journeyId: segment, status: 'completed' }), (n) => n === 1_000, 900_000, poll * 5);
    const final = { mails: await mailsTo(domain), ledger: await ledgerCount(segment) };
    worker.kill('SIGTERM');
    await exited(worker);

    const perStep = new Map<string, number>();
    for (const mail of final.mails) {
      const key = `${mail.to[0]}|${mail.subject}`;
      perStep.set(key, (perStep.get(key) ?? 0) + 1);
    }
    const duplicates = [...perStep.values()].filter((n) => n > 1).length;
    console.log(
      `crash test: killed at ${firstKill} and ${secondKill} sent; SMTP inbox ${final.mails.length} emails, ledger ${final.ledger} sent, ` +
        `${perStep.size} distinct (customer, step) pairs, ${duplicates} duplicated; ${((Date.now() - began) / 1000).toFixed(0)} s`,
    );
    expect(progress).toMatchObject({ audience: 1_000, started: 1_000, failed: 0, done: true });
    expect(perStep.size).toBe(2_000);
    expect(final.ledger).toBe(2_000);
    expect(final.mails).toHaveLength(2_000);
    expect(duplicates).toBe(0);
  });
});
