// The activities against the real services: FerretDB, the SMTP inbox and the SMS sandbox.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ActionCommand, ActionKind, RunProgress } from '../journey/index.ts';
import { getCustomer } from '../store/customers.ts';
import { getSuppression } from '../store/suppressions.ts';
import { findCouponByKey } from '../store/coupons.ts';
import { findMessageByKey, getMessageDetails } from '../store/messages.ts';
import { getRun } from '../store/runs.ts';
import { findTaskByKey, setQueueMembers } from '../store/tasks.ts';
import { testDatabase } from '../test/db.ts';
import { inbox, middayZone, prepareDatabase, realActivities, seedCustomer, texts, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { couponAlphabet } from './coupon.ts';
import type { ActionRequest } from './types.ts';

const services = inject('services');
let database: Awaited<ReturnType<typeof testDatabase>>;
let activities: ReturnType<typeof realActivities>['activities'];
let closeActivities: () => void;

beforeAll(async () => {
  database = await testDatabase();
  await prepareDatabase(database.db);
  ({ activities, close: closeActivities } = realActivities(database.db, services));
});
afterAll(async () => {
  closeActivities();
  await database.close();
});

const settings = { timezone: 'UTC', quietHours: { start: '21:00', end: '09:00' }, frequencyCaps: [] };

function request<K extends ActionKind>(kind: K, config: Extract<ActionCommand, { kind: K }>['config'], key: string, customerId: string, variables: Record<string, string> = {}, overrides: Partial<ActionRequest> = {}): ActionRequest<K> {
  const action = { type: 'action', nodeId: key.split(':')[1] ?? 'node', kind, config, idempotencyKey: key, visit: 1, variables, fallbackLocale: 'en' } as Extract<ActionCommand, { kind: K }>;
  return { action, journeyId: 'win-back', journeyName: 'Win-back', version: 1, customerId, settings, ...overrides } as ActionRequest<K>;
}

async function customer(fields: Record<string, unknown> = {}) {
  const id = `c-${uniqueSuffix()}`;
  return seedCustomer(database.db, {
    id,
    email: `${id}@example.test`,
    phone: '+8613800138000',
    name: 'Li Lei',
    locale: 'en',
    timezone: middayZone(Date.now()),
    consent: { email: true, sms: true },
    ...fields,
  });
}

describe('an action that writes the run’s progress record', () => {
  // What the journey workflow sends with an email followed by a wait: the run at that wait.
  const progress = (customerId: string, enteredAt: number): RunProgress => ({
    runKey: `journey/win-back/${customerId}#1`,
    first: true,
    workflowId: `journey/win-back/${customerId}`,
    journeyId: 'win-back',
    version: 1,
    customerId,
    nodeId: 'wait-purchase',
    waiting: { kind: 'event', eventType: 'order_completed', until: Date.now() + 7 * 86_400_000 },
    goalEvent: 'order_completed',
    variables: {},
    visited: ['trigger', 'email', 'wait-purchase'],
    history: [],
    enteredAt,
    since: Date.now(),
  });

  it('sends, then records the run at its wait and says so', async () => {
    const c = await customer();
    const key = `journey/win-back/${c.id}#1:email:1`;
    const outcome = await activities.sendEmail(request('email', { templateId: 'winback-offer' }, key, c.id, { couponCode: 'COMEBACK-1' }, { progress: progress(c.id, Date.now()) }));
    expect(outcome).toEqual({ outcome: 'ok', recorded: true });
    expect(await inbox(services, c.email ?? '')).toHaveLength(1);
    expect(await getRun(database.db, `journey/win-back/${c.id}`)).toMatchObject({ status: 'running', nodeId: 'wait-purchase', visited: ['trigger', 'email', 'wait-purchase'] });
  });

  it('a record that cannot be written does not fail the send: the outcome says not recorded', async () => {
    const c = await customer();
    const key = `journey/win-back/${c.id}#1:email:1`;
    // An entry time that is no date: the record cannot be built, the email has gone.
    const outcome = await activities.sendEmail(request('email', { templateId: 'winback-offer' }, key, c.id, { couponCode: 'COMEBACK-2' }, { progress: progress(c.id, Number.NaN) }));
    expect(outcome).toEqual({ outcome: 'ok' });
    expect(await inbox(services, c.email ?? '')).toHaveLength(1);
    expect(await getRun(database.db, `journey/win-back/${c.id}`)).toBeNull();
  });
});

describe('email', () => {
  it('renders the template in the customer’s language with one-click unsubscribe headers, once per key', async () => {
    const c = await customer({ locale: 'zh-TW', name: '王"小明"' });
    const key = `journey/win-back/${c.id}#1:email:1`;
    const first = await activities.sendEmail(request('email', { templateId: 'winback-offer' }, key, c.id, { couponCode: 'COMEBACK-7KQ3M-X9CDA' }));
    expect(first).toEqual({ outcome: 'ok' });
    const again = await activities.sendEmail(request('email', { templateId: 'winback-offer' }, key, c.id, { couponCode: 'COMEBACK-7KQ3M-X9CDA' }));
    expect(again).toEqual({ outcome: 'ok', duplicate: true });
    const mail = await inbox(services, c.email);
    expect(mail).toHaveLength(1);
    const [message] = mail;
    // zh-TW falls back to the zh-CN version.
    expect(message?.text).toContain('COMEBACK-7KQ3M-X9CDA');
    expect(message?.html).toContain('王&quot;小明&quot;');
    expect(message?.headers['list-unsubscribe']).toBe(`<http://127.0.0.1:3000/v1/consent/unsubscribe?token=test.${c.id}.email>`);
    expect(message?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(message?.headers['content-language']).toBe('zh-CN');
    const record = await findMessageByKey(database.db, key);
    expect(record).toMatchObject({ status: 'sent', channel: 'email', to: c.email, templateId: 'winback-offer' });
  });

  it('fails for good without consent or an address, and records why', async () => {
    const noConsent = await customer({ consent: { email: false, sms: false } });
    const key = `k-${noConsent.id}:email:1`;
    const error = await activities.sendEmail(request('email', { templateId: 'winback-offer' }, key, noConsent.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'NoConsent', nonRetryable: true });
    expect(await findMessageByKey(database.db, key)).toMatchObject({ status: 'suppressed' });
    const noEmail = await customer({ email: undefined });
    await expect(activities.sendEmail(request('email', { templateId: 'winback-offer' }, `k-${noEmail.id}:email:1`, noEmail.id))).rejects.toMatchObject({ type: 'MissingContact', nonRetryable: true });
    expect(await inbox(services, noConsent.email)).toHaveLength(0);
  });

  it('defers a send in the customer’s quiet hours to their morning, and over a frequency cap until a slot frees', async () => {
    // A timezone where it is 02:xx now: quiet until 09:00 local.
    const utcHour = new Date().getUTCHours();
    const offset = ((2 - utcHour + 36) % 24) - 12;
    const zone = offset === 0 ? 'Etc/UTC' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
    const night = await customer({ timezone: zone });
    const deferred = await activities.sendEmail(request('email', { templateId: 'winback-offer' }, `k-${night.id}:email:1`, night.id));
    expect(deferred.outcome).toBe('deferred');
    const until = deferred.outcome === 'deferred' ? deferred.until : 0;
    const localHour = new Date(until + offset * 3_600_000).getUTCHours();
    expect(localHour).toBe(9);
    expect(await inbox(services, night.email)).toHaveLength(0);

    const capped = await customer();
    const caps = { ...settings, frequencyCaps: [{ channel: 'email' as const, max: 1, periodHours: 24 }] };
    const first = await activities.sendEmail(request('email', { templateId: 'winback-offer' }, `k1-${capped.id}:email:1`, capped.id, {}, { settings: caps }));
    expect(first.outcome).toBe('ok');
    const second = await activities.sendEmail(request('email', { templateId: 'welcome' }, `k2-${capped.id}:email:1`, capped.id, {}, { settings: caps }));
    expect(second.outcome).toBe('deferred');
    const sent = await findMessageByKey(database.db, `k1-${capped.id}:email:1`);
    expect(second.outcome === 'deferred' && second.until).toBe(Date.parse(sent?.createdAt ?? '') + 24 * 3_600_000);
    expect(await inbox(services, capped.email)).toHaveLength(1);
  });
});

describe('send journal', () => {
  it('records a send the provider accepted before the worker died, instead of sending it again', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createActivities } = await import('./index.ts');
    const { fileSendJournal } = await import('./send-journal.ts');
    const { recordPendingMessage } = await import('../store/messages.ts');
    const { realActivityDeps } = await import('../test/fixtures/workflow-harness.ts');
    const file = join(mkdtempSync(join(tmpdir(), 'journal-')), 'send-journal.jsonl');
    const c = await customer();
    const key = `k-${c.id}:email:1`;
    // The crashed attempt: claimed, accepted by the provider, journalled; the ledger write never happened.
    await recordPendingMessage(database.db, { key, channel: 'email', customerId: c.id, to: c.email ?? '', journeyId: 'win-back', templateId: 'winback-offer' }, new Date());
    fileSendJournal(file).record(key, '<accepted@smtp>');
    // The retry, in a restarted process.
    const deps = realActivityDeps(database.db, services);
    const restarted = createActivities({ ...deps, email: { ...deps.email, journal: fileSendJournal(file) } });
    expect(await restarted.sendEmail(request('email', { templateId: 'winback-offer' }, key, c.id))).toEqual({ outcome: 'ok', duplicate: true });
    expect(await inbox(services, c.email)).toHaveLength(0);
    expect(await findMessageByKey(database.db, key)).toMatchObject({ status: 'sent', providerId: '<accepted@smtp>' });
    deps.close();
  });

  it('lets one attempt at a time hold a message: a second attempt while the first sends is refused and retried', async () => {
    const c = await customer();
    const key = `k-${c.id}:email:1`;
    const send = () => activities.sendEmail(request('email', { templateId: 'winback-offer' }, key, c.id)).then((r) => r, (e: unknown) => e);
    const [a, b] = await Promise.all([send(), send()]);
    const refused = [a, b].filter((r) => r instanceof ApplicationFailure);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ type: 'LeaseHeld', nonRetryable: false });
    expect(await inbox(services, c.email)).toHaveLength(1);
    // The retry after the first one finished records nothing new.
    expect(await send()).toEqual({ outcome: 'ok', duplicate: true });
    expect(await inbox(services, c.email)).toHaveLength(1);
  });

  it('sends a message whose taking-over attempt died between claiming the takeover and writing its lease', async () => {
    const { recordPendingMessage } = await import('../store/messages.ts');
    const c = await customer();
    const key = `k-${c.id}:email:1`;
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    // Attempt 1 died holding the row; attempt 2 claimed the takeover a minute ago and died before writing its lease.
    await recordPendingMessage(database.db, { key, channel: 'email', customerId: c.id, to: c.email ?? '', journeyId: 'win-back', templateId: 'winback-offer', lease: { attempt: 1, holder: 'dead-1', since: ago(120_000), expiresAt: ago(100_000), released: true } }, new Date());
    await database.db.collection<{ _id: string; at: string }>('messageLeases').insertOne({ _id: `${key}#2`, at: ago(60_000) });
    expect(await activities.sendEmail(request('email', { templateId: 'winback-offer' }, key, c.id))).toEqual({ outcome: 'ok' });
    expect(await inbox(services, c.email)).toHaveLength(1);
    expect(await findMessageByKey(database.db, key)).toMatchObject({ status: 'sent', lease: { attempt: 3 } });

    // A takeover claimed just now is another attempt at work: this one stands back.
    const busy = await customer();
    const busyKey = `k-${busy.id}:email:1`;
    await recordPendingMessage(database.db, { key: busyKey, channel: 'email', customerId: busy.id, to: busy.email ?? '', journeyId: 'win-back', templateId: 'winback-offer', lease: { attempt: 1, holder: 'dead-1', since: ago(120_000), expiresAt: ago(100_000), released: true } }, new Date());
    await database.db.collection<{ _id: string; at: string }>('messageLeases').insertOne({ _id: `${busyKey}#2`, at: new Date().toISOString() });
    await expect(activities.sendEmail(request('email', { templateId: 'winback-offer' }, busyKey, busy.id))).rejects.toMatchObject({ type: 'LeaseHeld' });
    expect(await inbox(services, busy.email)).toHaveLength(0);
  });

  it('asks the provider before resending a send whose answer never arrived, and resends only what it lacks', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createActivities, inboxLookup } = await import('./index.ts');
    const { fileSendJournal } = await import('./send-journal.ts');
    const { realActivityDeps } = await import('../test/fixtures/workflow-harness.ts');
    const file = join(mkdtempSync(join(tmpdir(), 'journal-')), 'send-journal.jsonl');
    const deps = realActivityDeps(database.db, services);
    const lookup = inboxLookup(services.smtp.apiUrl);
    // The worker dies while the provider answers: the message is in the inbox, the journal holds
    // only the attempt, the ledger record stays pending.
    const cut = await customer();
    const cutKey = `k-${cut.id}:email:1`;
    const dying = fileSendJournal(file);
    const dies = createActivities({
      ...deps,
      email: { ...deps.email, journal: { ...dying, record: () => { throw new Error('SIGKILL'); } } },
    });
    // The dead attempt's lease runs out (shortened here) instead of being renewed.
    process.env['WAYMARK_SEND_LEASE_SECONDS'] = '0.3';
    await expect(dies.sendEmail(request('email', { templateId: 'winback-offer' }, cutKey, cut.id))).rejects.toThrow('SIGKILL');
    expect(await inbox(services, cut.email)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 400));
    delete process.env['WAYMARK_SEND_LEASE_SECONDS'];
    // The retry, on another machine (an empty journal), asks the inbox first and records instead of resending.
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'journal-')), 'send-journal.jsonl');
    const restarted = createActivities({ ...deps, email: { ...deps.email, journal: fileSendJournal(elsewhere), lookup } });
    expect(await restarted.sendEmail(request('email', { templateId: 'winback-offer' }, cutKey, cut.id))).toEqual({ outcome: 'ok', duplicate: true });
    expect(await inbox(services, cut.email)).toHaveLength(1);
    expect(await findMessageByKey(database.db, cutKey)).toMatchObject({ status: 'sent' });
    // An attempt the provider never received (the worker died before handing it over) is sent.
    const lost = await customer();
    const lostKey = `k-${lost.id}:email:1`;
    const { recordPendingMessage } = await import('../store/messages.ts');
    await recordPendingMessage(database.db, { key: lostKey, channel: 'email', customerId: lost.id, to: lost.email ?? '', journeyId: 'win-back', templateId: 'winback-offer' }, new Date());
    const journal = fileSendJournal(file);
    journal.attempt(lostKey);
    const again = createActivities({ ...deps, email: { ...deps.email, journal, lookup } });
    expect(await again.sendEmail(request('email', { templateId: 'winback-offer' }, lostKey, lost.id))).toEqual({ outcome: 'ok' });
    expect(await inbox(services, lost.email)).toHaveLength(1);
    deps.close();
  });
});

