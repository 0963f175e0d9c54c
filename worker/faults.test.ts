// The fault suite: campaigns through real worker processes on the Temporal dev server while
// things go wrong — a worker killed right after a provider accepted, one of three workers killed,
// SMTP slower than the activity timeout or down, Twilio failing, an Aliyun send cut off, an invalid number, a campaign
// batch failing after it started its runs. Each row counts what arrived at the receiving end
// (SMTP server, SMS sandbox, webhook receiver, coupon and task collections) against the ledger:
// nothing lost, nothing twice. Everything listens on 127.0.0.1; counts are small and bounded.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../embedded/process.ts';
import { startSmsSandbox } from '../embedded/sms-sandbox.ts';
import { startAliyunSmsSandbox } from '../embedded/aliyun-sms-sandbox.ts';
import { consentRecords, CustomerProfile } from '../journey/index.ts';
import type { JourneyGraph } from '../journey/index.ts';
import { createTemporalRuntime } from '../runtime/temporal.ts';
import { customersCollection } from '../store/customers.ts';
import { syncMemberships } from '../store/segmentMembers.ts';
import { runsCollection } from '../store/runs.ts';
import { testDatabase } from '../test/db.ts';
import { eventually, inbox, middayZone, prepareDatabase, publish, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { exited, workerProcesses } from '../test/fixtures/worker-process.ts';

const services = inject('services');
/** Leases short enough that a dead attempt's lease runs out soon after Temporal retries it. */
const faultEnv = { WAYMARK_SEND_LEASE_SECONDS: '3' };

let database: Awaited<ReturnType<typeof testDatabase>>;
let client: Client;
let workers: Awaited<ReturnType<typeof workerProcesses>>;
const cleanups: Array<() => Promise<unknown> | void> = [];

beforeAll(async () => {
  database = await testDatabase();
  await prepareDatabase(database.db);
  workers = await workerProcesses(services, { taskQueue: `faults-${randomUUID()}`, dbName: database.db.databaseName });
  client = new Client({ connection: await Connection.connect({ address: services.temporalAddress }) });
});

afterAll(async () => {
  workers?.killAll();
  for (const cleanup of cleanups) await cleanup();
  await client?.connection.close();
  await database?.close();
});

type ActionNode = { kind: 'email' | 'sms' | 'webhook' | 'coupon' | 'task'; config: Record<string, unknown> };

/** audience trigger → one action → exit (its `failed` exit too). */
function oneStepJourney(id: string, action: ActionNode, reEntry: 'never' | 'afterExit' = 'never'): JourneyGraph {
  const okExit = { email: 'sent', sms: 'sent', webhook: 'delivered', coupon: 'issued', task: 'created' }[action.kind];
  return {
    schemaVersion: 1,
    id,
    name: id,
    nodes: [
      { id: 'trigger', kind: 'audience', position: { x: 0, y: 0 }, config: { segment: 'everyone', sendRatePerMinute: 60_000 } },
      { id: 'step', kind: action.kind, position: { x: 0, y: 100 }, config: action.config },
      { id: 'done', kind: 'exit', position: { x: 0, y: 200 }, config: {} },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'step' },
      { id: 'e2', source: 'step', sourceHandle: okExit, target: 'done' },
      { id: 'e3', source: 'step', sourceHandle: 'failed', target: 'done' },
    ],
    settings: { defaultLocale: 'en', timezone: 'UTC', reEntry: { policy: reEntry }, frequencyCaps: [] },
  } as JourneyGraph;
}

interface Row {
  id: string;
  domain: string;
  customers: Array<{ id: string; email: string; phone: string }>;
  /** Each row has a task queue of its own: a worker of one row never takes another's work. */
  runtime: ReturnType<typeof createTemporalRuntime>;
}

