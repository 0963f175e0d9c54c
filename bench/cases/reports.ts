// Case 11 — reports at shop scale: the console's report and list calls through the API on a
// database of 100,000 customers, 1,000,000 events and 100,000 win-back runs (--quick: 10,000 /
// 100,000 / 10,000), and the same calls on a tenth of that data, each in its own database and API
// process, both up at once and called in turn (one sample on each side, 60 per call), so the
// machine's noise weighs on both alike. p50/p95 of each call; the ratio big/small shows whether
// a call grows with the data (goal: p95 under 300 ms at full size, ratio ≤ 1.5×).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from 'mongodb';
import { endpointsEnv } from '../../embedded/index.ts';
import { freePort } from '../../embedded/process.ts';
import { bulkUpsertCustomers } from '../../store/customers.ts';
import { connectDatabase } from '../../store/db.ts';
import { dailyLifecycle } from '../../store/lifecycle.ts';
import { recountOutcomes } from '../../store/outcomeRollup.ts';
import { recountSteps } from '../../store/rollups.ts';
import { runsCollection, type RunDocument } from '../../store/runs.ts';
import { prepareDatabase } from '../app.ts';
import { startNode } from '../child.ts';
import type { BenchRow } from '../core.ts';
import { publishBuiltinJourneys } from '../known.ts';
import { generateLifecycleData } from '../lifecycle.ts';
import type { BenchServices } from '../services.ts';
import { percentile, round, wallMs } from '../stats.ts';

const journeyId = 'win-back';
const steps = ['trigger', 'coupon', 'email', 'wait', 'done'];

interface Size {
  customers: number;
  events: number;
}

/** One run record per customer (every customer entered win-back once), spread over the steps. */
async function seedRuns(db: Db, customers: number): Promise<void> {
  const started = Date.UTC(2025, 4, 1);
  for (let from = 0; from < customers; from += 5_000) {
    const docs: RunDocument[] = [];
    for (let i = from; i < Math.min(customers, from + 5_000); i++) {
      const customerId = `c${String(i).padStart(7, '0')}`;
      const at = steps[i % steps.length] ?? 'trigger';
      const running = at === 'wait';
      const startedAt = new Date(started + i * 1_000).toISOString();
      docs.push({
        _id: `journey/${journeyId}/${customerId}`,
        runKey: `journey/${journeyId}/${customerId}#${String(i).padStart(12, '0')}`,
        journeyId,
        version: 1,
        customerId,
        status: running ? 'running' : i % 7 === 0 ? 'converted' : 'completed',
        nodeId: running ? 'wait' : null,
        waitingFor: running ? ['order_completed'] : [],
        variables: {},
        visited: steps.slice(0, steps.indexOf(at) + 1),
        history: [],
        startedAt,
        since: startedAt,
        updatedAt: startedAt,
      });
    }
    await runsCollection(db).insertMany(docs, { ordered: false });
  }
}

/** Tags every tenth customer `vip` through the import path (which writes their tag memberships too). */
async function tagTenth(db: Db, customers: number, now: Date): Promise<void> {
  const rows = Array.from({ length: Math.floor(customers / 10) }, (_, i) => ({ id: `c${String(i * 10).padStart(7, '0')}`, fields: { tags: ['vip'] } }));
  for (let i = 0; i < rows.length; i += 1_000) await bulkUpsertCustomers(db, rows.slice(i, i + 1_000), now);
}

/** The console's calls: journey page, step drawer, segments, dashboards, inbox, a customer. */
function calls(size: Size): Array<[string, string]> {
  const someone = `c${String(Math.floor(size.customers / 2)).padStart(7, '0')}`;
  return [
    ['journey stats', `/v1/journeys/${journeyId}/stats`],
    ['customers at a step', `/v1/journeys/${journeyId}/nodes/wait/customers?limit=50`],
    ['journey outcomes', `/v1/journeys/${journeyId}/outcomes`],
    ['segments (with sizes)', '/v1/segments'],
    ['segment members (count and sample)', '/v1/segments/dormant-90d/members?sample=20'],
    ['lifecycle overview (dashboards)', '/v1/lifecycle'],
    ['30-day stage trend (dashboards)', '/v1/lifecycle/trend?days=30'],
    ['campaign list', '/v1/campaigns?limit=20'],
    ['task inbox', '/v1/tasks?limit=50'],
    ['customer timeline', `/v1/customers/${someone}/timeline`],
    ['customer list', '/v1/customers?limit=50'],
    ['customer list by stage', '/v1/customers?stage=dormant&limit=50'],
    ['customer list by segment', '/v1/customers?segment=dormant-90d&limit=50'],
    ['customer list by tag', '/v1/customers?tag=vip&limit=50'],
    ["a customer's events", `/v1/events?customerId=${someone}&limit=50`],
  ];
}

