import Handlebars from 'handlebars';
import type { CustomerProfile } from '../journey/index.ts';
import { permanent } from './errors.ts';

/**
 * Handlebars rendering for messages, tasks and webhooks. One isolated instance with a few
 * helpers; compiled templates are cached by source (templates are few and immutable once
 * published).
 */
const handlebars = Handlebars.create();

handlebars.registerHelper('money', (amount: unknown, currency: unknown) => {
  if (typeof amount !== 'number') return '';
  const code = typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'USD';
  return new Intl.NumberFormat('en', { style: 'currency', currency: code }).format(amount);
});
handlebars.registerHelper('date', (value: unknown) => {
  const time = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isNaN(time) ? '' : new Date(time).toISOString().slice(0, 10);
});
// JSON-escapes a value for webhook bodies that are not JSON before rendering (see webhook.ts).
handlebars.registerHelper('json', (value: unknown) => (typeof value === 'string' ? JSON.stringify(value).slice(1, -1) : JSON.stringify(value ?? null)));
handlebars.registerHelper('default', (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value));

const cache = new Map<string, HandlebarsTemplateDelegate>();

function compiled(source: string, escape: boolean): HandlebarsTemplateDelegate {
  const cacheKey = `${escape ? 'h' : 't'}:${source}`;
  let template = cache.get(cacheKey);
  if (template === undefined) {
    template = handlebars.compile(source, { noEscape: !escape, strict: false });
    cache.set(cacheKey, template);
  }
  return template;
}

/**
 * The customer as templates see it (`customer.*`): the stored profile (`customer.computed.*`
 * included) plus its lifecycle context flattened for marketers (`customer.stage`,
 * `customer.rfmCell`, `customer.clv`, `customer.daysSinceLastPurchase`...).
 */
export type CustomerContext = CustomerProfile & {
  firstName: string;
  stage: string;
  rfmCell: string;
  valueTier: string;
  clv: number | null;
  predictedClv: number | null;
  orderCount: number;
  totalSpend: number;
  lastPurchaseAt: string;
  daysSinceLastPurchase: number | null;
  nps: number | null;
};

/** What every message is rendered with. */
export interface RenderContext {
  customer: CustomerContext;
  /** Run variables, e.g. `vars.couponCode`. */
  vars: Record<string, string>;
  journey: { id: string; name: string };
  /** The shop's home page, for calls to action. */
  shopUrl: string;
  unsubscribeUrl?: string;
}

/** The customer as templates see it, at `now`. */
export function customerContext(customer: CustomerProfile, now: number): CustomerContext {
  const c = customer.computed;
  const last = c.lastPurchaseAt ? Date.parse(c.lastPurchaseAt) : Number.NaN;
  return {
    ...customer,
    firstName: customer.name?.split(/\s+/)[0] ?? '',
    stage: c.stage,
    rfmCell: c.rfm?.cell ?? '',
    valueTier: c.valueTier ?? '',
    clv: c.clv?.historical ?? null,
    predictedClv: c.clv?.predicted ?? null,
    orderCount: c.orderCount,
    totalSpend: c.totalSpend,
    lastPurchaseAt: c.lastPurchaseAt ?? '',
    daysSinceLastPurchase: Number.isNaN(last) ? null : Math.floor((now - last) / 86_400_000),
    nps: c.nps ?? null,
  };
}

/** The render context of an action step for a customer at `now`. */
export function contextFor(
  customer: CustomerProfile,
  request: { journeyId: string; journeyName: string; action: { variables: Record<string, string> } },
  now: number,
  shopUrl: string,
  unsubscribeUrl?: string,
): RenderContext {
  return {
    customer: customerContext(customer, now),
    vars: request.action.variables,
    journey: { id: request.journeyId, name: request.journeyName },
    shopUrl,
    ...(unsubscribeUrl === undefined ? {} : { unsubscribeUrl }),
  };
}

/**
 * Renders `source` with `context`. `html` escapes values (email HTML); `text` does not (subjects,
 * SMS, plain text, task titles). A template that does not compile is a permanent failure.
 */
export function render(source: string, context: object, mode: 'html' | 'text'): string {
  try {
    return compiled(source, mode === 'html')(context);
  } catch (error) {
    throw permanent('TemplateError', `template does not render: ${error instanceof Error ? error.message : String(error)}`);
  }
}