describe('sms', () => {
  it('sends with the real twilio client, recording GSM-7 and UCS-2 segment counts and the status callback', async () => {
    const english = await customer({ phone: '+14155550123' });
    const chinese = await customer({ phone: '+8613900139000', locale: 'zh-CN', name: '李雷' });
    const vars = { couponCode: 'COMEBACK-7KQ3M-X9CDA' };
    await activities.sendSms(request('sms', { templateId: 'winback-reminder' }, `k-${english.id}:sms:1`, english.id, vars));
    await activities.sendSms(request('sms', { templateId: 'winback-reminder' }, `k-${chinese.id}:sms:1`, chinese.id, vars));
    expect(await getMessageDetails(database.db, `k-${english.id}:sms:1`)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    // Chinese switches the whole body to UCS-2: 70 characters per part, 67 when split.
    expect(await getMessageDetails(database.db, `k-${chinese.id}:sms:1`)).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    const received = (await texts(services, '+8613900139000')).find((m) => m.body.includes('COMEBACK-7KQ3M-X9CDA'));
    expect(received?.body).toContain('李雷');
    // The callback URL carries the ledger key, which Twilio echoes back with every report.
    expect(received?.statusCallback).toBe(`http://127.0.0.1:3000/v1/webhooks/twilio/status?key=${encodeURIComponent(`k-${chinese.id}:sms:1`)}`);
    const record = await findMessageByKey(database.db, `k-${chinese.id}:sms:1`);
    expect(record?.providerId).toBe(received?.sid);
  });

  it('asks Twilio before resending when the Temporal server’s clock runs hours ahead of the provider’s', async () => {
    const { MockActivityEnvironment } = await import('@temporalio/testing');
    const { createActivities, noSendJournal } = await import('./index.ts');
    const { realActivityDeps } = await import('../test/fixtures/workflow-harness.ts');
    // Activities read the time of their attempt from the server (a time-skipping test server,
    // or a server whose clock is off): here six hours ahead of the SMS sandbox's.
    const ahead = Date.now() + 6 * 3_600_000;
    const phone = `+1646${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
    const c = await customer({ phone, timezone: middayZone(ahead) });
    const key = `k-${c.id}:sms:1`;
    const deps = realActivityDeps(database.db, services);
    const noted: string[] = [];
    // The first attempt dies right after Twilio accepted the message: nothing reached the ledger.
    const dies = createActivities({ ...deps, sms: { ...deps.sms, journal: { ...noSendJournal, record: () => { throw new Error('SIGKILL'); } } } });
    const attempt = (acts: typeof dies) => new MockActivityEnvironment({ currentAttemptScheduledTimestampMs: ahead }).run(acts.sendSms, request('sms', { templateId: 'winback-reminder' }, key, c.id));
    process.env['WAYMARK_SEND_LEASE_SECONDS'] = '0.3';
    try {
      await expect(attempt(dies)).rejects.toThrow('SIGKILL');
      await new Promise((r) => setTimeout(r, 400));
    } finally {
      delete process.env['WAYMARK_SEND_LEASE_SECONDS'];
    }
    expect(await texts(services, phone)).toHaveLength(1);
    // The retry, in another process: the sandbox holds the message, so it is recorded, not sent again.
    const retry = createActivities({ ...deps, sms: { ...deps.sms, journal: { ...noSendJournal, record: (k) => void noted.push(k) } } });
    expect(await attempt(retry)).toEqual({ outcome: 'ok', duplicate: true });
    expect(await texts(services, phone)).toHaveLength(1);
    expect(await findMessageByKey(database.db, key)).toMatchObject({ status: 'sent', providerId: (await texts(services, phone))[0]?.sid });
    expect(noted).toEqual([]);
    deps.close();
  });

  it('classifies Twilio errors: invalid or unsubscribed numbers are permanent, 503 is retried', async () => {
    const invalid = await customer({ phone: '+15005550001' });
    await expect(activities.sendSms(request('sms', { templateId: 'winback-reminder' }, `k-${invalid.id}:sms:1`, invalid.id))).rejects.toMatchObject({ type: 'InvalidNumber', nonRetryable: true });
    const stopped = await customer({ phone: '+15005550004' });
    await expect(activities.sendSms(request('sms', { templateId: 'winback-reminder' }, `k-${stopped.id}:sms:1`, stopped.id))).rejects.toMatchObject({ type: 'Unsubscribed', nonRetryable: true });
    // Both records end, with the reason; Twilio's 21610 (STOP at the carrier) suppresses the number.
    expect(await findMessageByKey(database.db, `k-${invalid.id}:sms:1`)).toMatchObject({ status: 'failed', error: expect.stringContaining('InvalidNumber') });
    expect(await findMessageByKey(database.db, `k-${stopped.id}:sms:1`)).toMatchObject({ status: 'suppressed', error: expect.stringContaining('21610') });
    expect(await getSuppression(database.db, 'sms', '+15005550004')).toMatchObject({ reason: 'stop', customerId: stopped.id });
    const flaky = await customer({ phone: '+14155550199' });
    await fetch(`${services.sms.baseUrl}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 503, count: 1 }) });
    const error = await activities.sendSms(request('sms', { templateId: 'winback-reminder' }, `k-${flaky.id}:sms:1`, flaky.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    // The retry (same key) goes through; the pending claim does not block it.
    expect(await activities.sendSms(request('sms', { templateId: 'winback-reminder' }, `k-${flaky.id}:sms:1`, flaky.id))).toEqual({ outcome: 'ok' });
    expect(await texts(services, '+14155550199')).toHaveLength(1);
  });
});

