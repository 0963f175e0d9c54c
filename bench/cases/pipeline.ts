// Case 8 — the event pipeline (runtime/pipeline.ts: store → fold → rescore → route), with the
// four built-in journeys published as `npm start` publishes them and customers who bought before:
//  1. batch ingest: order_completed in batches of 500 through `POST /v1/events?wait=true` (every
//     stage done before the answer), events/s, against the bare endpoint validating the same
//     documents with the API's zod schema and inserting them with one insertOne each;
//  2. one stage-changing event (an order from a dormant customer: dormant → wonBack): the answer
//     of `POST /v1/events` (stored, the rest in the background), p50, against the bare endpoint
//     answering one event; and, informational, the answer with `?wait=true` (every stage done);
//  3. the cost of one event by the number of published journeys: the same number of orders with
//     4 journeys, then with 46 more that they do not match, through a pipeline run in this process
//     (createEventPipeline on its own instrumented MongoDB and Temporal clients, the production
//     worker running the journeys): Temporal calls (the pipeline's stats), Temporal requests and
//     database round trips per event.
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { ConnectionOptions } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import type { CommandStartedEvent, Db } from 'mongodb';
import { eventKey } from '../../journey/event.ts';
import type { CustomerEvent } from '../../journey/event.ts';
import { createRandom } from '../../journey/hash.ts';
import type { JourneyGraph } from '../../journey/index.ts';
import { createEventPipeline } from '../../runtime/pipeline.ts';
import type { PipelineStats } from '../../runtime/pipeline.ts';
import { createTemporalRuntime } from '../../runtime/temporal.ts';
import { customersCollection } from '../../store/customers.ts';
import { eventQueueCollection } from '../../store/events.ts';
import { setJourneyStatus } from '../../store/journeys.ts';
import { registryOf } from '../../store/runs.ts';
import { seedCustomers } from '../app.ts';
import type { BenchApp } from '../app.ts';
import { startBareIngest } from '../bare.ts';
import type { BareIngest } from '../bare.ts';
import type { BenchContext } from '../context.ts';
import type { BenchRow } from '../core.ts';
import { journey } from '../journeys.ts';
import { buyers, ensureLifecycleBase, insertBuyers, publishBuiltinJourneys } from '../known.ts';
import { keyRing, postJson, unfinishedIn } from '../post.ts';
import { note, percentile, perSecond, round, sleep, until } from '../stats.ts';

const batchSize = 500;
const batchLanes = 2;
const warmup = 3;
const costBatch = 100;
/** The API caches journeys and the lifecycle context this long (runtime/pipeline.ts `cacheMs`). */
const apiCacheMs = 2_000;

type EventInput = Omit<CustomerEvent, 'at'>;

const amountOf = (random: () => number) => Math.round((10 + 190 * random()) * 100) / 100;

/** Published journeys, and those events can start (event and segment triggers: the ones the pipeline reads). */
async function publishedJourneys(db: Db): Promise<{ published: number; triggered: number }> {
  const docs = await db.collection<{ _id: string; status: string; entry?: { kind?: string } }>('journeys').find({ status: 'published' }, { projection: { entry: 1 } }).toArray();
  return { published: docs.length, triggered: docs.filter((d) => d.entry?.kind === 'event' || d.entry?.kind === 'segment').length };
}

export async function benchPipeline(ctx: BenchContext): Promise<BenchRow[]> {
  const { app, services, sizes } = ctx;
  const now = new Date();
  const published = await publishBuiltinJourneys(app.db, now);
  // Active buyers (last order 2–40 days ago) get the batch orders; dormant ones (100–300 days:
  // dormant, not churned) one order each, half answered at once, half with ?wait=true.
  const active = buyers({ prefix: 'pa', count: sizes.pipelineBuyers, lastOrderDays: [2, 40], seed: 1, now });
  const dormant = buyers({ prefix: 'pd', count: 2 * (sizes.stageSamples + warmup), lastOrderDays: [100, 300], seed: 2, now });
  const wroteBase = await ensureLifecycleBase(app.db, [...active.summaries, ...dormant.summaries], now);
  await insertBuyers(app.db, [active, dormant], now);
  note(`pipeline: published ${published.join(', ') || 'no'} built-in journeys, seeded ${active.ids.length} active and ${dormant.ids.length} dormant buyers${wroteBase ? ', stored a lifecycle base' : ''}`);
  await sleep(apiCacheMs + 200); // the API's pipeline reads the journeys and the base again
  const nextKey = keyRing(await Promise.all(Array.from({ length: 8 }, () => app.newKey('ingest'))));
  const rows: BenchRow[] = [];
  const bare = await startBareIngest(services);
  try {
    rows.push(...(await failedAsRow('batch ingest', () => batchIngest(ctx, bare, nextKey, active.ids))));
    const half = dormant.ids.length / 2;
    rows.push(...(await failedAsRow('one stage-changing event', () => stageChange(ctx, bare, nextKey, dormant.ids.slice(0, half), dormant.ids.slice(half)))));
  } finally {
    await bare.child.stop();
  }
  rows.push(...(await failedAsRow('cost per event by number of journeys', () => journeyCost(ctx, nextKey))));
  return rows;
}

