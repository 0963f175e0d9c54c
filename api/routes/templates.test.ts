import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerContext, render } from '../../activities/render.ts';
import { pickLocale } from '../../activities/templates.ts';
import type { MessageRenderer } from '../deps.ts';
import { emailTemplate, simpleGraph, smsTemplate, triggers } from '../fixtures.ts';
import { recordRun } from '../../store/runs.ts';
import { suppress } from '../../store/suppressions.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

/** The activities' renderer, wired the way the composition root wires it. */
const renderer: MessageRenderer = {
  render({ template, locale, customer, vars, unsubscribeUrl, now }) {
    const picked = pickLocale(template, locale, 'en');
    const context = { customer: customerContext(customer, now.getTime()), vars, journey: { id: 'preview', name: 'Preview' }, unsubscribeUrl };
    const part = (source: string | undefined, mode: 'html' | 'text') => (source === undefined ? undefined : render(source, context, mode));
    const m = picked.message;
    return { locale: picked.locale, subject: part(m.subject, 'text'), html: part(m.html, 'html'), text: part(m.text, 'text'), body: part(m.body, 'text') };
  },
};

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ renderer });
  await app.call('POST', '/templates', { as: 'marketer', json: emailTemplate('offer') });
  await app.call('POST', '/templates', { as: 'marketer', json: smsTemplate('nudge') });
  await app.call('PUT', '/customers/li', { as: 'ingest', json: { name: 'Li <Wei>', locale: 'zh-TW', email: 'li@example.com' } });
});
afterAll(() => app.close());

