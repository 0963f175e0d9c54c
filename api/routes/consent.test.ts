import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessageByKey, markMessage, recordPendingMessage } from '../../store/messages.ts';
import { getSuppression } from '../../store/suppressions.ts';
import { consentLinks, signPreferencesToken, signUnsubscribeToken, verifyUnsubscribeToken } from '../consent.ts';
import { registerWaitingRun } from '../fixtures.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await app.call('PUT', '/customers/reader', { as: 'ingest', json: { email: 'Reader@Example.com', phone: '+14155550111', consent: { email: true, sms: true } } });
  // A run that can use any event of theirs (so routing is visible in the fake runtime).
  await registerWaitingRun(app.db, 'reader');
});
afterAll(() => app.close());

type ConsentRecord = { granted: boolean; at: string; source: string };
const recordsOf = async (id: string) => ((await app.call('GET', `/customers/${id}`)).json as { consent: { email?: ConsentRecord; sms?: ConsentRecord } }).consent;
/** Granted or not per channel (no record: not granted). */
const consentOf = async (id: string) => {
  const consent = await recordsOf(id);
  return { email: consent.email?.granted === true, sms: consent.sms?.granted === true };
};
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('signed links', () => {
  it('round-trips and rejects tampering', () => {
    const token = signUnsubscribeToken('s3cret', 'reader', 'email');
    expect(verifyUnsubscribeToken('s3cret', token)).toEqual({ customerId: 'reader', channel: 'email' });
    expect(verifyUnsubscribeToken('other', token)).toBeNull();
    const [payload, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify(['someone-else', 'u:email'])).toString('base64url')}.${mac}`;
    expect(verifyUnsubscribeToken('s3cret', forged)).toBeNull();
    expect(verifyUnsubscribeToken('s3cret', `${payload}.${mac}x`)).toBeNull();
    expect(verifyUnsubscribeToken('s3cret', signPreferencesToken('s3cret', 'reader'))).toBeNull();
  });

  it('shows a confirmation page on GET without unsubscribing (mail scanners open links)', async () => {
    const url = consentLinks(app.config).unsubscribeUrl('reader', 'email');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Unsubscribe');
    expect((await consentOf('reader')).email).toBe(true);
  });

  it('unsubscribes with one click (RFC 8058) and suppresses the address', async () => {
    const { headers } = consentLinks(app.config);
    const link = /^<(.+)>$/.exec(headers('reader')['List-Unsubscribe'] ?? '')?.[1] ?? '';
    expect(headers('reader')['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const response = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(response.status).toBe(200);
    await app.pipeline.drain();
    expect(await consentOf('reader')).toEqual({ email: false, sms: true });
    expect((await recordsOf('reader')).email?.source).toBe('unsubscribe');
    expect((await getSuppression(app.db, 'email', 'reader@example.com'))?.reason).toBe('unsubscribe');
    const routed = app.runtime.callsTo('routeEvent').map(([i]) => i.event);
    expect(routed).toContainEqual(expect.objectContaining({ type: 'unsubscribed', customerId: 'reader', properties: { channel: 'email', via: 'unsubscribe' } }));
  });

  it('accepts the multipart form some mail clients send', async () => {
    await app.call('PUT', '/customers/multi', { as: 'ingest', json: { email: 'multi@example.com' } });
    const body = new FormData();
    body.set('List-Unsubscribe', 'One-Click');
    const response = await fetch(consentLinks(app.config).unsubscribeUrl('multi', 'email'), { method: 'POST', body });
    expect(response.status).toBe(200);
    expect((await consentOf('multi')).email).toBe(false);
  });

  it('rejects a forged link with 403 and changes nothing', async () => {
    const response = await app.call('POST', `/consent/unsubscribe?token=${signUnsubscribeToken('wrong-secret', 'multi', 'sms')}`, { as: null });
    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ errors: [{ path: 'query.token' }] });
  });

  it('saves preferences from the form, opting back in lifts only an unsubscribe', async () => {
    const link = consentLinks(app.config).preferencesUrl('reader');
    const page = await (await fetch(link)).text();
    expect(page).toContain('name="sms" checked');
    expect(page).not.toContain('name="email" checked');
    const saved = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ email: 'on' }) });
    expect(saved.status).toBe(200);
    expect(await consentOf('reader')).toEqual({ email: true, sms: false });
    expect(await recordsOf('reader')).toMatchObject({ email: { granted: true, source: 'form' }, sms: { granted: false, source: 'form' } });
    expect(await getSuppression(app.db, 'email', 'reader@example.com')).toBeNull();
    expect((await getSuppression(app.db, 'sms', '+14155550111'))?.reason).toBe('unsubscribe');
  });
});

describe('Twilio webhooks', () => {
  const post = (path: string, params: Record<string, string>, signature?: string) =>
    fetch(`${app.publicUrl}/v1${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature ?? getExpectedTwilioSignature(app.config.twilioAuthToken, `${app.publicUrl}/v1${path}`, params),
      },
      body: form(params),
    });

  it('rejects a bad signature and changes nothing', async () => {
    await app.call('PUT', '/customers/texter', { as: 'ingest', json: { phone: '+14155550122', consent: { email: true, sms: true } } });
    const params = { From: '+14155550122', Body: 'STOP', MessageSid: 'SMbad' };
    const forged = await post('/webhooks/twilio/inbound', params, getExpectedTwilioSignature('not-the-token', `${app.publicUrl}/v1/webhooks/twilio/inbound`, params));
    expect(forged.status).toBe(403);
    const unsigned = await fetch(`${app.publicUrl}/v1/webhooks/twilio/inbound`, { method: 'POST' });
    expect(unsigned.status).toBe(403);
    expect((await consentOf('texter')).sms).toBe(true);
    expect(await getSuppression(app.db, 'sms', '+14155550122')).toBeNull();
  });

  it('STOP suppresses the number and withdraws SMS consent; START restores it', async () => {
    const stop = await post('/webhooks/twilio/inbound', { From: '+14155550122', Body: ' stop ', MessageSid: 'SM1' });
    expect(stop.status).toBe(200);
    expect(stop.headers.get('content-type')).toContain('text/xml');
    expect((await recordsOf('texter')).sms).toMatchObject({ granted: false, source: 'stop' });
    expect((await getSuppression(app.db, 'sms', '+14155550122'))?.reason).toBe('stop');
    await post('/webhooks/twilio/inbound', { From: '+14155550122', Body: 'START', MessageSid: 'SM2' });
    expect((await recordsOf('texter')).sms).toMatchObject({ granted: true, source: 'start' });
    expect(await getSuppression(app.db, 'sms', '+14155550122')).toBeNull();
  });

  it('turns other replies into events', async () => {
    await registerWaitingRun(app.db, 'texter');
    await post('/webhooks/twilio/inbound', { From: '+14155550122', Body: 'YES please', MessageSid: 'SM3' });
    await app.pipeline.drain();
    const routed = app.runtime.callsTo('routeEvent').map(([i]) => i.event);
    expect(routed).toContainEqual(expect.objectContaining({ type: 'sms_received', customerId: 'texter', properties: { body: 'YES please' } }));
  });

  it('status callbacks move the ledger forward, never back', async () => {
    const now = new Date();
    await recordPendingMessage(app.db, { key: 'k-sms-1', channel: 'sms', customerId: 'texter', to: '+14155550122' }, now);
    await markMessage(app.db, 'k-sms-1', 'sent', { providerId: 'SMstatus1' }, now);
    expect((await post('/webhooks/twilio/status', { MessageSid: 'SMstatus1', MessageStatus: 'undelivered', ErrorCode: '30003' })).status).toBe(204);
    expect((await post('/webhooks/twilio/status', { MessageSid: 'SMstatus1', MessageStatus: 'sent' })).status).toBe(204);
    const message = await findMessageByKey(app.db, 'k-sms-1');
    expect(message).toMatchObject({ status: 'undelivered', error: 'Twilio error 30003' });
    const forged = await post('/webhooks/twilio/status', { MessageSid: 'SMstatus1', MessageStatus: 'delivered' }, 'forged');
    expect(forged.status).toBe(403);
  });

  it('a status callback names its message by the ledger key in its URL when the sender never recorded the sid', async () => {
    // The sending worker died after Twilio accepted: the record is pending, without a provider id.
    await recordPendingMessage(app.db, { key: 'k-sms-2', channel: 'sms', customerId: 'texter', to: '+14155550122' }, new Date());
    expect((await post('/webhooks/twilio/status?key=k-sms-2', { MessageSid: 'SMstatus2', MessageStatus: 'delivered' })).status).toBe(204);
    expect(await findMessageByKey(app.db, 'k-sms-2')).toMatchObject({ status: 'delivered', providerId: 'SMstatus2' });
  });
});

