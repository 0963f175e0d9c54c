// The SMS step through Aliyun SMS: the official client against the embedded Aliyun sandbox
// (signature checked, daily limit enforced) and the real FerretDB ledger.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAliyunSmsSandbox } from '../embedded/aliyun-sms-sandbox.ts';
import type { AliyunSandboxSms } from '../embedded/aliyun-sms-sandbox.ts';
import { freePort } from '../embedded/process.ts';
import type { ActionCommand, MessageTemplate } from '../journey/index.ts';
import { loadBuiltinTemplates } from '../store/builtins.ts';
import { findMessageByKey, getMessageDetails, recordPendingMessage } from '../store/messages.ts';
import { testDatabase } from '../test/db.ts';
import { middayZone, prepareDatabase, realActivityDeps, seedCustomer, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { createActivities, staticTemplates } from './index.ts';
import { aliyunSmsClient } from './sms-aliyun.ts';
import type { ActionRequest } from './types.ts';

const services = inject('services');
const keys = { accessKeyId: 'LTAItest', accessKeySecret: 'aliyun-test-secret' };
let database: Awaited<ReturnType<typeof testDatabase>>;
let sandbox: Awaited<ReturnType<typeof startAliyunSmsSandbox>>;
let activities: ReturnType<typeof createActivities>;
let close: () => void;

/** A notification template without variables' Aliyun part, and one SMS template with no Aliyun part at all. */
const extra: MessageTemplate[] = [
  { id: 'twilio-only', channel: 'sms', name: 'Twilio only', locales: { en: { body: 'Hi' } } },
  {
    id: 'order-shipped',
    channel: 'sms',
    name: 'Order shipped',
    locales: { 'zh-CN': { body: '您的订单已发货' } },
    aliyun: { kind: 'notification', signName: '好物商城', templateCode: 'SMS_100000001', content: '您的订单${order}已发货', params: { order: '{{vars.orderId}}' } },
  },
];

beforeAll(async () => {
  database = await testDatabase();
  await prepareDatabase(database.db);
  sandbox = await startAliyunSmsSandbox({ port: await freePort(), ...keys, dailyLimit: 3 });
  const deps = realActivityDeps(database.db, services);
  deps.sms = { ...deps.sms, aliyun: aliyunSmsClient({ ...keys, endpoint: sandbox.endpoint }) };
  deps.templates = staticTemplates([...loadBuiltinTemplates(), ...extra]);
  activities = createActivities(deps);
  close = deps.close;
});
afterAll(async () => {
  close();
  await sandbox.stop();
  await database.close();
});

const settings = { timezone: 'UTC', frequencyCaps: [] };

function request(templateId: string, key: string, customerId: string, variables: Record<string, string> = {}, timezone = 'UTC'): ActionRequest<'sms'> {
  const action = { type: 'action', nodeId: 'sms', kind: 'sms', config: { templateId }, idempotencyKey: key, visit: 1, variables, fallbackLocale: 'zh-CN' } as Extract<ActionCommand, { kind: 'sms' }>;
  return { action, journeyId: 'win-back', journeyName: 'Win-back', version: 1, customerId, settings: { ...settings, timezone } } as ActionRequest<'sms'>;
}

/** A customer with a mainland number of their own, at midday unless a time zone is given. */
async function customer(fields: Record<string, unknown> = {}) {
  const id = `c-${uniqueSuffix()}`;
  const phone = `+86139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  return seedCustomer(database.db, { id, phone, name: '李雷', locale: 'zh-CN', timezone: middayZone(Date.now()), consent: { sms: true }, ...fields });
}

async function received(phone: string): Promise<AliyunSandboxSms[]> {
  const answer = (await (await fetch(`${sandbox.baseUrl}/sandbox/messages?phone=${encodeURIComponent(phone)}`)).json()) as { messages: AliyunSandboxSms[] };
  return answer.messages;
}

describe('SMS through Aliyun', () => {
  it('sends the approved template with the customer’s variables and OutId = the ledger key, once, and records the billing', async () => {
    const c = await customer();
    const key = `journey/win-back/${c.id}#1:sms:1`;
    expect(await activities.sendSms(request('winback-reminder', key, c.id, { couponCode: 'COMEBACK-7KQ2' }))).toEqual({ outcome: 'ok' });
    expect(await activities.sendSms(request('winback-reminder', key, c.id, { couponCode: 'COMEBACK-7KQ2' }))).toEqual({ outcome: 'ok', duplicate: true });
    const got = await received(c.phone ?? '');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ phoneNumber: c.phone?.slice(3), signName: '好物商城', templateCode: 'SMS_900000004', templateParam: { name: '李雷', code: 'COMEBACK-7KQ2' }, outId: key });
    const record = await findMessageByKey(database.db, key);
    expect(record).toMatchObject({ status: 'sent', providerId: got[0]?.bizId });
    // 【好物商城】李雷您好，您的八折券COMEBACK-7KQ2即将过期，欢迎回来使用。拒收请回复R: 47 characters, one message.
    expect(await getMessageDetails(database.db, key)).toMatchObject({ provider: 'aliyun', templateCode: 'SMS_900000004', characters: 47, segments: 1 });
  });

  it('after a worker died holding the send, asks QuerySendDetails for the OutId and records the message instead of sending it again', async () => {
    const c = await customer();
    const key = `journey/win-back/${c.id}#1:sms:1`;
    // What a worker killed right after Aliyun accepted leaves: a pending row whose lease ran out unreleased, and the SMS at Aliyun.
    const expired = { attempt: 1, holder: 'dead-worker', since: new Date(Date.now() - 60_000).toISOString(), expiresAt: new Date(Date.now() - 30_000).toISOString() };
    await recordPendingMessage(database.db, { key, channel: 'sms', customerId: c.id, journeyId: 'win-back', templateId: 'winback-reminder', to: c.phone ?? '', lease: expired }, new Date());
    const client = aliyunSmsClient({ ...keys, endpoint: sandbox.endpoint });
    expect(await client.sendSms({ phoneNumbers: c.phone?.slice(3) ?? '', signName: '好物商城', templateCode: 'SMS_900000004', templateParam: '{"name":"李雷","code":"X"}', outId: key })).toMatchObject({ code: 'OK' });
    expect(await activities.sendSms(request('winback-reminder', key, c.id, { couponCode: 'X' }))).toEqual({ outcome: 'ok', duplicate: true });
    expect(await received(c.phone ?? '')).toHaveLength(1);
    expect(await findMessageByKey(database.db, key)).toMatchObject({ status: 'sent' });
    // Without the earlier send, the takeover sends it.
    const other = await customer();
    const otherKey = `journey/win-back/${other.id}#1:sms:1`;
    await recordPendingMessage(database.db, { key: otherKey, channel: 'sms', customerId: other.id, journeyId: 'win-back', templateId: 'winback-reminder', to: other.phone ?? '', lease: expired }, new Date());
    expect(await activities.sendSms(request('winback-reminder', otherKey, other.id, { couponCode: 'X' }))).toEqual({ outcome: 'ok' });
    expect(await received(other.phone ?? '')).toHaveLength(1);
  });

  it('sends a ledger key of 256 characters or more as its SHA-256 OutId (Aliyun takes less), and a takeover still finds it', async () => {
    const c = await customer();
    const key = `journey/${'long-journey-id-'.repeat(16)}/${c.id}#1:sms:1`;
    expect(key.length).toBeGreaterThanOrEqual(256);
    expect(await activities.sendSms(request('winback-reminder', key, c.id, { couponCode: 'X' }))).toEqual({ outcome: 'ok' });
    const [sent] = await received(c.phone ?? '');
    expect(sent?.outId).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The row as a worker that died right after Aliyun's answer leaves it: pending, its lease run out.
    await database.db.collection('messages').updateOne({ key }, { $set: { status: 'pending', lease: { attempt: 1, holder: 'dead-worker', since: new Date(Date.now() - 60_000).toISOString(), expiresAt: new Date(Date.now() - 30_000).toISOString() } } });
    expect(await activities.sendSms(request('winback-reminder', key, c.id, { couponCode: 'X' }))).toEqual({ outcome: 'ok', duplicate: true });
    expect(await received(c.phone ?? '')).toHaveLength(1);
  });

  it('fails clearly once the number reached Aliyun’s daily limit for the template and sign name', async () => {
    const c = await customer();
    for (const visit of [1, 2, 3]) {
      expect(await activities.sendSms(request('order-shipped', `k-${c.id}:sms:${visit}`, c.id, { orderId: `A${visit}` }))).toEqual({ outcome: 'ok' });
    }
    const error = await activities.sendSms(request('order-shipped', `k-${c.id}:sms:4`, c.id, { orderId: 'A4' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'DailyLimit', nonRetryable: true, message: expect.stringContaining('isv.BUSINESS_LIMIT_CONTROL') });
    expect(await findMessageByKey(database.db, `k-${c.id}:sms:4`)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^DailyLimit: Aliyun isv\.BUSINESS_LIMIT_CONTROL/) });
    expect(await received(c.phone ?? '')).toHaveLength(3);
    // Another template to the same number is not limited by this one.
    expect(await activities.sendSms(request('winback-reminder', `k-${c.id}:sms:5`, c.id, { couponCode: 'X' }))).toEqual({ outcome: 'ok' });
  });

  it('defers a promotional SMS outside 08:00–21:00 customer time to 08:00, and sends a notification at once', async () => {
    // A zone where it is now 23:xx.
    const offset = 23 - new Date().getUTCHours();
    const wrapped = offset > 12 ? offset - 24 : offset;
    const zone = wrapped === 0 ? 'Etc/UTC' : wrapped > 0 ? `Etc/GMT-${wrapped}` : `Etc/GMT+${-wrapped}`;
    const c = await customer({ timezone: zone });
    const outcome = await activities.sendSms(request('winback-reminder', `k-${c.id}:sms:1`, c.id, { couponCode: 'X' }, zone));
    expect(outcome).toMatchObject({ outcome: 'deferred' });
    const until = (outcome as { until: number }).until;
    const local = new Date(until + wrapped * 3_600_000);
    expect([local.getUTCHours(), local.getUTCMinutes()]).toEqual([8, 0]);
    expect(until - Date.now()).toBeGreaterThan(8 * 3_600_000);
    expect(await findMessageByKey(database.db, `k-${c.id}:sms:1`)).toMatchObject({ status: 'pending' });
    expect(await activities.sendSms(request('order-shipped', `k-${c.id}:sms:2`, c.id, { orderId: 'B1' }, zone))).toEqual({ outcome: 'ok' });
    expect(await received(c.phone ?? '')).toMatchObject([{ templateCode: 'SMS_100000001' }]);
  });

  it('refuses a template without an Aliyun part, and a wrong access key secret, naming the problem', async () => {
    const c = await customer();
    await expect(activities.sendSms(request('twilio-only', `k-${c.id}:sms:1`, c.id))).rejects.toMatchObject({ type: 'TemplateError', message: expect.stringContaining('no Aliyun sign name and template code') });
    const base = realActivityDeps(database.db, services);
    const wrong = createActivities({ ...base, sms: { ...base.sms, aliyun: aliyunSmsClient({ ...keys, accessKeySecret: 'wrong', endpoint: sandbox.endpoint }) } });
    await expect(wrong.sendSms(request('winback-reminder', `k-${c.id}:sms:2`, c.id, { couponCode: 'X' }))).rejects.toMatchObject({ type: 'InvalidConfig', message: expect.stringContaining('SignatureDoesNotMatch') });
    base.close();
    expect(await received(c.phone ?? '')).toHaveLength(0);
  });
});
