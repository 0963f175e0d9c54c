// Aliyun SMS through the API: the template's Aliyun part is checked on save, and a customer's
// "R" reply, pushed by the Aliyun sandbox as Aliyun's SmsUp push, suppresses the number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAliyunSmsSandbox } from '../../embedded/aliyun-sms-sandbox.ts';
import { freePort } from '../../embedded/process.ts';
import { getSuppression } from '../../store/suppressions.ts';
import { smsTemplate } from '../fixtures.ts';
import { startTestApp, testConfig } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';
import { aliyunSmsClient } from '../../activities/sms-aliyun.ts';
import { findMessageByKey, markMessage, recordPendingMessage } from '../../store/messages.ts';
import { eventually } from '../../test/fixtures/workflow-harness.ts';
import { aliyunCallbackToken, aliyunReportPath, aliyunUplinkPath, aliyunWebhookUrl } from './aliyun.ts';

let app: TestApp;
let sandbox: Awaited<ReturnType<typeof startAliyunSmsSandbox>>;
beforeAll(async () => {
  app = await startTestApp();
  sandbox = await startAliyunSmsSandbox({
    port: await freePort(),
    accessKeyId: 'LTAItest',
    accessKeySecret: 'secret',
    reportUrl: aliyunWebhookUrl(app.publicUrl, testConfig.secret, aliyunReportPath),
  });
});
afterAll(async () => {
  await sandbox.stop();
  await app.close();
});

const aliyun = (content: string) => ({ kind: 'promotional', signName: '好物商城', templateCode: 'SMS_900000004', content, params: { name: '{{customer.name}}' } });

/** The customer's reply as the sandbox pushes it (Aliyun's SmsUp batch push) to the uplink URL. */
async function reply(phone: string, content: string, token = aliyunCallbackToken(testConfig.secret)) {
  const answer = await fetch(`${sandbox.baseUrl}/sandbox/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, content, url: `${app.publicUrl}${aliyunUplinkPath}?token=${encodeURIComponent(token)}` }),
  });
  return (await answer.json()) as { status: number; body: string };
}

describe('Aliyun SMS templates', () => {
  it('refuses to save a promotional template that does not end with 「拒收请回复R」, naming the field, and keeps the saved one', async () => {
    const good = { ...smsTemplate('member-day'), aliyun: aliyun('${name}您好，会员日全场八折。拒收请回复R') };
    expect((await app.call('POST', '/templates', { as: 'marketer', json: good })).status).toBe(201);
    const refused = await app.call('PUT', '/templates/member-day', { as: 'marketer', json: { ...good, aliyun: aliyun('${name}您好，会员日全场八折。回T退订') } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.json).toMatchObject({ errors: [{ path: 'body.aliyun.content', message: 'a promotional Aliyun template must end with 「拒收请回复R」' }] });
    const kept = await app.call('GET', '/templates/member-day', { as: 'viewer' });
    expect(kept.json).toMatchObject({ template: { aliyun: { content: '${name}您好，会员日全场八折。拒收请回复R', templateCode: 'SMS_900000004' } } });
  });

  it('refuses (409) content with a variable that has no source in params, naming it, and saves nothing', async () => {
    const template = { ...smsTemplate('coupon-day'), aliyun: aliyun('${name}您好，您的券${code}今日可用。拒收请回复R') };
    const refused = await app.call('POST', '/templates', { as: 'marketer', json: template });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ errors: [{ path: 'body.aliyun.params.code' }] });
    expect((await app.call('GET', '/templates/coupon-day', { as: 'viewer' })).status).toBe(404);
  });
});

describe('Aliyun SMS replies', () => {
  it('an "R" reply suppresses the number and withdraws the customer’s SMS consent', async () => {
    await app.call('PUT', '/customers/wang', { as: 'ingest', json: { name: '王芳', phone: '+8613912345678', consent: { sms: true } } });
    expect(await reply('13912345678', ' r ')).toEqual({ status: 200, body: JSON.stringify({ code: 0, msg: '成功' }) });
    expect(await getSuppression(app.db, 'sms', '+8613912345678')).toMatchObject({ reason: 'stop' });
    const profile = (await app.call('GET', '/customers/wang', { as: 'viewer' })).json as { consent: { sms: { granted: boolean; source: string } } };
    expect(profile.consent.sms).toMatchObject({ granted: false, source: 'stop' });
  });

  it('退订 also suppresses; another reply does not, and a push without the URL’s token is refused', async () => {
    await reply('13900000002', '退订');
    expect(await getSuppression(app.db, 'sms', '+8613900000002')).toMatchObject({ reason: 'stop' });
    await reply('13900000003', '好的，谢谢');
    expect(await getSuppression(app.db, 'sms', '+8613900000003')).toBeNull();
    const forged = await reply('13900000004', 'R', 'not-the-token');
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body)).toMatchObject({ errors: [{ path: 'query.token' }] });
    expect(await getSuppression(app.db, 'sms', '+8613900000004')).toBeNull();
  });
});

describe('Aliyun SMS delivery reports', () => {
  it('a delivery report pushed by Aliyun moves the ledger row to delivered', async () => {
    const key = 'journey/win-back/zhao#1:sms:1';
    const lease = { attempt: 1, holder: 'test', since: new Date().toISOString(), expiresAt: new Date(Date.now() + 9_000).toISOString() };
    await recordPendingMessage(app.db, { key, channel: 'sms', customerId: 'zhao', journeyId: 'win-back', templateId: 'winback-reminder', to: '+8613900000009', lease }, new Date());
    const client = aliyunSmsClient({ accessKeyId: 'LTAItest', accessKeySecret: 'secret', endpoint: sandbox.endpoint });
    const sent = await client.sendSms({ phoneNumbers: '13900000009', signName: '好物商城', templateCode: 'SMS_900000004', templateParam: '{}', outId: key });
    await markMessage(app.db, key, 'sent', { providerId: sent.bizId }, new Date());
    const record = await eventually(() => findMessageByKey(app.db, key), (m) => m?.status === 'delivered', 10_000, 100);
    expect(record).toMatchObject({ status: 'delivered', providerId: sent.bizId });
  });
});
