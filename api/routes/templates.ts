import type { z } from 'zod';
import { CustomerProfile, Email, Phone } from '../../journey/customer.ts';
import { smsSegments } from '../../journey/sms.ts';
import { missingAliyunParam } from '../../journey/template.ts';
import type { MessageTemplate } from '../../journey/template.ts';
import { getCustomer } from '../../store/customers.ts';
import { getSuppression } from '../../store/suppressions.ts';
import { journeysUsingTemplate } from '../../store/journeys.ts';
import { createTemplate, deleteTemplate, getTemplate, getTemplateRecord, listTemplates, replaceTemplate } from '../../store/templates.ts';
import { readers } from '../auth.ts';
import { consentLinks } from '../consent.ts';
import type { RenderedMessage, ResolvedDeps } from '../deps.ts';
import { conflict, notFound, ProblemError } from '../problem.ts';
import { RateLimiter } from '../rateLimit.ts';
import { defineRoute } from '../route.ts';
import { Problem } from '../wire/common.ts';
import { templateUsage } from '../../store/templateUsage.ts';
import { assertTemplateParses, withCompiledMjml } from '../templateCheck.ts';
import { DraftPreviewRequest, Preview, PreviewRequest, Template, TemplatePage, TemplateParams, TemplateQuery, TemplateRecord, TemplateUsage, TestSendRequest, TestSendResult } from '../wire/templates.ts';

const writers = ['marketer'] as const;

/** Who previews show when no customer is chosen: a plausible, complete profile. */
const sampleCustomer: CustomerProfile = CustomerProfile.parse({
  id: 'sample-customer',
  email: 'ana.silva@example.com',
  phone: '+14155550100',
  name: 'Ana Silva',
  locale: 'en',
  timezone: 'America/New_York',
  birthday: '1990-05-17',
  accountOwner: 'Sam Lee',
  computed: {
    stage: 'dormant',
    rfm: { recency: 2, frequency: 4, monetary: 4, cell: 'atRisk' },
    valueTier: 'high',
    clv: { historical: 1240, predicted: 1600 },
    churnRisk: 0.62,
    orderCount: 9,
    totalSpend: 1240,
    lastPurchaseAt: '2024-01-15T10:00:00.000Z',
    segments: ['dormant-90d', 'high-value-at-risk'],
  },
});

/** An Aliyun part whose content uses a variable it gives no source for: 409 naming it. */
function checkAliyun(template: MessageTemplate): void {
  const missing = template.channel === 'sms' && template.aliyun !== undefined ? missingAliyunParam(template.aliyun) : null;
  if (missing !== null) throw conflict(`the Aliyun content uses \${${missing}}; add aliyun.params.${missing}`, `body.aliyun.params.${missing}`);
}

async function mustGet(deps: ResolvedDeps, id: string): Promise<MessageTemplate> {
  const template = await getTemplate(deps.db, id);
  if (template === null) throw notFound(`template ${id}`);
  return template;
}

async function customerFor(deps: ResolvedDeps, customerId: string | undefined, sample?: Partial<CustomerProfile>): Promise<CustomerProfile> {
  if (customerId === undefined) return { ...sampleCustomer, ...sample };
  const customer = await getCustomer(deps.db, customerId);
  if (customer === null) throw notFound(`customer ${customerId}`);
  return customer;
}

async function render(
  deps: ResolvedDeps,
  template: MessageTemplate,
  customer: CustomerProfile,
  input: { locale?: string | undefined; vars: Record<string, string> },
  now: Date,
): Promise<RenderedMessage> {
  if (deps.renderer === undefined) {
    throw new ProblemError(503, 'not-configured', 'Rendering is not configured', 'this server was started without a message renderer');
  }
  const unsubscribeUrl = consentLinks(deps.config).unsubscribeUrl(customer.id, template.channel);
  try {
    return await deps.renderer.render({ template, locale: input.locale ?? customer.locale, customer, vars: input.vars, unsubscribeUrl, now });
  } catch (error) {
    // Parses but does not render (an unknown helper…): the sender would fail the same way.
    throw new ProblemError(422, 'template-error', 'The template does not render', error instanceof Error ? error.message : String(error));
  }
}

/** The preview body: the rendered parts and, for SMS, how it is billed. */
async function preview(deps: ResolvedDeps, source: MessageTemplate, body: z.infer<typeof PreviewRequest>, now: Date) {
  assertTemplateParses(source, 'template');
  const template = await withCompiledMjml(source, 'template');
  const customer = await customerFor(deps, body.customerId, body.sample);
  const rendered = await render(deps, template, customer, body, now);
  const sms = template.channel === 'sms' ? { sms: smsSegments(rendered.body ?? '') } : {};
  return { channel: template.channel, ...rendered, ...sms };
}