/** `count` customers tagged with the row's id, with an email address and a phone number, at midday. */
async function seedRow(name: string, count: number, phone?: (i: number) => string): Promise<Row> {
  const id = `${name}-${uniqueSuffix()}`;
  const domain = `${id}.test`;
  const prefix = String(Math.floor(Math.random() * 900) + 100);
  const customers = Array.from({ length: count }, (_, i) => ({
    id: `${id}-${String(i).padStart(3, '0')}`,
    email: `${id}-${i}@${domain}`,
    phone: phone?.(i) ?? `+1415${prefix}${String(1000 + i * 7)}`,
  }));
  const timezone = middayZone(Date.now());
  await customersCollection(database.db).insertMany(
    customers.map((c) => {
      const { id: _id, ...rest } = CustomerProfile.parse({ ...c, timezone, tags: [id], consent: consentRecords({ email: true, sms: true }, 'api', new Date().toISOString()) });
      return { _id: c.id, ...rest };
    }),
  );
  await syncMemberships(database.db, 'tag', customers.map((c) => ({ customerId: c.id, values: [id] })));
  return { id, domain, customers, runtime: createTemporalRuntime({ client, db: database.db, taskQueue: id }) };
}

/** Starts a worker on the row's task queue. */
function startWorker(row: Row, env: Record<string, string | undefined> = {}, dataDir?: string) {
  return workers.start({ ...faultEnv, ...env, TEMPORAL_TASK_QUEUE: row.id }, dataDir);
}

/** Publishes the row's journey and launches a campaign of it for the row's customers. */
async function launch(row: Row, action: ActionNode, reEntry: 'never' | 'afterExit' = 'never'): Promise<void> {
  const journey = await publish(database.db, oneStepJourney(row.id, action, reEntry));
  await row.runtime.launchCampaign({ campaignId: row.id, journey, segment: { tags: [row.id] }, ratePerSecond: 100 });
}

/** Waits until the campaign finished and every run of the row ended. */
async function finished(row: Row, timeoutMs = 150_000): Promise<void> {
  await eventually(() => row.runtime.campaignProgress(row.id), (p) => p?.done === true, timeoutMs, 500);
  await eventually(() => runsCollection(database.db).countDocuments({ journeyId: row.id, status: { $ne: 'running' } }), (n) => n === row.customers.length, timeoutMs, 500);
}

/** Ledger rows of the row's journey by status. */
async function ledger(row: Row): Promise<Record<string, number>> {
  const docs = await database.db.collection<{ status: string }>('messages').find({ journeyId: row.id }, { projection: { status: 1 } }).toArray();
  const counts: Record<string, number> = {};
  for (const doc of docs) counts[doc.status] = (counts[doc.status] ?? 0) + 1;
  return counts;
}

/** The row's emails in the embedded inbox, tallied by their `X-Waymark-Key` against the ledger. */
async function inboxTally(row: Row) {
  const mails = (await inbox(services)).filter((m) => m.to[0]?.endsWith(`@${row.domain}`));
  return { mails, result: tally(await ledgerKeys(row), mails.map((m) => m.headers['x-waymark-key'] ?? '')) };
}

/** The reasons of rows that did not end `sent` (shown when a row's counts are off). */
async function unsent(row: Row): Promise<string> {
  const docs = await database.db.collection<{ status: string; error?: string }>('messages').find({ journeyId: row.id, status: { $ne: 'sent' } }).toArray();
  return JSON.stringify(docs.map((d) => `${d.status}: ${d.error ?? ''}`));
}