describe('coupon, task, update', () => {
  it('issues one unambiguous, unguessable code per key, as a run variable', async () => {
    const c = await customer();
    const config = { offer: { type: 'amount' as const, amount: 10, currency: 'USD' }, expiresInDays: 14, prefix: 'BDAY', variable: 'couponCode' };
    const first = await activities.issueCoupon(request('coupon', config, `k-${c.id}:coupon:1`, c.id));
    const again = await activities.issueCoupon(request('coupon', config, `k-${c.id}:coupon:1`, c.id));
    const other = await activities.issueCoupon(request('coupon', config, `k-${c.id}:coupon:2`, c.id));
    const code = first.outcome === 'ok' ? first.variables?.['couponCode'] : undefined;
    expect(code).toMatch(new RegExp(`^BDAY-[${couponAlphabet}]{5}-[${couponAlphabet}]{5}$`));
    expect(again.outcome === 'ok' && again.variables?.['couponCode']).toBe(code);
    expect(other.outcome === 'ok' && other.variables?.['couponCode']).not.toBe(code);
    expect(await findCouponByKey(database.db, `k-${c.id}:coupon:1`)).toMatchObject({ code, customerId: c.id, offer: config.offer, status: 'issued' });
  });

  it('opens a CS task for the account owner, else round-robin in the queue, rendered with the customer’s context', async () => {
    const owned = await customer({
      accountOwner: 'am-zhang',
      computed: { stage: 'dormant', orderCount: 9, totalSpend: 2400, segments: [], valueTier: 'high', rfm: { recency: 1, frequency: 5, monetary: 5, cell: 'cantLose' }, clv: { historical: 2400, predicted: 3100 }, lastPurchaseAt: '2025-01-10T08:00:00.000Z' },
    });
    const config = {
      title: 'Call {{customer.name}} ({{customer.rfmCell}})',
      body: 'Stage {{customer.stage}}, CLV {{customer.clv}}, last purchase {{date customer.lastPurchaseAt}}, coupon {{vars.couponCode}}',
      queue: `care-${uniqueSuffix()}`,
      assignee: 'accountOwner' as const,
      priority: 'high' as const,
      dueInHours: 48,
    };
    await activities.createTask(request('task', config, `k-${owned.id}:task:1`, owned.id, { couponCode: 'X' }));
    const task = await findTaskByKey(database.db, `k-${owned.id}:task:1`);
    expect(task).toMatchObject({ assignee: 'am-zhang', priority: 'high', title: 'Call Li Lei (cantLose)', body: 'Stage dormant, CLV 2400, last purchase 2025-01-10, coupon X' });
    expect(Date.parse(task?.dueAt ?? '') - Date.parse(task?.createdAt ?? '')).toBe(48 * 3_600_000);

    await setQueueMembers(database.db, config.queue, ['agent-a', 'agent-b']);
    const assignees: Array<string | undefined> = [];
    for (let i = 0; i < 3; i++) {
      const c = await customer();
      await activities.createTask(request('task', config, `k-${c.id}:task:1`, c.id));
      await activities.createTask(request('task', config, `k-${c.id}:task:1`, c.id)); // a retry opens nothing more
      assignees.push((await findTaskByKey(database.db, `k-${c.id}:task:1`))?.assignee);
    }
    expect(assignees).toEqual(['agent-a', 'agent-b', 'agent-a']);
  });

  it('updates attributes, tags and the stage idempotently', async () => {
    const c = await customer({ tags: ['old'] });
    const config = { operations: [{ op: 'setAttribute' as const, attribute: 'winback', value: true }, { op: 'addTag' as const, tag: 'won-back' }, { op: 'removeTag' as const, tag: 'old' }, { op: 'setStage' as const, stage: 'wonBack' as const }] };
    await activities.updateProfile(request('update', config, `k-${c.id}:update:1`, c.id));
    await activities.updateProfile(request('update', config, `k-${c.id}:update:1`, c.id));
    const after = await getCustomer(database.db, c.id);
    expect(after).toMatchObject({ attributes: { winback: true }, tags: ['won-back'], computed: { stage: 'wonBack' } });
  });
});