const templateError = { description: 'The template does not parse or render; `errors[]` give each error’s part, line and column.', schema: Problem, contentType: 'application/problem+json' };

const notConfigured = { description: 'This server has no message renderer.', schema: Problem, contentType: 'application/problem+json' };

const limited = { description: 'Over the key’s test-send rate; see Retry-After.', schema: Problem, contentType: 'application/problem+json' };
const suppressedTarget = {
  description: 'The address or number is suppressed (unsubscribed, STOP, bounced…), or is not for the template’s channel (a number for an email template, or the reverse).',
  schema: Problem,
  contentType: 'application/problem+json',
};

// Test sends reach real inboxes and phones: a few a minute per key, per API process.
const testSendLimiters = new WeakMap<object, RateLimiter>();
function testSendLimiter(deps: ResolvedDeps): RateLimiter {
  let limiter = testSendLimiters.get(deps.db);
  if (limiter === undefined) {
    const rate = deps.config.testSendRate ?? { perMinute: 10, burst: 5 };
    limiter = new RateLimiter(rate.perMinute / 60, rate.burst);
    testSendLimiters.set(deps.db, limiter);
  }
  return limiter;
}

export const templateRoutes = [
  defineRoute({
    operationId: 'listTemplates',
    method: 'get',
    path: '/templates',
    tag: 'Templates',
    summary: 'List message templates',
    access: readers,
    query: TemplateQuery,
    responses: { 200: { description: 'A page of templates, by id.', schema: TemplatePage } },
    async handler({ query, deps }) {
      const { limit, cursor, channel } = query;
      return { status: 200, body: await listTemplates(deps.db, { channel }, { limit, cursor }) };
    },
  }),
  defineRoute({
    operationId: 'createTemplate',
    method: 'post',
    path: '/templates',
    tag: 'Templates',
    summary: 'Create a message template',
    description: 'Email versions need subject, html and text; SMS versions a body. An email version with `mjml` has its html compiled from it (what was sent as html is replaced).',
    access: writers,
    body: Template,
    responses: { 201: { description: 'Created.', schema: TemplateRecord }, 422: templateError },
    async handler({ body, deps, now }) {
      checkAliyun(body);
      assertTemplateParses(body, 'body');
      const created = await createTemplate(deps.db, await withCompiledMjml(body, 'body'), now);
      if (created === null) throw conflict(`template ${body.id} already exists`, 'body.id');
      return { status: 201, body: created };
    },
  }),
  // Before /templates/:id, so that `/templates/preview` is its own path (its Allow header too).
  defineRoute({
    operationId: 'previewDraftTemplate',
    method: 'post',
    path: '/templates/preview',
    tag: 'Templates',
    summary: 'Render a template as edited, before saving it',
    description: 'The template studio’s live preview: the same renderer as sends, for a sample or a chosen customer. Syntax errors come back as a 422 with each error’s line and column. Saves and sends nothing.',
    access: readers,
    body: DraftPreviewRequest,
    responses: { 200: { description: 'The rendered message.', schema: Preview }, 422: templateError, 503: notConfigured },
    async handler({ body, deps, now }) {
      const { template, ...options } = body;
      return { status: 200, body: await preview(deps, template, options, now) };
    },
  }),
  defineRoute({
    operationId: 'getTemplate',
    method: 'get',
    path: '/templates/:id',
    tag: 'Templates',
    summary: 'Get a message template',
    access: readers,
    params: TemplateParams,
    responses: { 200: { description: 'The template.', schema: TemplateRecord } },
    async handler({ params, deps }) {
      const record = await getTemplateRecord(deps.db, params.id);
      if (record === null) throw notFound(`template ${params.id}`);
      return { status: 200, body: record };
    },
  }),
  defineRoute({
    operationId: 'replaceTemplate',
    method: 'put',
    path: '/templates/:id',
    tag: 'Templates',
    summary: 'Replace a message template (all locales)',
    description: 'Running journeys send the new text from their next message on.',
    access: writers,
    params: TemplateParams,
    body: Template,
    responses: { 200: { description: 'Replaced.', schema: TemplateRecord }, 422: templateError },
    async handler({ params, body, deps, now }) {
      if (body.id !== params.id) throw conflict(`body.id must be ${params.id}, the template in the URL`, 'body.id');
      assertTemplateParses(body, 'body');
      const existing = await getTemplate(deps.db, params.id);
      if (existing !== null && existing.channel !== body.channel) {
        throw conflict(`template ${params.id} is an ${existing.channel} template; create a new one for ${body.channel}`, 'body.channel');
      }
      checkAliyun(body);
      const replaced = await replaceTemplate(deps.db, await withCompiledMjml(body, 'body'), now);
      if (replaced === null) throw notFound(`template ${params.id}`);
      return { status: 200, body: replaced };
    },
  }),
  defineRoute({
    operationId: 'deleteTemplate',
    method: 'delete',
    path: '/templates/:id',
    tag: 'Templates',
    summary: 'Delete a message template',
    description: 'Refused while a published or paused journey sends it.',
    access: writers,
    params: TemplateParams,
    responses: { 204: { description: 'Deleted.' } },
    async handler({ params, deps }) {
      const using = await journeysUsingTemplate(deps.db, params.id);
      if (using.length > 0) throw conflict(`template ${params.id} is used by journey ${using.join(', ')}`);
      if (!(await deleteTemplate(deps.db, params.id))) throw notFound(`template ${params.id}`);
      return { status: 204 };
    },
  }),
  defineRoute({
    operationId: 'previewTemplate',
    method: 'post',
    path: '/templates/:id/preview',
    tag: 'Templates',
    summary: 'Render a template for a sample or a chosen customer',
    description: 'Email: subject, HTML and text. SMS: the body and how many segments it is billed as. Sends nothing.',
    access: readers,
    params: TemplateParams,
    body: PreviewRequest,
    responses: { 200: { description: 'The rendered message.', schema: Preview }, 422: templateError, 503: notConfigured },
    async handler({ params, body, deps, now }) {
      return { status: 200, body: await preview(deps, await mustGet(deps, params.id), body, now) };
    },
  }),
  defineRoute({
    operationId: 'getTemplateUsage',
    method: 'get',
    path: '/templates/:id/usage',
    tag: 'Templates',
    summary: 'Which journeys and steps send a template, and who may still receive it',
    description: 'Journeys that are not archived, with the steps of their draft and of their latest published version that send it; for live journeys, how many customers wait at a step from which a sending step can be reached (they would receive an edit).',
    access: readers,
    params: TemplateParams,
    responses: { 200: { description: 'The journeys using it.', schema: TemplateUsage } },
    async handler({ params, deps }) {
      await mustGet(deps, params.id);
      const journeys = await templateUsage(deps.db, params.id);
      return { status: 200, body: { templateId: params.id, journeys, waiting: journeys.reduce((sum, j) => sum + j.waiting, 0) } };
    },
  }),
  defineRoute({
    operationId: 'testSendTemplate',
    method: 'post',
    path: '/templates/:id/test-send',
    tag: 'Templates',
    summary: 'Send a test of a template to an address or number',
    description:
      'Rendered like a preview; the email subject is prefixed with [Test]. Not recorded in the ledger. A suppressed ' +
      'address or number (unsubscribed, STOP, bounced) is refused, as journeys would. Limited per key (default 10 a ' +
      'minute, 5 at once).',
    access: writers,
    params: TemplateParams,
    body: TestSendRequest,
    responses: { 200: { description: 'Handed to the provider.', schema: TestSendResult }, 409: suppressedTarget, 429: limited, 503: notConfigured },
    async handler({ params, body, deps, now, principal }) {
      const template = await mustGet(deps, params.id);
      // `to` is an address or a number (the schema checks which); the template's channel picks one.
      if (!(template.channel === 'email' ? Email : Phone).safeParse(body.to).success) {
        throw conflict(`template ${template.id} is ${template.channel === 'email' ? 'an email template: send it to an email address' : 'an SMS template: send it to an E.164 number, e.g. +14155550100'}`, 'body.to');
      }
      const suppression = await getSuppression(deps.db, template.channel, body.to);
      if (suppression !== null) throw conflict(`${body.to} is suppressed (${suppression.reason}): test sends respect suppressions like journeys do`, 'body.to');
      const wait = testSendLimiter(deps).take(principal?.keyId ?? 'anonymous', 1, now.getTime());
      if (wait > 0) {
        throw new ProblemError(429, 'rate-limited', 'Too many test sends', `this key is over its test-send rate; retry in ${wait} s`, undefined, { 'Retry-After': String(wait) });
      }
      const customer = await customerFor(deps, body.customerId);
      const rendered = await render(deps, template, customer, body, now);
      const providerId =
        template.channel === 'email'
          ? (await deps.mailer.send({ to: body.to, subject: `[Test] ${rendered.subject ?? ''}`, html: rendered.html, text: rendered.text })).messageId
          : (await deps.sms.send({ to: body.to, body: rendered.body ?? '' })).sid;
      return { status: 200, body: { channel: template.channel, to: body.to, locale: rendered.locale, providerId } };
    },
  }),
];