describe('refusing personalised marketing (PIPL Art. 24)', () => {
  type Records = { email?: ConsentRecord; personalisation?: ConsentRecord };
  const records = async (id: string) => ((await app.call('GET', `/customers/${id}`)).json as { consent: Records }).consent;

  it('records a refusal sent through the API with when and where, and keeps the channels', async () => {
    await app.call('PUT', '/customers/pipl-api', { as: 'ingest', json: { email: 'pipl-api@example.com', consent: { email: true } } });
    expect((await records('pipl-api')).personalisation).toBeUndefined();
    const put = await app.call('PUT', '/customers/pipl-api', { as: 'ingest', json: { consent: { personalisation: { granted: false, at: '2026-03-01T10:00:00Z', source: 'form' } } } });
    expect(put.status, put.text).toBe(200);
    const consent = await records('pipl-api');
    expect(consent.personalisation).toEqual({ granted: false, at: '2026-03-01T10:00:00Z', source: 'form' });
    expect(consent.email).toMatchObject({ granted: true, source: 'api' });
    const bad = await app.call('PUT', '/customers/pipl-api', { as: 'ingest', json: { consent: { personalisation: 'no' } } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errors: [expect.objectContaining({ path: expect.stringContaining('body.consent.personalisation') })] });
    expect((await records('pipl-api')).personalisation).toEqual({ granted: false, at: '2026-03-01T10:00:00Z', source: 'form' });
  });

  it('records a refusal from an import column', async () => {
    const csv = 'id,email,consent.email,consent.personalisation\npipl-import,pipl-import@example.com,yes,no\npipl-silent,pipl-silent@example.com,yes,\n';
    const response = await app.call('POST', '/customers/import', { as: 'ingest', body: csv, headers: { 'content-type': 'text/csv' } });
    expect(response.status, response.text).toBe(200);
    expect((await records('pipl-import')).personalisation).toMatchObject({ granted: false, source: 'import' });
    // An empty cell records nothing: no refusal.
    expect((await records('pipl-silent')).personalisation).toBeUndefined();
  });

  it('offers the refusal on the preferences page, and records only a change', async () => {
    await app.call('PUT', '/customers/pipl-form', { as: 'ingest', json: { email: 'pipl-form@example.com', consent: { email: true } } });
    const link = consentLinks(app.config).preferencesUrl('pipl-form');
    expect(await (await fetch(link)).text()).toContain('name="personalisation" checked');
    const post = (fields: Record<string, string>) => fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields) });
    await post({ email: 'on', personalisation: 'on' });
    expect((await records('pipl-form')).personalisation).toBeUndefined();
    await post({ email: 'on' });
    expect((await records('pipl-form')).personalisation).toMatchObject({ granted: false, source: 'form' });
    expect((await records('pipl-form')).email).toMatchObject({ granted: true });
    expect(await (await fetch(link)).text()).not.toContain('name="personalisation" checked');
    await post({ email: 'on', personalisation: 'on' });
    expect((await records('pipl-form')).personalisation).toMatchObject({ granted: true, source: 'form' });
  });
});