/** A seeded database with its own API process, ready to be called. */
interface Seeded {
  size: Size;
  call(path: string): Promise<{ ms: number; status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Seeds a database of `size` and starts an API process on it. */
async function seed(services: BenchServices, size: Size): Promise<Seeded> {
  const dbName = `waymark_reports_${size.customers}`;
  const { client, db } = await connectDatabase(services.endpoints.mongo.url, dbName);
  const adminApiKey = `wm_admin_${randomBytes(18).toString('base64url')}`;
  const port = await freePort();
  const drop = async () => {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  };
  try {
    await db.dropDatabase();
    await prepareDatabase(db);
    const now = new Date('2025-06-01T00:00:00Z');
    await generateLifecycleData(db, size);
    await dailyLifecycle(db, new Date(now.getTime() + 86_400_000));
    await publishBuiltinJourneys(db, now);
    await seedRuns(db, size.customers);
    await tagTenth(db, size.customers, now);
    // What the daily run does after runs written around the counters (here: seeded in bulk).
    await recountSteps(db, journeyId);
    await recountOutcomes(db, journeyId);
    const api = await startNode({
      name: `reports API (${dbName})`,
      entry: fileURLToPath(new URL('../procs/api.ts', import.meta.url)),
      env: {
        ...endpointsEnv(services.endpoints),
        WAYMARK_DATA_DIR: join(services.dataDir, dbName),
        WAYMARK_HOST: '127.0.0.1',
        WAYMARK_PORT: String(port),
        WAYMARK_ADMIN_API_KEY: adminApiKey,
        WAYMARK_SECRET: randomBytes(32).toString('hex'),
        WAYMARK_SEED: 'never',
        MONGODB_DB: dbName,
        LOG_LEVEL: 'warn',
      },
      logFile: join(services.dataDir, `${dbName}-api.log`),
      ready: /listening/,
    });
    return {
      size,
      async call(path) {
        const t0 = wallMs();
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${adminApiKey}` } });
        const body: unknown = await response.json().catch(() => null);
        return { ms: wallMs() - t0, status: response.status, body };
      },
      async close() {
        await api.stop();
        await drop();
      },
    };
  } catch (error) {
    await drop();
    throw error;
  }
}

/**
 * The calls on both databases, alternating one sample on each (after a few unmeasured calls to
 * warm each API), so a burst of load on this shared machine weighs on both sides alike: the
 * ratio compares the data sizes, not two moments.
 */
async function measure(big: Seeded, small: Seeded, samples: number): Promise<Map<string, { big: Stat; small: Stat }>> {
  // The members page after the first (its cursor from each side's first page).
  const cursorOf = async (side: Seeded) => {
    const first = (await side.call('/v1/segments/dormant-90d/members?sample=20')).body as { nextCursor?: string | null } | null;
    return typeof first?.nextCursor === 'string' ? `/v1/segments/dormant-90d/members?sample=20&cursor=${encodeURIComponent(first.nextCursor)}` : null;
  };
  const [bigLater, smallLater] = [await cursorOf(big), await cursorOf(small)];
  const paths = (side: Seeded, later: string | null) => new Map([...calls(side.size), ...(later === null ? [] : [['segment members, second page', later] as [string, string]])]);
  const bigPaths = paths(big, bigLater);
  const smallPaths = paths(small, smallLater);
  const out = new Map<string, { big: Stat; small: Stat }>();
  for (const [name, bigPath] of bigPaths) {
    const smallPath = smallPaths.get(name);
    if (smallPath === undefined) continue;
    const ms = { big: [] as number[], small: [] as number[] };
    const status = { big: 0, small: 0 };
    for (let i = 0; i < 3; i++) await Promise.all([big.call(bigPath), small.call(smallPath)]);
    for (let i = 0; i < samples; i++) {
      for (const [side, path, key] of [[big, bigPath, 'big'], [small, smallPath, 'small']] as const) {
        const answer = await side.call(path);
        ms[key].push(answer.ms);
        status[key] = answer.status;
      }
    }
    out.set(name, {
      big: { p50: percentile(ms.big, 50), p95: percentile(ms.big, 95), status: status.big },
      small: { p50: percentile(ms.small, 50), p95: percentile(ms.small, 95), status: status.small },
    });
  }
  return out;
}

interface Stat {
  p50: number;
  p95: number;
  status: number;
}

export async function benchReports(services: BenchServices, quick: boolean): Promise<BenchRow[]> {
  const big: Size = quick ? { customers: 10_000, events: 100_000 } : { customers: 100_000, events: 1_000_000 };
  const small: Size = { customers: big.customers / 10, events: big.events / 10 };
  const samples = quick ? 20 : 60;
  const smallSide = await seed(services, small);
  try {
    const bigSide = await seed(services, big);
    try {
      return rowsOf(await measure(bigSide, smallSide, samples), big, quick);
    } finally {
      await bigSide.close();
    }
  } finally {
    await smallSide.close();
  }
}

function rowsOf(measured: Map<string, { big: Stat; small: Stat }>, big: Size, quick: boolean): BenchRow[] {
  const label = `${big.customers.toLocaleString('en')} customers, ${big.events.toLocaleString('en')} events, ${big.customers.toLocaleString('en')} runs`;
  const rows: BenchRow[] = [];
  for (const [name, { big: b, small: s }] of measured) {
    const failed = b.status >= 400 ? ` (HTTP ${b.status})` : '';
    rows.push({
      case: `${name}${failed}: p50 ${round(b.p50, 1)} ms, p95 at ${label} (baseline: p95 at a tenth)`,
      value: round(b.p95, 1),
      unit: 'ms',
      baseline: round(s.p95, 1),
      goal: 'p95 < 300 ms, ≤ 1.5×',
      ...(quick ? {} : { ok: b.p95 < 300 && b.p95 <= 1.5 * Math.max(s.p95, 1) }),
    });
  }
  return rows;
}