/** Runs one figure; a failure becomes a FAILED row (the runner exits 1) and the other figures still run. */
async function failedAsRow(what: string, run: () => Promise<BenchRow[]>): Promise<BenchRow[]> {
  try {
    return await run();
  } catch (error) {
    process.stderr.write(`bench: pipeline: ${what} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    return [{ case: `FAILED: pipeline: ${what}: ${(error instanceof Error ? error.message : String(error)).slice(0, 200)}`, value: 0, unit: '', ok: false }];
  }
}

interface Sent {
  events: number;
  ms: number;
  complete: boolean;
  unfinished: number;
  limited: number;
}

/** Posts `batches` with `lanes` requests in flight until all are sent or `budgetMs` passed (no new request after it). */
async function sendBatches(url: string, batches: readonly EventInput[][], key: (() => string) | null, budgetMs: number, lanes = batchLanes): Promise<Sent> {
  const sent: Sent = { events: 0, ms: 0, complete: true, unfinished: 0, limited: 0 };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        if (performance.now() - t0 > budgetMs) {
          sent.complete = false;
          return;
        }
        const events = batches[i] ?? [];
        const reply = await postJson(url, { events }, key?.());
        if (reply.status !== 202) throw new Error(`POST ${url} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
        sent.events += events.length;
        sent.unfinished += unfinishedIn(reply.body);
        sent.limited += reply.limited;
      }
    }),
  );
  sent.ms = performance.now() - t0;
  return sent;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Figure 1: batches of 500 with every stage done, against validate + insertOne one by one. */
async function batchIngest(ctx: BenchContext, bare: BareIngest, nextKey: () => string, customers: readonly string[]): Promise<BenchRow[]> {
  const { app, sizes } = ctx;
  const random = createRandom(21);
  const order = (id: string): EventInput => ({
    id,
    customerId: customers[Math.floor(random() * customers.length)] ?? '',
    type: 'order_completed',
    properties: { amount: amountOf(random), currency: 'USD' },
  });
  const batches = chunk(
    Array.from({ length: sizes.batchEvents }, (_, i) => order(`bi-${i}`)),
    batchSize,
  );
  const appUrl = `${app.url}/v1/events?wait=true`;
  // Warm up both (not counted), then bare, Waymark, bare again: drifting load weighs on both.
  await sendBatches(appUrl, [Array.from({ length: batchSize }, (_, i) => order(`bw-${i}`))], nextKey, 60_000, 1);
  await sendBatches(bare.url, [Array.from({ length: batchSize }, (_, i) => order(`bbw-${i}`))], null, 60_000, 1);
  const half = Math.ceil(batches.length / 2);
  const bareA = await sendBatches(bare.url, batches.slice(0, half), null, sizes.batchBudgetMs / 2);
  note('pipeline: batch ingest, bare first half done');
  const waymark = await sendBatches(appUrl, batches, nextKey, sizes.batchBudgetMs);
  note(`pipeline: batch ingest, ${waymark.events} events with ?wait=true in ${round(waymark.ms / 1000)} s`);
  const bareB = await sendBatches(bare.url, batches.slice(half), null, sizes.batchBudgetMs / 2);
  const rate = perSecond(waymark.events, waymark.ms);
  const bareRate = perSecond(bareA.events + bareB.events, bareA.ms + bareB.ms);
  note(`pipeline: batch ingest ${round(rate)} events/s; bare ${round(perSecond(bareA.events, bareA.ms))} then ${round(perSecond(bareB.events, bareB.ms))} events/s`);
  const flags = [
    waymark.complete ? '' : `${waymark.events.toLocaleString('en')} of ${sizes.batchEvents.toLocaleString('en')} sent in the ${sizes.batchBudgetMs / 1000} s budget`,
    waymark.unfinished > 0 ? `${waymark.unfinished} answered with a stage left undone` : '',
    waymark.limited > 0 ? `${waymark.limited}×429 retried` : '',
  ].filter(Boolean);
  return [
    {
      case: `pipeline: batch ingest, order_completed for ${customers.length.toLocaleString('en')} known customers, batches of ${batchSize} with ?wait=true (stored, folded, rescored, routed), ${batchLanes} clients (baseline: the same documents, zod validation + one insertOne each)${flags.length > 0 ? ` [${flags.join('; ')}]` : ''}`,
      value: round(rate),
      unit: 'events/s',
      baseline: round(bareRate),
      goal: '≥ 0.5 × baseline',
      ok: rate >= 0.5 * bareRate,
    },
  ];
}

