import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { builtinTemplateCatalogue, loadBuiltinJourneys, loadBuiltinTemplates } from '../store/builtins.ts';
import { smsSegments } from './sms.ts';
import { MessageTemplate } from './template.ts';

const templates = loadBuiltinTemplates();
const context = {
  customer: { name: 'Tom & Ann', email: 'tom@example.com', birthday: '1990-01-20', computed: { lastPurchaseAt: '2024-09-01' } },
  vars: { couponCode: 'COMEBACK-7KQ2M9' },
  unsubscribeUrl: 'https://shop.example/u/abc',
  shopUrl: 'https://shop.example',
};

describe('MessageTemplate', () => {
  it('requires subject, html and text for email, and a body for SMS, in every locale', () => {
    const result = MessageTemplate.safeParse({ id: 'x', channel: 'email', name: 'X', locales: { en: { subject: 'Hi', html: '<p>Hi</p>' } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['locales', 'en', 'text']);
  });

  it('refuses a promotional Aliyun SMS template that does not end with 「拒收请回复R」, naming the field', () => {
    const sms = (content: string, kind: 'promotional' | 'notification' = 'promotional') =>
      MessageTemplate.safeParse({ id: 'x', channel: 'sms', name: 'X', locales: { 'zh-CN': { body: '会员日' } }, aliyun: { kind, signName: '好店', templateCode: 'SMS_1', content } });
    const refused = sms('会员日全场八折，回T退订');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({ path: ['aliyun', 'content'], message: 'a promotional Aliyun template must end with 「拒收请回复R」' });
    expect(sms('会员日全场八折，拒收请回复R').success).toBe(true);
    expect(sms('您的订单已发货', 'notification').success).toBe(true);
    expect(MessageTemplate.safeParse({ id: 'x', channel: 'sms', name: 'X', locales: { en: { body: 'x' } }, aliyun: { kind: 'notification', signName: '好', templateCode: '1', content: 'x' } }).error?.issues.map((i) => i.path.join('.'))).toEqual([
      'aliyun.signName',
      'aliyun.templateCode',
    ]);
  });
});

describe('built-in message templates', () => {
  it('exist in English and Simplified Chinese for every template the built-in journeys use', () => {
    const catalogue = builtinTemplateCatalogue();
    const used = loadBuiltinJourneys().flatMap((g) => g.nodes.flatMap((n) => (n.kind === 'email' || n.kind === 'sms' ? [n.config.templateId] : [])));
    for (const id of used) expect(catalogue[id]?.locales.sort()).toEqual(['en', 'zh-CN']);
    expect(Object.keys(catalogue).sort()).toEqual([...new Set(used)].sort());
  });

  it.each(templates.flatMap((t) => Object.entries(t.locales).map(([locale, parts]) => [`${t.id} (${locale})`, t.channel, parts] as const)))(
    '%s renders with the customer’s name, the coupon and an unsubscribe link',
    (_name, channel, parts) => {
      const render = (source: string | undefined) => Handlebars.compile(source ?? '', { strict: false })(context);
      if (channel === 'email') {
        expect(render(parts.html)).toContain('https://shop.example/u/abc');
        expect(render(parts.html)).not.toContain('Tom & Ann'); // escaped in HTML
        expect(render(parts.text)).toContain('https://shop.example/u/abc');
        expect(render(parts.subject).length).toBeLessThan(80);
        expect(render(parts.text)).not.toContain('&amp;');
      } else {
        const body = render(parts.body).trim();
        expect(body).toMatch(/STOP|退订/);
        expect(body).not.toContain('&amp;');
        // Keep SMS cheap: English stays GSM-7; no message takes more than two parts.
        const segments = smsSegments(body);
        expect(segments.segments).toBeLessThanOrEqual(2);
        if (/^[\x20-\x7e]*$/.test(body)) expect(segments.encoding).toBe('GSM-7');
      }
    },
  );
});