describe('webhook', () => {
  it('posts the rendered robot message once per key, and classifies answers', async () => {
    const received: Array<{ body: unknown; key: string | undefined }> = [];
    let answer = 200;
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        received.push({ body: JSON.parse(text), key: req.headers['idempotency-key'] as string | undefined });
        res.writeHead(answer).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/robot/send?access_token=t`;
    try {
      const c = await customer({ name: 'Ada "the" Lovelace\n', accountOwner: 'am-li' });
      const dingtalk = { url, method: 'POST' as const, headers: {}, body: '{"msgtype":"text","text":{"content":"VIP birthday: {{customer.name}} ({{customer.accountOwner}}), code {{vars.couponCode}}"}}' };
      await activities.callWebhook(request('webhook', dingtalk, `k-${c.id}:hook:1`, c.id, { couponCode: 'BDAY-1' }));
      await activities.callWebhook(request('webhook', dingtalk, `k-${c.id}:hook:1`, c.id, { couponCode: 'BDAY-1' }));
      expect(received).toEqual([{ body: { msgtype: 'text', text: { content: 'VIP birthday: Ada "the" Lovelace\n (am-li), code BDAY-1' } }, key: `k-${c.id}:hook:1` }]);

      answer = 503;
      const transient = await activities.callWebhook(request('webhook', dingtalk, `k-${c.id}:hook:2`, c.id)).catch((e: unknown) => e);
      expect(transient).not.toBeInstanceOf(ApplicationFailure);
      answer = 400;
      await expect(activities.callWebhook(request('webhook', dingtalk, `k-${c.id}:hook:3`, c.id))).rejects.toMatchObject({ type: 'WebhookRejected', nonRetryable: true });
    } finally {
      server.close();
    }
  });

  it('refuses private targets unless allowed', async () => {
    const { createActivities } = await import('./index.ts');
    const { realActivityDeps } = await import('../test/fixtures/workflow-harness.ts');
    const deps = realActivityDeps(database.db, services);
    const strict = createActivities({ ...deps, webhooks: { allowPrivateNetworks: false, shopUrl: 'https://shop.example.test' } });
    const c = await customer();
    const hook = { url: 'http://127.0.0.1:9/hook', method: 'POST' as const, headers: {}, body: '{"text":"hi"}' };
    await expect(strict.callWebhook(request('webhook', hook, `k-${c.id}:hook:1`, c.id))).rejects.toMatchObject({ type: 'InvalidConfig', nonRetryable: true });
    deps.close();
  });
});