/** Figure 2: one order from a dormant customer, answered at once and with ?wait=true, against one bare insert. */
async function stageChange(ctx: BenchContext, bare: BareIngest, nextKey: () => string, atOnce: readonly string[], waiting: readonly string[]): Promise<BenchRow[]> {
  const { app } = ctx;
  const queue = eventQueueCollection(app.db);
  const measured = { answer: [] as number[], done: [] as number[], wait: [] as number[], bare: [] as number[] };
  const order = (id: string, customerId: string): EventInput => ({ id, customerId, type: 'order_completed', properties: { amount: 42.5, currency: 'USD' } });
  const expect202 = (reply: { status: number; body: unknown }, what: string) => {
    if (reply.status !== 202) throw new Error(`${what} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
  };
  // One at a time, each on a quiet pipeline: an event, its background stages polled until done,
  // a bare insert, then an event with ?wait=true.
  const count = Math.min(atOnce.length, waiting.length);
  for (let i = 0; i < count; i++) {
    const customerId = atOnce[i] ?? '';
    const t0 = performance.now();
    const answer = await postJson(`${app.url}/v1/events`, order(`sc-${i}`, customerId), nextKey());
    expect202(answer, 'POST /v1/events');
    const key = eventKey(customerId, `sc-${i}`);
    await until(async () => (await queue.findOne({ keys: key }, { projection: { _id: 1 } })) === null, `the stages of ${key}`, 30_000, 2);
    const done = performance.now() - t0;
    const bareReply = await postJson(bare.url, order(`scb-${i}`, customerId));
    expect202(bareReply, 'the bare endpoint');
    const waited = await postJson(`${app.url}/v1/events?wait=true`, order(`sw-${i}`, waiting[i] ?? ''), nextKey());
    expect202(waited, 'POST /v1/events?wait=true');
    if (i < warmup) continue;
    measured.answer.push(answer.ms);
    measured.done.push(done);
    measured.bare.push(bareReply.ms);
    measured.wait.push(waited.ms);
  }
  const sampled = [...atOnce.slice(warmup, count), ...waiting.slice(warmup, count)];
  const docs = await customersCollection(app.db)
    .find({ _id: { $in: sampled } }, { projection: { 'computed.stage': 1 } })
    .toArray();
  const wonBack = docs.filter((d) => d.computed.stage === 'wonBack').length;
  const n = measured.answer.length;
  const changed = wonBack === sampled.length ? `all ${sampled.length} went dormant → wonBack` : `only ${wonBack} of ${sampled.length} went dormant → wonBack`;
  const p50 = (values: number[]) => round(percentile(values, 50));
  const answer = p50(measured.answer);
  const bareP50 = p50(measured.bare);
  note(`pipeline: stage change, default mode: answer p50 ${answer} ms, stages done (polled) p50 ${p50(measured.done)} ms, p95 ${round(percentile(measured.done, 95))} ms`);
  return [
    {
      case: `pipeline: one stage-changing event (order_completed from a dormant customer), POST /v1/events answer p50, n=${n} (baseline: bare endpoint, zod validation + one insertOne) [${changed}]`,
      value: answer,
      unit: 'ms',
      baseline: bareP50,
      goal: '≤ 3 × baseline',
      ok: answer <= 3 * bareP50,
    },
    {
      case: `pipeline: the same with ?wait=true, answered once every stage ran (stored, folded, rescored, routed), p50, n=${n} (baseline: the bare insert above)`,
      value: p50(measured.wait),
      unit: 'ms',
      baseline: bareP50,
    },
  ];
}

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];
type GrpcInterceptorArgs = Parameters<GrpcInterceptor>;

/** Counts the commands a MongoDB client sends and the requests a Temporal connection makes while `on`. */
class CallCounter {
  on = false;
  db = 0;
  temporal = 0;
  readonly commands = new Map<string, number>();

  reset(): void {
    this.db = 0;
    this.temporal = 0;
    this.commands.clear();
  }

  command(event: CommandStartedEvent): void {
    if (!this.on) return;
    this.db++;
    const target = event.command[event.commandName];
    const label = `${event.commandName} ${typeof target === 'string' ? target : ''}`.trim();
    this.commands.set(label, (this.commands.get(label) ?? 0) + 1);
  }

  /**
   * A gRPC interceptor that counts each call and passes it on unchanged. (grpc-js types an
   * interceptor's result as its InterceptingCall class; the next call's interface is what it uses.)
   */
  readonly interceptor = ((options: GrpcInterceptorArgs[0], nextCall: GrpcInterceptorArgs[1]) => {
    if (this.on) this.temporal++;
    return nextCall(options);
  }) as unknown as GrpcInterceptor;

  top(n: number): string {
    return [...this.commands]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([label, count]) => `${label} ${count}`)
      .join(', ');
  }
}

interface Phase {
  label: string;
  events: number;
  ms: number;
  stats: PipelineStats;
  db: number;
  temporal: number;
  unfinished: number;
}

/** 40 journeys on event types nobody sends and 6 on segments an order does not make anyone enter. */
function decoyJourneys(): JourneyGraph[] {
  const email = { id: 'email', kind: 'email', config: { templateId: 'welcome' } } as const;
  const done = { id: 'done', kind: 'exit', config: {} } as const;
  const links: Array<[string, string, string]> = [
    ['trigger', 'next', 'email'],
    ['email', 'sent', 'done'],
  ];
  const graphs = Array.from({ length: 40 }, (_, i) => journey(`bench-decoy-event-${i}`, `Bench decoy: event ${i}`, [{ id: 'trigger', kind: 'event', config: { eventType: `bench_decoy_${i}` } }, email, done], links));
  const segments = ['at-risk', 'nps-detractors', 'high-value-at-risk'];
  for (let i = 0; i < 6; i++) {
    graphs.push(journey(`bench-decoy-segment-${i}`, `Bench decoy: segment ${i}`, [{ id: 'trigger', kind: 'segment', config: { segment: segments[i % segments.length] ?? 'at-risk' } }, email, done], links));
  }
  return graphs;
}

/**
 * Figure 3: the same orders with the journeys published now, then with 46 more, through a
 * pipeline in this process. Each phase has its own known customers: profiles without an order
 * yet, a fifth of them in a welcome run (it takes prospects only; started by a signed_up through
 * the API, not measured; its goal is an order, so their first order is signalled to it), then 4
 * orders each, spread so that a customer's orders land in different batches.
 */
async function journeyCost(ctx: BenchContext, nextKey: () => string): Promise<BenchRow[]> {
  const { app, services, sizes } = ctx;
  const counter = new CallCounter();
  const mongo = await MongoClient.connect(services.endpoints.mongo.url, { monitorCommands: true, serverSelectionTimeoutMS: 5_000 });
  mongo.on('commandStarted', (event) => counter.command(event));
  const connection = await Connection.connect({
    address: services.endpoints.temporal.address,
    interceptors: [counter.interceptor, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
  });
  try {
    const db = mongo.db(app.db.databaseName);
    const runtime = createTemporalRuntime({ client: new Client({ connection, namespace: 'default' }), db, taskQueue: app.taskQueue });
    const perCustomer = 4;
    const customers = Math.max(1, Math.floor(sizes.journeyCostEvents / perCustomer));
    const welcomeRuns = Math.ceil(customers / 5);
    const phase = async (prefix: string, seed: number): Promise<Phase> => {
      const journeys = await publishedJourneys(app.db);
      const ids = await seedCustomers(app.db, { prefix, count: customers, tags: [prefix] });
      const withRuns = ids.slice(0, welcomeRuns);
      const settled = await startWelcomeRuns(app, withRuns, nextKey, sizes.welcomeSettleMs);
      const random = createRandom(seed);
      const events: EventInput[] = [];
      for (let k = 0; k < perCustomer; k++) {
        for (const customerId of ids) events.push({ id: `jc-${k}`, customerId, type: 'order_completed', properties: { amount: amountOf(random), currency: 'USD' } });
      }
      const pipeline = createEventPipeline({ db, runtime });
      counter.reset();
      counter.on = true;
      const t0 = performance.now();
      let unfinished = 0;
      for (const batch of chunk(events, costBatch)) {
        const results = await pipeline.ingest(batch.map((e) => ({ ...e, at: new Date().toISOString() })), { wait: true });
        unfinished += results.filter((r) => !r.finished).length;
      }
      const ms = performance.now() - t0;
      counter.on = false;
      const runs = settled < withRuns.length ? `${withRuns.length} in a welcome run, ${settled} of them settled in time` : `${withRuns.length} in a welcome run`;
      const label = `${journeys.published} published journeys (${journeys.triggered} with event or segment triggers), ${customers} customers (${runs})`;
      note(`pipeline: cost per event, ${label}: ${events.length} events in ${round(ms)} ms; db ${counter.db} (${counter.top(8)}); temporal ${counter.temporal}; stats ${JSON.stringify(pipeline.stats())}`);
      return { label, events: events.length, ms, stats: pipeline.stats(), db: counter.db, temporal: counter.temporal, unfinished };
    };
    const before = await phase('pj', 31);
    const decoys = decoyJourneys();
    for (const graph of decoys) await app.publish(graph);
    await sleep(apiCacheMs + 200);
    try {
      const after = await phase('pk', 32);
      return costRows(before, after);
    } finally {
      // Paused again: the cases after this one see the built-in journeys only.
      for (const graph of decoys) await setJourneyStatus(app.db, graph.id, ['published'], 'paused', new Date());
      await sleep(apiCacheMs + 200);
    }
  } finally {
    await connection.close().catch(() => undefined);
    await mongo.close().catch(() => undefined);
  }
}

/**
 * Starts a welcome run for each customer (signed_up through the API) and waits, up to
 * `timeoutMs`, until each has said what it waits for (a run that has not still takes any event).
 * Returns how many did: on a busy worker (a full run, after the other cases) it can lag.
 */
async function startWelcomeRuns(app: BenchApp, ids: readonly string[], nextKey: () => string, timeoutMs: number): Promise<number> {
  for (const group of chunk(ids, 100)) {
    const reply = await postJson(`${app.url}/v1/events?wait=true`, { events: group.map((customerId) => ({ id: 'signed-up', customerId, type: 'signed_up' })) }, nextKey());
    if (reply.status !== 202) throw new Error(`signed_up answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
  }
  const customers = customersCollection(app.db);
  let settled = 0;
  await until(
    async () => {
      const docs = await customers.find({ _id: { $in: [...ids] } }, { projection: { runs: 1 } }).toArray();
      settled = docs.filter((d) => {
        const entry = registryOf(d as { runs?: unknown })['welcome'];
        return entry !== undefined && !entry.waitsFor.includes('*');
      }).length;
      return settled >= ids.length;
    },
    '',
    timeoutMs,
    500,
  ).catch(() => undefined);
  return settled;
}

function costRows(before: Phase, after: Phase): BenchRow[] {
  const per = (p: Phase, n: number) => round(n / p.events, 3);
  // Within 10 %, or 0.01 per event (10 calls in 1,000): a welcome run that ended a moment
  // before or after a customer's next order costs one signal more or less.
  const close = (value: number, baseline: number) => value <= baseline * 1.1 + 0.01;
  const suffix = (p: Phase) => `${p.label}, ${p.events.toLocaleString('en')} orders in batches of ${costBatch} with wait${p.unfinished > 0 ? ` [${p.unfinished} left a stage undone]` : ''}`;
  const metric = (what: string, of: (p: Phase) => number, goal: boolean): BenchRow[] => {
    const a = per(before, of(before));
    const b = per(after, of(after));
    return [
      { case: `pipeline: ${what} per event, ${suffix(before)}`, value: a, unit: 'per event' },
      {
        case: `pipeline: ${what} per event, ${suffix(after)} (baseline: the row above)`,
        value: b,
        unit: 'per event',
        baseline: a,
        ...(goal ? { goal: '≤ 1.1 × baseline + 0.01', ok: close(b, a) } : {}),
      },
    ];
  };
  return [
    ...metric('Temporal calls (pipeline stats: signals + entries)', (p) => p.stats.signalCalls + p.stats.entryCalls, true),
    ...metric('Temporal requests (gRPC)', (p) => p.temporal, false),
    ...metric('database round trips (MongoDB commands)', (p) => p.db, true),
    {
      case: `pipeline: time per event, ${suffix(after)} (baseline: with ${before.label.split(' ')[0]} published journeys)`,
      value: round(after.ms / after.events, 2),
      unit: 'ms',
      baseline: round(before.ms / before.events, 2),
    },
  ];
}