/** Lost and duplicated effects: what arrived per expected key, against the expected keys. */
function tally(expected: readonly string[], arrived: readonly string[]) {
  const counts = new Map<string, number>();
  for (const key of arrived) counts.set(key, (counts.get(key) ?? 0) + 1);
  return {
    lost: expected.filter((key) => !counts.has(key)).length,
    duplicates: [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    unexpected: [...counts.keys()].filter((key) => !expected.includes(key)).length,
  };
}

function report(row: string, figures: Record<string, unknown>): void {
  console.log(`fault row ${row}: ${JSON.stringify(figures)}`);
}

/** Starts a worker with a kill fault, waits for it to kill itself, and returns. */
async function dieAt(row: Row, spec: string, env: Record<string, string | undefined>, dataDir?: string): Promise<void> {
  const worker = await startWorker(row, { ...env, WAYMARK_FAULT_KILL_AFTER: spec }, dataDir);
  expect(await exited(worker)).toMatchObject({ signal: 'SIGKILL' });
}

/** A plain SMTP relay on loopback (it cannot be asked what it holds): records each message's ledger key. */
async function smtpRelay(options: { delayMs?: (n: number) => number } = {}) {
  const port = await freePort();
  const received: Array<{ key: string; to: string; at: number }> = [];
  let count = 0;
  let server: SMTPServer | null = null;
  const listen = async () => {
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        stream.on('end', () => {
          const key = /^x-waymark-key:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? '';
          const delay = options.delayMs?.(++count) ?? 0;
          setTimeout(() => {
            received.push({ key, to: session.envelope.rcptTo[0]?.address ?? '', at: Date.now() });
            callback();
          }, delay);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      smtp.once('error', reject);
      smtp.listen(port, '127.0.0.1', () => resolve());
    });
    server = smtp;
  };
  const close = () => new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  await listen();
  cleanups.push(close);
  return { url: `smtp://127.0.0.1:${port}`, received, listen, close };
}

/** An SMS sandbox of this file's own, so its faults reach only this file's sends. */
async function smsSandbox() {
  const sandbox = await startSmsSandbox({ port: await freePort(), accountSid: services.sms.accountSid, authToken: services.sms.authToken });
  cleanups.push(sandbox.stop);
  const env = { WAYMARK_TWILIO_BASE_URL: sandbox.baseUrl };
  const list = async (): Promise<Array<{ to: string; body: string }>> => ((await (await fetch(`${sandbox.baseUrl}/sandbox/messages`)).json()) as { messages: Array<{ to: string; body: string }> }).messages;
  const faults = (statuses: number[]) =>
    fetch(`${sandbox.baseUrl}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ statuses }) });
  return { env, list, faults };
}

/** A webhook receiver on loopback: every delivery with its Idempotency-Key. */
async function webhookReceiver() {
  const deliveries: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      deliveries.push(String(req.headers['idempotency-key'] ?? ''));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveries };
}

/** Per-customer keys of the row's messages in the ledger (the expected set at the receiving end). */
async function ledgerKeys(row: Row, status = 'sent'): Promise<string[]> {
  const docs = await database.db.collection<{ key: string }>('messages').find({ journeyId: row.id, status }, { projection: { key: 1 } }).toArray();
  return docs.map((d) => d.key);
}

const email = { kind: 'email', config: { templateId: 'welcome' } } as const;
const sms = { kind: 'sms', config: { templateId: 'winback-reminder' } } as const;

describe('fault suite: 0 lost, 0 duplicates', () => {
  it('email through the inbox (it can be asked): the worker is killed right after it accepted; the retry, on another machine, asks it', { timeout: 240_000 }, async () => {
    const row = await seedRow('kill-email', 20);
    await launch(row, email);
    await dieAt(row, 'email:5', {});
    // A fresh data directory: no local journal to lean on.
    const worker = await startWorker(row);
    await finished(row);
    worker.kill('SIGTERM');
    await exited(worker);
    const { mails, result } = await inboxTally(row);
    report('kill-email', { inbox: mails.length, ledger: await ledger(row), ...result });
    expect(await ledger(row)).toEqual({ sent: 20 });
    expect(result).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  });

  it('email through a plain SMTP relay (it cannot be asked): killed right after the relay accepted, restarted on the same machine; only sends caught mid-answer repeat', { timeout: 240_000 }, async () => {
    const relay = await smtpRelay();
    const row = await seedRow('kill-email-relay', 20);
    const env = { SMTP_URL: relay.url, WAYMARK_SMTP_LOOKUP_URL: undefined };
    const dataDir = workers.dataDir();
    await launch(row, email);
    await dieAt(row, 'email:5', env, dataDir);
    const killedAt = Date.now();
    // The window a relay leaves: from its answer to the local journal's note.
    const journal = join(dataDir, 'send-journal.jsonl');
    const noted = new Map<string, number>();
    for (const line of existsSync(journal) ? readFileSync(journal, 'utf8').split('\n') : []) {
      const entry = line.trim() === '' ? null : (JSON.parse(line) as { key: string; providerId?: string; at: number });
      if (entry?.providerId !== undefined) noted.set(entry.key, entry.at);
    }
    const accepted = relay.received.filter((m) => m.at <= killedAt);
    const caught = new Set(accepted.filter((m) => !noted.has(m.key)).map((m) => m.key));
    const worker = await startWorker(row, env, dataDir);
    await finished(row);
    worker.kill('SIGTERM');
    await exited(worker);
    const sent = await ledgerKeys(row);
    const windows = accepted.flatMap((m) => (noted.has(m.key) ? [(noted.get(m.key) ?? 0) - m.at] : [])).sort((a, b) => a - b);
    const result = tally(sent, relay.received.map((m) => m.key));
    const repeated = [...new Set(relay.received.map((m) => m.key).filter((key, i, all) => all.indexOf(key) !== i))];
    report('kill-email-relay', {
      relay: relay.received.length,
      ledger: await ledger(row),
      ...result,
      acceptedBeforeKill: accepted.length,
      notedInJournal: noted.size,
      caughtMidAnswer: caught.size,
      relayAnswerToJournalMs: { n: windows.length, median: windows[windows.length >> 1], max: windows.at(-1) },
    });
    expect(sent).toHaveLength(20);
    expect(result.lost).toBe(0);
    expect(result.unexpected).toBe(0);
    // The message the worker died right after (and every other one the journal noted) is not
    // sent again; a repeat is only ever a send the relay accepted while the worker died before
    // reading its answer.
    expect(repeated.filter((key) => !caught.has(key))).toEqual([]);
  });

  it('SMS: the worker is killed right after Twilio accepted; the retry, on another machine, asks Twilio', { timeout: 240_000 }, async () => {
    const sandbox = await smsSandbox();
    const row = await seedRow('kill-sms', 20);
    await launch(row, sms);
    await dieAt(row, 'sms:5', sandbox.env);
    // A fresh data directory: no local journal to lean on.
    const worker = await startWorker(row, sandbox.env);
    await finished(row);
    worker.kill('SIGTERM');
    await exited(worker);
    const phones = row.customers.map((c) => c.phone);
    const arrived = (await sandbox.list()).filter((m) => phones.includes(m.to)).map((m) => m.to);
    const result = tally(phones, arrived);
    report('kill-sms', { sandbox: arrived.length, ledger: await ledger(row), ...result });
    expect(await ledger(row)).toEqual({ sent: 20 });
    expect(result).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  });

  it('Aliyun SMS: the worker is killed right after Aliyun accepted; the retry, on another machine, finds the OutId by QuerySendDetails', { timeout: 240_000 }, async () => {
    const keys = { accessKeyId: 'LTAIfaults', accessKeySecret: `secret-${uniqueSuffix()}` };
    const aliyun = await startAliyunSmsSandbox({ port: await freePort(), ...keys });
    cleanups.push(aliyun.stop);
    const env = { SMS_PROVIDER: 'aliyun', ALIYUN_ACCESS_KEY_ID: keys.accessKeyId, ALIYUN_ACCESS_KEY_SECRET: keys.accessKeySecret, ALIYUN_SMS_ENDPOINT: aliyun.endpoint };
    const prefix = String(Math.floor(Math.random() * 900) + 100);
    const row = await seedRow('kill-aliyun', 20, (i) => `+86138${prefix}${String(20_000 + i * 7)}`);
    await launch(row, sms);
    await dieAt(row, 'sms:5', env);
    // A fresh data directory: no local journal to lean on.
    const worker = await startWorker(row, env);
    await finished(row);
    worker.kill('SIGTERM');
    await exited(worker);
    const received = ((await (await fetch(`${aliyun.baseUrl}/sandbox/messages`)).json()) as { messages: Array<{ outId?: string }> }).messages;
    const result = tally(await ledgerKeys(row), received.map((m) => m.outId ?? ''));
    report('kill-aliyun', { sandbox: received.length, ledger: await ledger(row), ...result });
    expect(await ledger(row), await unsent(row)).toEqual({ sent: 20 });
    expect(received).toHaveLength(20);
    expect(result).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  });

  it('webhook: the worker is killed right after the receiver answered 2xx; the resend carries the same Idempotency-Key', { timeout: 240_000 }, async () => {
    const receiver = await webhookReceiver();
    const row = await seedRow('kill-webhook', 20);
    await launch(row, { kind: 'webhook', config: { url: receiver.url, method: 'POST', headers: {}, body: '{"customer":"{{customer.id}}"}' } });
    // Production workers refuse loopback webhooks; the receiver here is on loopback.
    const env = { WAYMARK_WEBHOOK_ALLOW_PRIVATE: 'true' };
    await dieAt(row, 'webhook:5', env);
    const worker = await startWorker(row, env);
    await finished(row);
    worker.kill('SIGTERM');
    await exited(worker);
    const done = await database.db.collection<{ _id: string }>('effects').find({ kind: 'webhook', journeyId: row.id, status: 'done' }).toArray();
    const keys = done.map((d) => d._id);
    const distinct = tally(keys, [...new Set(receiver.deliveries)]);
    report('kill-webhook', { deliveries: receiver.deliveries.length, distinctKeys: new Set(receiver.deliveries).size, ledgerDone: keys.length, ...distinct });
    expect(keys).toHaveLength(20);
    // A receiver that honours Idempotency-Key acts once per key; the killed call is delivered again with its key.
    expect(distinct).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  });

  for (const [name, action] of [
    ['coupon', { kind: 'coupon', config: { offer: { type: 'percent', percent: 10 }, expiresInDays: 14, prefix: 'FLT', variable: 'couponCode' } }],
    ['task', { kind: 'task', config: { title: 'Call {{customer.name}}', body: '', queue: 'care', assignee: 'queue', priority: 'normal', dueInHours: 24 } }],
  ] as const) {
    it(`${name}: the worker is killed right after the insert`, { timeout: 240_000 }, async () => {
      const row = await seedRow(`kill-${name}`, 20);
      await launch(row, action);
      await dieAt(row, `${name}:5`, {});
      const worker = await startWorker(row);
      await finished(row);
      worker.kill('SIGTERM');
      await exited(worker);
      const made = (await database.db.collection<{ customerId: string }>(name === 'coupon' ? 'coupons' : 'tasks').find({ journeyId: row.id }).toArray()).map((d) => d.customerId);
      const result = tally(row.customers.map((c) => c.id), made);
      report(`kill-${name}`, { [`${name}s`]: made.length, ...result });
      expect(result).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
    });
  }

  it('three workers with separate data directories, one killed mid-campaign', { timeout: 240_000 }, async () => {
    const row = await seedRow('three-workers', 50);
    const started = await Promise.all([startWorker(row), startWorker(row), startWorker(row)]);
    await launch(row, email);
    await eventually(() => ledger(row), (l) => (l['sent'] ?? 0) >= 10, 120_000, 100);
    started[0]?.kill('SIGKILL');
    await finished(row);
    for (const w of started.slice(1)) w.kill('SIGTERM');
    await Promise.all(started.map(exited));
    const { mails, result } = await inboxTally(row);
    report('three-workers', { inbox: mails.length, ledger: await ledger(row), ...result });
    expect(await ledger(row)).toEqual({ sent: 50 });
    expect(result).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  });

  it('SMTP answering after 35 s, beyond the 30 s activity timeout', { timeout: 240_000 }, async () => {
    // The first three messages are answered after 35 s, the rest at once.
    const relay = await smtpRelay({ delayMs: (n) => (n <= 3 ? 35_000 : 0) });
    const row = await seedRow('slow-smtp', 20);
    const worker = await startWorker(row, { SMTP_URL: relay.url, WAYMARK_SMTP_LOOKUP_URL: undefined });
    await launch(row, email);
    await finished(row, 200_000);
    worker.kill('SIGTERM');
    await exited(worker);
    const result = tally(await ledgerKeys(row), relay.received.map((m) => m.key));
    report('slow-smtp', { relay: relay.received.length, ledger: await ledger(row), ...result });
    expect(await ledger(row)).toEqual({ sent: 20 });
    expect(result).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  });

  it('SMTP down for 30 s mid-campaign', { timeout: 300_000 }, async () => {
    const relay = await smtpRelay();
    const row = await seedRow('smtp-down', 20);
    const worker = await startWorker(row, { SMTP_URL: relay.url, WAYMARK_SMTP_LOOKUP_URL: undefined });
    await launch(row, email);
    await eventually(async () => relay.received.length, (n) => n >= 3, 60_000, 50);
    await relay.close();
    await new Promise((r) => setTimeout(r, 30_000));
    await relay.listen();
    await finished(row);
    worker.kill('SIGTERM');
    await exited(worker);
    const result = tally(await ledgerKeys(row), relay.received.map((m) => m.key));
    report('smtp-down', { relay: relay.received.length, ledger: await ledger(row), ...result });
    expect(await ledger(row), await unsent(row)).toEqual({ sent: 20 });
    expect(result).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  });

  it('Twilio answering 429, then 500, then OK; an invalid number ends failed', { timeout: 240_000 }, async () => {
    const sandbox = await smsSandbox();
    // The last customer's number is one Twilio refuses (21211).
    const row = await seedRow('twilio-errors', 20, (i) => (i === 19 ? '+15005550001' : `+1415777${String(1000 + i * 7)}`));
    await sandbox.faults([429, 500]);
    const worker = await startWorker(row, sandbox.env);
    await launch(row, sms);
    await finished(row);
    worker.kill('SIGTERM');
    await exited(worker);
    const phones = row.customers.slice(0, 19).map((c) => c.phone);
    const arrived = (await sandbox.list()).map((m) => m.to);
    const result = tally(phones, arrived);
    const invalid = await database.db.collection<{ status: string; error?: string }>('messages').findOne({ journeyId: row.id, to: '+15005550001' });
    report('twilio-errors', { sandbox: arrived.length, ledger: await ledger(row), ...result });
    expect(await ledger(row)).toEqual({ sent: 19, failed: 1 });
    expect(invalid).toMatchObject({ status: 'failed', error: expect.stringContaining('21211') });
    expect(result).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  });

  it.each([
    ['campaignBatch', 'a page fails once after starting its runs'],
    ['campaignPrefix', 'a page fails once after sending, before the runs start'],
  ])('an afterExit campaign where %s (%s) starts and emails each customer once', { timeout: 240_000 }, async (point) => {
    const row = await seedRow(`after-exit-${point.toLowerCase()}`, 20);
    const worker = await startWorker(row, { WAYMARK_FAULT_FAIL_AFTER: `${point}:1` });
    await launch(row, email, 'afterExit');
    await finished(row);
    // Let a wrongly restarted run show up before counting.
    await new Promise((r) => setTimeout(r, 3_000));
    worker.kill('SIGTERM');
    await exited(worker);
    const { mails, result } = await inboxTally(row);
    const perCustomer = tally(row.customers.map((c) => c.email), mails.map((m) => m.to[0] ?? ''));
    report(`after-exit-${point}`, { inbox: mails.length, ledger: await ledger(row), progress: await row.runtime.campaignProgress(row.id), ...perCustomer });
    expect(await ledger(row)).toEqual({ sent: 20 });
    expect(result).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
    expect(perCustomer).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  });
});