describe('templates', () => {
  it('creates, lists by channel, replaces and refuses bad versions', async () => {
    const sms = (await app.call('GET', '/templates?channel=sms', { as: 'viewer' })).json as { items: { template: { id: string } }[] };
    expect(sms.items.map((t) => t.template.id)).toEqual(['nudge']);
    const missingText = { ...emailTemplate('broken'), locales: { en: { subject: 'x', html: '<p>x</p>' } } };
    const refused = await app.call('POST', '/templates', { as: 'marketer', json: missingText });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ errors: [{ path: 'body.locales.en.text', message: 'an email version needs a text part' }] });
    const replaced = await app.call('PUT', '/templates/nudge', { as: 'marketer', json: { ...smsTemplate('nudge'), name: 'Renamed' } });
    expect(replaced.json).toMatchObject({ template: { name: 'Renamed' } });
    expect((await app.call('PUT', '/templates/nudge', { as: 'marketer', json: emailTemplate('nudge') })).status).toBe(409);
    expect((await app.call('PUT', '/templates/nope', { as: 'marketer', json: smsTemplate('nope') })).status).toBe(404);
  });

  it('previews an email for a chosen customer in their language, escaping HTML', async () => {
    const preview = await app.call('POST', '/templates/offer/preview', { as: 'viewer', json: { customerId: 'li', vars: { couponCode: 'WB-42' } } });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json).toMatchObject({ channel: 'email', locale: 'zh-CN', subject: 'Li <Wei>，你好', html: '<p>你好 Li &lt;Wei&gt;</p>', text: '你好 Li <Wei>' });
  });

  it('previews an SMS for the sample customer with its segment count', async () => {
    const preview = await app.call('POST', '/templates/nudge/preview', { as: 'viewer', json: { vars: { couponCode: 'HELLO20' } } });
    expect(preview.json).toEqual({
      channel: 'sms',
      locale: 'en',
      body: 'Hi Ana, 20% off today with HELLO20',
      sms: { encoding: 'GSM-7', characters: 34, segments: 1 },
    });
  });

  it('sends a test to an address or number matching the channel', async () => {
    const email = await app.call('POST', '/templates/offer/test-send', { as: 'marketer', json: { to: 'qa@example.com', vars: { couponCode: 'T-1' } } });
    expect(email.json).toMatchObject({ channel: 'email', to: 'qa@example.com', locale: 'en' });
    expect(app.sent.emails.at(-1)).toMatchObject({ to: 'qa@example.com', subject: '[Test] Hi Ana', html: '<p>Hello Ana Silva, code T-1</p>' });
    const sms = await app.call('POST', '/templates/nudge/test-send', { as: 'marketer', json: { to: '+14155550100' } });
    expect(sms.json).toMatchObject({ channel: 'sms', providerId: expect.stringMatching(/^SM/) });
    expect(app.sent.sms.at(-1)).toEqual({ to: '+14155550100', body: 'Hi Ana, 20% off today with ' });
    const wrong = await app.call('POST', '/templates/nudge/test-send', { as: 'marketer', json: { to: 'qa@example.com' } });
    expect(wrong.status).toBe(409);
    expect(wrong.json).toMatchObject({ errors: [{ path: 'body.to' }] });
    const neither = await app.call('POST', '/templates/nudge/test-send', { as: 'marketer', json: { to: 'call me maybe' } });
    expect(neither.status).toBe(400);
    expect(neither.json).toMatchObject({ errors: [{ path: 'body.to' }] });
  });

  it('refuses a test send to a suppressed address, and limits test sends per key', async () => {
    await suppress(app.db, { channel: 'email', address: 'gone@example.com', reason: 'unsubscribe' }, new Date());
    const sentBefore = app.sent.emails.length;
    const refused = await app.call('POST', '/templates/offer/test-send', { as: 'marketer', json: { to: 'Gone@Example.com', vars: { couponCode: 'T-2' } } });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ detail: expect.stringContaining('suppressed (unsubscribe)') });
    expect(app.sent.emails.length).toBe(sentBefore);

    // The admin key has its own bucket (no test sends yet): five at once, then it must wait.
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof app.call>> | undefined;
    for (let i = 0; i < 7 && limited === undefined; i++) {
      const response = await app.call('POST', '/templates/offer/test-send', { as: 'admin', json: { to: `qa${i}@example.com`, vars: { couponCode: 'T-3' } } });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(app.sent.emails.length).toBe(sentBefore + 5);
  });

  it('previews a template as edited, before saving it, with the coupon variable', async () => {
    const draft = { ...emailTemplate('draft-offer'), locales: { en: { subject: 'Code {{vars.couponCode}}', html: '<p>{{customer.firstName}}: {{vars.couponCode}}</p>', text: 'x' } } };
    const preview = await app.call('POST', '/templates/preview', { as: 'viewer', json: { template: draft, vars: { couponCode: 'WB-9' } } });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json).toMatchObject({ subject: 'Code WB-9', html: '<p>Ana: WB-9</p>' });
    // Nothing was saved.
    expect((await app.call('GET', '/templates/draft-offer', { as: 'viewer' })).status).toBe(404);
    const sms = await app.call('POST', '/templates/preview', { as: 'viewer', json: { template: { ...smsTemplate('draft-sms'), locales: { 'zh-CN': { body: '生日快乐，{{customer.firstName}}！' } } } } });
    expect(sms.json).toMatchObject({ body: '生日快乐，Ana！', sms: { encoding: 'UCS-2', characters: 9, segments: 1 } });
  });

  it('names the line and column of a Handlebars error, and refuses to save it', async () => {
    const broken = { ...emailTemplate('broken-syntax'), locales: { en: { subject: 'Hi', html: '<p>\n  {{#if vars.couponCode}}{{vars.couponCode}}\n</p>', text: 'Hi {{customer.name}' } } };
    const preview = await app.call('POST', '/templates/preview', { as: 'viewer', json: { template: broken } });
    expect(preview.status).toBe(422);
    expect(preview.json).toMatchObject({
      errors: [
        { path: 'template.locales.en.html', line: 3, column: 5 },
        { path: 'template.locales.en.text', line: 1, column: 19 },
      ],
    });
    const saved = await app.call('POST', '/templates', { as: 'marketer', json: broken });
    expect(saved.status).toBe(422);
    expect(saved.json).toMatchObject({ errors: [{ path: 'body.locales.en.html', line: 3 }, { path: 'body.locales.en.text', line: 1 }] });
    expect((await app.call('GET', '/templates/broken-syntax', { as: 'viewer' })).status).toBe(404);
  });

  it('compiles an MJML version into the HTML it sends, and names the line of an MJML mistake', async () => {
    const mjml = '<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        <mj-text>Code {{vars.couponCode}}</mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>';
    const template = { ...emailTemplate('responsive'), locales: { en: { subject: 'Hi', html: 'replaced on save', text: 'Code {{vars.couponCode}}', mjml } } };
    const preview = await app.call('POST', '/templates/preview', { as: 'viewer', json: { template, vars: { couponCode: 'MJ-1' } } });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json).toMatchObject({ html: expect.stringMatching(/<!doctype html>[\s\S]*Code MJ-1/) });
    const created = await app.call('POST', '/templates', { as: 'marketer', json: template });
    expect(created.status, created.text).toBe(201);
    const stored = created.json as { template: { locales: { en: { html: string; mjml: string } } } };
    expect(stored.template.locales.en.html).toMatch(/<!doctype html>[\s\S]*Code \{\{vars\.couponCode\}\}/);
    expect(stored.template.locales.en.mjml).toBe(mjml);
    const misplaced = { ...template, id: 'responsive-2', locales: { en: { ...template.locales.en, mjml: '<mjml>\n  <mj-body>\n    <mj-text>no column</mj-text>\n  </mj-body>\n</mjml>' } } };
    const refused = await app.call('POST', '/templates', { as: 'marketer', json: misplaced });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ errors: [{ path: 'body.locales.en.mjml', line: 3, message: expect.stringContaining('mj-text cannot be used inside mj-body') }] });
  });

  it('says which journeys and steps send a template and how many customers may still receive it', async () => {
    await app.call('POST', '/templates', { as: 'marketer', json: emailTemplate('used') });
    await app.call('POST', '/journeys', { as: 'marketer', json: simpleGraph('uses-used', triggers.api(), 'used') });
    await app.call('POST', '/journeys/uses-used/publish', { as: 'marketer', json: { note: 'v1' } });
    await app.call('POST', '/journeys', { as: 'marketer', json: simpleGraph('drafts-used', triggers.api(), 'used') });
    const at = new Date().toISOString();
    // Two customers wait before the email (at the trigger's next step, the email itself), one has finished.
    for (const [customerId, nodeId] of [['w1', 'send'], ['w2', 'send'], ['w3', null]] as const) {
      await recordRun(app.db, {
        workflowId: `journey/uses-used/${customerId}`,
        runKey: `journey/uses-used/${customerId}#000000000001`,
        first: true,
        journeyId: 'uses-used',
        version: 1,
        customerId,
        status: nodeId === null ? 'completed' : 'running',
        nodeId,
        waitingFor: [],
        variables: {},
        visited: nodeId === null ? ['trigger', 'send', 'done'] : ['trigger', 'send'],
        history: [],
        startedAt: at,
        since: at,
        at,
      });
    }
    const usage = await app.call('GET', '/templates/used/usage', { as: 'viewer' });
    expect(usage.status, usage.text).toBe(200);
    expect(usage.json).toEqual({
      templateId: 'used',
      waiting: 2,
      journeys: [
        { journeyId: 'drafts-used', name: 'Journey drafts-used', status: 'draft', liveSteps: [], draftSteps: [{ nodeId: 'send', label: 'Send it' }], waiting: 0 },
        { journeyId: 'uses-used', name: 'Journey uses-used', status: 'published', liveSteps: [{ nodeId: 'send', label: 'Send it' }], draftSteps: [{ nodeId: 'send', label: 'Send it' }], waiting: 2 },
      ],
    });
    expect((await app.call('GET', '/templates/nope/usage', { as: 'viewer' })).status).toBe(404);
  });

  it('refuses to delete a template a live journey sends', async () => {
    await app.call('POST', '/journeys', { as: 'marketer', json: simpleGraph('uses-offer', triggers.api(), 'offer') });
    await app.call('POST', '/journeys/uses-offer/publish', { as: 'marketer', json: { note: 'v1' } });
    const refused = await app.call('DELETE', '/templates/offer', { as: 'marketer' });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ detail: 'template offer is used by journey uses-offer' });
    expect((await app.call('DELETE', '/templates/nudge', { as: 'marketer' })).status).toBe(204);
    expect((await app.call('GET', '/templates/nudge', { as: 'viewer' })).status).toBe(404);
  });
});
