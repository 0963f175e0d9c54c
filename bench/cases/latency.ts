// Case 2 — event to action: from `POST /v1/events` answering 202 to the SMTP server receiving
// the email that the event released, with N journeys waiting for it; against a bare workflow
// that waits for a signal and then runs one activity sending an email of the same size.
import { createRandom } from '../../journey/hash.ts';
import { emailOf, seedCustomers } from '../app.ts';
import { bareEmail, waitUntilSettled } from '../bare.ts';
import { startRunsDirectly, waitUntilWaiting } from '../campaign.ts';
import type { BenchContext } from '../context.ts';
import { snapshotMemory } from '../context.ts';
import type { BenchRow } from '../core.ts';
import { orderThenEmailJourney } from '../journeys.ts';
import { inLanes, note, percentile, round, wallMs } from '../stats.ts';
import { goSignal } from '../workflows/bare.ts';

const journeyId = 'bench-order-email';
const receiptTimeoutMs = 60_000;

/** One measured event: from the request, from its acceptance, to the email's receipt. */
interface Sample {
  fromRequest: number;
  fromAccepted: number;
}

/**
 * Runs the case at each target size in turn (1,000 then 10,000 waiting; quick: 50).
 * Each wave adds runs in chunks until the target or its time budget is reached; the rows name
 * the number actually waiting.
 */
export async function benchLatency(ctx: BenchContext): Promise<BenchRow[]> {
  const { app, services, bare } = ctx;
  const { latencyWaves: waves, latencyChunk: chunk, latencySamples: samples, latencySampleBudgetMs: sampleBudgetMs } = ctx.sizes;
  const warmup = 3;
  await app.publish(orderThenEmailJourney(journeyId));
  const random = createRandom(7);
  const waitingApp: string[] = [];
  const waitingBare: string[] = [];
  const rows: BenchRow[] = [];
  let seeded = 0;

  const appSample = async (customerId: string): Promise<Sample> => {
    const receipt = services.sink.next(emailOf(customerId), receiptTimeoutMs);
    const sent = wallMs();
    const reply = await app.call('POST', '/v1/events', { customerId, type: 'order_completed', properties: { amount: 25 } });
    const accepted = wallMs();
    if (reply.status !== 202) throw new Error(`POST /v1/events answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    const { at, bytes } = await receipt;
    ctx.emailBytes = bytes;
    return { fromRequest: at - sent, fromAccepted: at - accepted };
  };
  let lastBare = '';
  const bareSample = async (index: string): Promise<Sample> => {
    const receipt = services.sink.next(bareAddress(index), receiptTimeoutMs);
    const sent = wallMs();
    await app.temporal.workflow.getHandle(bareId(index)).signal(goSignal);
    const accepted = wallMs();
    const { at } = await receipt;
    lastBare = index;
    return { fromRequest: at - sent, fromAccepted: at - accepted };
  };
  const take = (pool: string[]) => pool.splice(Math.floor(random() * pool.length), 1)[0] ?? '';

  for (const [wave, { target, budgetMs }] of waves.entries()) {
    // Journeys: customers into the wait in chunks, started directly (case 1 measures campaigns).
    const began = Date.now();
    while (waitingApp.length < target && Date.now() - began < budgetMs) {
      const ids = await seedCustomers(app.db, { prefix: 'lat', from: seeded, count: Math.min(chunk, target - waitingApp.length), tags: ['latency'] });
      seeded += ids.length;
      await startRunsDirectly(app, journeyId, ids);
      // An event for a run that is not waiting yet is kept in its inbox: a slow settle only costs time.
      await waitUntilWaiting(app, journeyId, 'wait-order', waitingApp.length + ids.length, 5 * 60_000);
      waitingApp.push(...ids);
      note(`latency: ${waitingApp.length} runs waiting (${Math.round((Date.now() - began) / 1000)} s)`);
    }
    const reached = waitingApp.length;
    // Warm up (not counted); the journey's email also gives the bare emails their size.
    for (let i = 0; i < warmup; i++) await appSample(take(waitingApp));
    // Bare: as many workflows waiting for their signal.
    const bareIds = Array.from({ length: waitingApp.length + warmup - waitingBare.length }, (_, i) => `${wave}-${i}`);
    await inLanes(bareIds.length, 16, async (i) => {
      const index = bareIds[i] ?? '';
      await app.temporal.workflow.start('emailOnSignalWorkflow', { taskQueue: bare.taskQueue, workflowId: bareId(index), args: [bareEmail(bareAddress(index), ctx.emailBytes)] });
    });
    await waitUntilSettled(app.temporal, bareIds.slice(-10).map(bareId), 10 * 60_000);
    waitingBare.push(...bareIds);
    for (let i = 0; i < warmup; i++) await bareSample(take(waitingBare));
    await snapshotMemory(ctx, `${waitingApp.length} waiting for an event`, waitingApp.length, waitingBare.length);

    // Alternate journey and bare samples, one at a time, so background noise hits both alike.
    note(`latency: sampling with ${reached} waiting`);
    const measured = { app: [] as Sample[], bare: [] as Sample[] };
    const sampling = Date.now();
    for (let i = 0; i < samples && (i < 20 || Date.now() - sampling < sampleBudgetMs); i++) {
      measured.app.push(await appSample(take(waitingApp)));
      measured.bare.push(await bareSample(take(waitingBare)));
    }
    const label = reached < target ? `${reached.toLocaleString('en')} waiting (of ${target.toLocaleString('en')}: the time budget ran out)` : `${reached.toLocaleString('en')} waiting`;
    rows.push(...latencyRows(label, measured.app.length, measured));
  }
  ctx.liveCustomers.push(...waitingApp);
  const lastHandle = app.temporal.workflow.getHandle(bareId(lastBare));
  await lastHandle.result();
  ctx.bareHistory['emailOnSignalWorkflow'] = (await lastHandle.describe()).historyLength;
  return rows;
}

const bareId = (index: string) => `bench-bare-signal/${index}`;
const bareAddress = (index: string) => `bare-${index}@bare.test`;

function latencyRows(waiting: string, n: number, measured: { app: Sample[]; bare: Sample[] }): BenchRow[] {
  const label = `event → email, ${waiting} (n=${n} each)`;
  const of = (samples: Sample[], p: number) => round(percentile(samples.map((s) => s.fromAccepted), p));
  const rows: BenchRow[] = [50, 95, 99].map((p) => ({ case: `${label}: p${p}`, value: of(measured.app, p), unit: 'ms', baseline: of(measured.bare, p) }));
  const p99 = rows[2];
  if (p99 !== undefined && p99.baseline !== undefined) {
    p99.goal = '≤ 1.5 × baseline';
    p99.ok = p99.value <= 1.5 * p99.baseline;
  }
  const request = (samples: Sample[], p: number) => round(percentile(samples.map((s) => s.fromRequest - s.fromAccepted), p));
  rows.push({ case: `${label}: POST /v1/events answer p50 (baseline: the signal call)`, value: request(measured.app, 50), unit: 'ms', baseline: request(measured.bare, 50) });
  return rows;
}
