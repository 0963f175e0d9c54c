// Moving customers in flight to a new version, on Temporal's time-skipping test server with the
// real activities (FerretDB, the SMTP inbox): customers waiting at a removed step continue at the
// mapped step under the new version, none is lost, none gets a message twice, and a customer
// mid-action moves only once the action settled.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvironment } from '../test/fixtures/time-skipping.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JourneyGraph } from '../journey/index.ts';
import { listMessages } from '../store/messages.ts';
import { createMigration, getMigration, migrationOutcomeCounts, waitingByVersion } from '../store/migrations.ts';
import { getRun } from '../store/runs.ts';
import { testDatabase } from '../test/db.ts';
import { eventually, inbox, keepHistory, middayZone, prepareDatabase, publish, seedCustomer, startJourneyWorker, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { journeyStatusQuery, journeyWorkflowId } from './definitions.ts';

const services = inject('services');
const taskQueue = `migration-${randomUUID()}`;

let env: TestWorkflowEnvironment;
let database: Awaited<ReturnType<typeof testDatabase>>;
let worker: Awaited<ReturnType<typeof startJourneyWorker>>;

// A webhook receiver that holds its answer until released: a run stays mid-action meanwhile.
const hooks: string[] = [];
let release: (() => void) | null = null;
const held = new Promise<void>((resolve) => (release = resolve));
const hookServer = createServer((req, res) => {
  req.resume();
  hooks.push(req.url ?? '');
  void held.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
let hookUrl = '';

beforeAll(async () => {
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
  env = await timeSkippingEnvironment(services);
  database = await testDatabase();
  await prepareDatabase(database.db);
  worker = await startJourneyWorker(env, database.db, services, taskQueue);
});

afterAll(async () => {
  release?.();
  await worker?.stop();
  await env?.teardown();
  await database?.close();
  hookServer.close();
});

type Step = { id: string; kind: string; config: Record<string, unknown>; exit?: string };
const days = (amount: number) => ({ mode: 'duration', duration: { amount, unit: 'days' } });

/** An `api`-triggered journey running `steps` in a line (each step's first exit to the next). */
function line(id: string, steps: Step[]): JourneyGraph {
  const all: Step[] = [{ id: 'start', kind: 'api', config: {}, exit: 'next' }, ...steps, { id: 'done', kind: 'exit', config: {} }];
  return JourneyGraph.parse({
    schemaVersion: 1,
    id,
    name: id,
    nodes: all.map((s, i) => ({ id: s.id, kind: s.kind, config: s.config, position: { x: 0, y: i * 100 } })),
    edges: all.slice(0, -1).map((s, i) => ({ id: `e${i}`, source: s.id, sourceHandle: s.exit ?? 'next', target: all[i + 1]?.id ?? 'done' })),
    settings: { defaultLocale: 'en', timezone: 'UTC', reEntry: { policy: 'never' }, frequencyCaps: [] },
  });
}

async function customer(now: number) {
  const id = `c-${uniqueSuffix()}`;
  await seedCustomer(database.db, { id, email: `${id}@example.test`, name: 'Mei Chen', consent: { email: true, sms: false }, timezone: middayZone(now) });
  return { id, email: `${id}@example.test` };
}

async function migrate(journeyId: string, graph: JourneyGraph, mapping: Record<string, string>) {
  const v2 = await publish(database.db, graph);
  const migrationId = `m-${uniqueSuffix()}`;
  await createMigration(database.db, { id: migrationId, journeyId, version: v2.version, mapping, requestedBy: 'test' }, new Date());
  await worker.runtime.startMigration({ migrationId, journey: v2, mapping });
  return migrationId;
}

describe('moving customers in flight', () => {
  it('moves customers waiting at a removed step to the mapped step: none lost, none emailed twice', async () => {
    const journeyId = `mig-${uniqueSuffix()}`;
    const email = (id: string, templateId: string): Step => ({ id, kind: 'email', config: { templateId }, exit: 'sent' });
    const v1 = await publish(database.db, line(journeyId, [email('first', 'welcome'), { id: 'nudge-wait', kind: 'wait', config: days(3) }, email('second', 'welcome-tips')]));
    const now = await env.currentTimeMs();
    const people = await Promise.all([1, 2, 3].map(() => customer(now)));
    for (const c of people) expect(await worker.runtime.startJourney({ journey: v1, customer: { id: c.id } as never })).toEqual({ started: true });
    await eventually(() => waitingByVersion(database.db, journeyId, 99), (w) => w[0]?.waiting === 3);

    // v2 drops the 3-day wait for a 1-day one.
    const migrationId = await migrate(journeyId, line(journeyId, [email('first', 'welcome'), { id: 'short-wait', kind: 'wait', config: days(1) }, email('second', 'welcome-tips')]), {
      'nudge-wait': 'short-wait',
    });
    await eventually(() => migrationOutcomeCounts(database.db, migrationId), (c) => c.moved === 3, 30_000);
    expect(await eventually(() => getMigration(database.db, migrationId), (m) => m?.status === 'completed')).toMatchObject({ signalled: 3, ended: 0, failed: 0 });
    // Each run reports its move, then writes its run record: the record follows a moment later.
    for (const c of people) {
      const run = await eventually(() => getRun(database.db, journeyWorkflowId(journeyId, c.id)), (r) => r?.version === 2);
      expect(run).toMatchObject({ version: 2, status: 'running', nodeId: 'short-wait' });
    }

    const handles = people.map((c) => env.client.workflow.getHandle(journeyWorkflowId(journeyId, c.id)));
    for (const handle of handles) expect(await handle.result()).toMatchObject({ reason: 'exit', nodeId: 'done' });
    for (const c of people) {
      const mails = await inbox(services, c.email);
      expect(mails).toHaveLength(2);
      const sent = (await listMessages(database.db, { customerId: c.id }, { limit: 10 })).items;
      expect(new Set(sent.map((m) => m.key)).size).toBe(2);
      // The new wait (1 day from the move, which came at once), not the old one's 3.
      const gap = Date.parse(sent[1]?.createdAt ?? '') - Date.parse(sent[0]?.createdAt ?? '');
      expect(Math.abs(gap - 86_400_000)).toBeLessThan(3_600_000);
      expect(await getRun(database.db, journeyWorkflowId(journeyId, c.id))).toMatchObject({ version: 2, status: 'completed' });
    }
    const status = await handles[0]?.query(journeyStatusQuery);
    expect(status?.version).toBe(2);
    expect(status?.history.map((h) => `${h.nodeId}:${h.outcome}`)).toEqual(expect.arrayContaining(['nudge-wait:moved', 'short-wait:entered', 'second:sent']));
    if (handles[0]) await keepHistory('migrated', handles[0]);
  });

  it('keeps the remaining wait of an unchanged step, then follows the new version from there', async () => {
    const journeyId = `mig-${uniqueSuffix()}`;
    const hold: Step = { id: 'hold', kind: 'wait', config: days(2) };
    const v1 = await publish(database.db, line(journeyId, [hold]));
    const c = await customer(await env.currentTimeMs());
    await worker.runtime.startJourney({ journey: v1, customer: { id: c.id } as never });
    const handle = env.client.workflow.getHandle(journeyWorkflowId(journeyId, c.id));
    const before = await eventually(() => getRun(database.db, handle.workflowId), (r) => r?.nodeId === 'hold');
    // v2 adds an email after the same wait.
    const migrationId = await migrate(journeyId, line(journeyId, [hold, { id: 'after', kind: 'email', config: { templateId: 'welcome' }, exit: 'sent' }]), {});
    await eventually(() => migrationOutcomeCounts(database.db, migrationId), (m) => m.moved === 1);
    expect(await eventually(() => getRun(database.db, handle.workflowId), (r) => r?.version === 2)).toMatchObject({ nodeId: 'hold', waitingUntil: before?.waitingUntil });
    expect(await handle.result()).toMatchObject({ reason: 'exit' });
    const [sent] = (await listMessages(database.db, { customerId: c.id }, { limit: 5 })).items;
    expect(Date.parse(sent?.createdAt ?? '')).toBeGreaterThanOrEqual(Date.parse(before?.waitingUntil ?? ''));
    expect(Date.parse(sent?.createdAt ?? '') - Date.parse(before?.waitingUntil ?? '')).toBeLessThan(3_600_000);
    expect(await inbox(services, c.email)).toHaveLength(1);
  });

  it('leaves a customer mid-action where they are until the action settles, then moves them', async () => {
    const journeyId = `mig-${uniqueSuffix()}`;
    const hook: Step = { id: 'hook', kind: 'webhook', config: { url: hookUrl, body: '{"text":"hi"}' }, exit: 'delivered' };
    const tail: Step = { id: 'after', kind: 'email', config: { templateId: 'welcome' }, exit: 'sent' };
    const pre: Step = { id: 'pre', kind: 'wait', config: { mode: 'duration', duration: { amount: 1, unit: 'hours' } } };
    const v1 = await publish(database.db, line(journeyId, [pre, hook, { id: 'hold', kind: 'wait', config: days(2) }, tail]));
    const c = await customer(await env.currentTimeMs());
    await worker.runtime.startJourney({ journey: v1, customer: { id: c.id } as never });
    const handle = env.client.workflow.getHandle(journeyWorkflowId(journeyId, c.id));
    await eventually(() => getRun(database.db, handle.workflowId), (r) => r?.nodeId === 'pre');
    await env.sleep('1 hour');
    await eventually(async () => hooks.length, (n) => n === 1);
    expect((await handle.query(journeyStatusQuery)).waiting).toEqual({ kind: 'action', action: 'webhook' });

    const migrationId = await migrate(journeyId, line(journeyId, [pre, hook, { id: 'hold-2', kind: 'wait', config: days(1) }, tail]), { hold: 'hold-2' });
    await eventually(() => getMigration(database.db, migrationId), (m) => m?.status === 'completed');
    // Signalled, but still acting on v1: nothing moved yet.
    const during = await handle.query(journeyStatusQuery);
    expect([during.version, during.waiting?.kind]).toEqual([1, 'action']);
    expect((await migrationOutcomeCounts(database.db, migrationId)).moved).toBe(0);

    release?.();
    await eventually(() => handle.query(journeyStatusQuery), (s) => s.version === 2 && s.nodeId === 'hold-2');
    expect(await migrationOutcomeCounts(database.db, migrationId)).toEqual({ moved: 1, skipped: {} });
    expect(await handle.result()).toMatchObject({ reason: 'exit' });
    expect(hooks).toHaveLength(1);
    expect(await inbox(services, c.email)).toHaveLength(1);
  });
});
