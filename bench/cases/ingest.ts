// Case 4 — ingestion: events per second the API accepts (202) with routing on — stored, folded
// into the profile, lifecycle re-scored and signalled to the customer's live runs — against a
// bare Express endpoint doing the same validation and one insert into the same collection.
import { createRandom } from '../../journey/hash.ts';
import { startBareIngest } from '../bare.ts';
import type { BenchContext } from '../context.ts';
import type { BenchRow } from '../core.ts';
import { round } from '../stats.ts';

const singleLanes = 16;
const batchLanes = 4;
const batchSize = 10;

interface LoadResult {
  accepted: number;
  failed: Record<string, number>;
  ms: number;
}

/** `lanes` clients posting for `durationMs`, one request in flight each. */
async function load(url: string, keys: readonly string[] | null, durationMs: number, body: (random: () => number) => unknown, lanes = singleLanes): Promise<LoadResult> {
  const result: LoadResult = { accepted: 0, failed: {}, ms: 0 };
  const t0 = performance.now();
  const end = t0 + durationMs;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const random = createRandom(lane + 1);
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(keys ? { authorization: `Bearer ${keys[lane]}` } : {}) };
      while (performance.now() < end) {
        const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body(random)) });
        const reply = (await response.json()) as { accepted?: number };
        if (response.status === 202) result.accepted += reply.accepted ?? 0;
        else result.failed[response.status] = (result.failed[response.status] ?? 0) + 1;
      }
    }),
  );
  result.ms = performance.now() - t0;
  return result;
}

const rate = (r: LoadResult) => (r.accepted * 1000) / r.ms;
const failures = (r: LoadResult) => Object.entries(r.failed).map(([status, n]) => `${n}×${status}`).join(', ');

export async function benchIngest(ctx: BenchContext): Promise<BenchRow[]> {
  const { app, services } = ctx;
  const durationMs = ctx.sizes.ingestMs;
  const customers = ctx.liveCustomers;
  if (customers.length === 0) throw new Error('no customers with live runs to send events for');
  const event = (random: () => number) => ({
    customerId: customers[Math.floor(random() * customers.length)],
    type: 'page_viewed',
    properties: { path: '/products/42' },
  });
  const keys = await Promise.all(Array.from({ length: singleLanes }, () => app.newKey('ingest')));
  const journeys = await app.call('GET', '/v1/journeys?status=published&limit=200');
  const published = typeof journeys.body === 'object' && journeys.body !== null && 'items' in journeys.body && Array.isArray(journeys.body.items) ? journeys.body.items.length : 0;

  const bareServer = await startBareIngest(services);
  const bareUrl = bareServer.url;
  try {
    // A second of each to warm up, then bare, journeys, bare again (drifting load hits both).
    await load(bareUrl, null, durationMs / 3, event);
    await load(`${app.url}/v1/events`, keys, durationMs / 3, event);
    const bareA = await load(bareUrl, null, durationMs / 2, event);
    const single = await load(`${app.url}/v1/events`, keys, durationMs, event);
    const bareB = await load(bareUrl, null, durationMs / 2, event);
    const batch = await load(`${app.url}/v1/events`, keys, durationMs / 2, (random) => ({ events: Array.from({ length: batchSize }, () => event(random)) }), batchLanes);
    const bareRate = ((bareA.accepted + bareB.accepted) * 1000) / (bareA.ms + bareB.ms);
    const label = `ingest: events accepted/s, routing to ${published} published journeys`;
    return [
      {
        case: `${label}, ${singleLanes} clients, one event per request (baseline: validate + one insert)${single.accepted === 0 || failures(single) ? ` [${failures(single)}]` : ''}`,
        value: round(rate(single)),
        unit: 'events/s',
        baseline: round(bareRate),
      },
      { case: `${label}, ${batchLanes} clients, batches of ${batchSize}${failures(batch) ? ` [${failures(batch)}]` : ''}`, value: round(rate(batch)), unit: 'events/s' },
    ];
  } finally {
    await bareServer.child.stop();
  }
}
