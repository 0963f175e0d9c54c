import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../test/db.ts';
import { recountSteps, stepCounts } from './rollups.ts';
import { recordRun, runsCollection, type RunUpdate } from './runs.ts';

const steps = ['trigger', 'wait', 'email', 'split', 'sms', 'done'];
const statuses = ['running', 'completed', 'converted', 'cancelled', 'failed'] as const;

/** One progress write of a customer's run, as the journey workflow makes them. */
const write = fc.record({
  customer: fc.integer({ min: 0, max: 5 }),
  first: fc.boolean(),
  status: fc.constantFrom(...statuses),
  at: fc.constantFrom(...steps),
  visited: fc.subarray(steps, { minLength: 1 }),
  /** A retried activity writes the same thing again. */
  twice: fc.boolean(),
});

let round = 0;

type Write = { customer: number; first: boolean; status: (typeof statuses)[number]; at: string; visited: string[] };

function update(journeyId: string, w: Write): RunUpdate {
  const customerId = `c-${w.customer}`;
  const at = new Date(Date.UTC(2026, 0, 1) + round++ * 1000).toISOString();
  return {
    workflowId: `journey/${journeyId}/${customerId}`,
    runKey: `journey/${journeyId}/${customerId}#${String(round).padStart(12, '0')}`,
    first: w.first,
    journeyId,
    version: 1,
    customerId,
    status: w.status,
    nodeId: w.status === 'running' ? w.at : null,
    waitingFor: [],
    variables: {},
    visited: w.visited,
    history: [],
    ...(w.status === 'running' ? {} : { reason: 'exit' }),
    startedAt: at,
    since: at,
    at,
  };
}

/** The counts by definition, straight from the runs (what the report read before rollups). */
async function countByQuery(db: Awaited<ReturnType<typeof testDatabase>>['db'], journeyId: string) {
  const runs = runsCollection(db);
  const out = [];
  for (const nodeId of steps) {
    const counts = {
      nodeId,
      entered: await runs.countDocuments({ journeyId, visited: nodeId }),
      waiting: await runs.countDocuments({ journeyId, status: 'running', nodeId }),
      converted: await runs.countDocuments({ journeyId, status: 'converted', visited: nodeId }),
    };
    if (counts.entered + counts.waiting + counts.converted > 0) out.push(counts);
  }
  return out.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

describe('journey step counters', () => {
  let env: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    env = await testDatabase();
  });
  afterAll(() => env.close());

  it('match a recount after any sequence of entries, moves, re-entries, exits and retried writes', async () => {
    let journey = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 30 }), async (writes) => {
        const journeyId = `j-${journey++}`;
        // Counted from the first write on (a journey's first report recounts once, then counters run).
        await recountSteps(env.db, journeyId);
        // Customers' writes interleave; one customer's writes stay in order, as one workflow's do.
        const byCustomer = new Map<number, typeof writes>();
        for (const w of writes) byCustomer.set(w.customer, [...(byCustomer.get(w.customer) ?? []), w]);
        await Promise.all(
          [...byCustomer.values()].map(async (list) => {
            for (const w of list) {
              const u = update(journeyId, w);
              await recordRun(env.db, u);
              if (w.twice) await recordRun(env.db, u);
            }
          }),
        );
        const expected = await countByQuery(env.db, journeyId);
        expect(await stepCounts(env.db, journeyId)).toEqual(expected);
        expect(await recountSteps(env.db, journeyId)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('counts runs written before the counters existed on the first report', async () => {
    const journeyId = 'j-before';
    const raw = (w: Write) => {
      const { workflowId, first: _first, at: _at, ...record } = update(journeyId, w);
      return { ...record, _id: workflowId, updatedAt: record.since };
    };
    await runsCollection(env.db).insertMany([
      raw({ customer: 1, first: true, status: 'running', at: 'wait', visited: ['trigger', 'wait'] }),
      raw({ customer: 2, first: true, status: 'converted', at: 'email', visited: ['trigger', 'wait', 'email'] }),
    ]);
    expect(await stepCounts(env.db, journeyId)).toEqual([
      { nodeId: 'email', entered: 1, waiting: 0, converted: 1 },
      { nodeId: 'trigger', entered: 2, waiting: 0, converted: 1 },
      { nodeId: 'wait', entered: 2, waiting: 1, converted: 1 },
    ]);
  });
});
