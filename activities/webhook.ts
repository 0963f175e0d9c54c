import type { Db } from 'mongodb';
import { getCustomer } from '../store/customers.ts';
import { claimEffect, settleEffect } from '../store/messages.ts';
import { activityNow } from './clock.ts';
import { classifyHttpStatus, isPermanent, permanent } from './errors.ts';
import { faultPoint } from './fault.ts';
import { guardedFetch, type Resolve } from './net-guard.ts';
import { contextFor, render } from './render.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/** How webhooks are called; tests allow loopback receivers, production does not. */
export interface WebhookOptions {
  /** Allow loopback, private and link-local targets (tests, or an intranet robot on purpose). */
  allowPrivateNetworks: boolean;
  /** How names resolve for the public-address check (tests). */
  resolve?: Resolve;
  timeoutMs?: number;
  /** The shop's home page (`{{shopUrl}}` in templates). */
  shopUrl: string;
}

/**
 * Renders a JSON body template. A template that is valid JSON (`{"msgtype":"text","text":
 * {"content":"Hi {{customer.name}}"}}`) has each string rendered on its own, so values can never
 * break the JSON; otherwise the whole text is rendered with JSON string escaping and must parse.
 */
export function renderJsonBody(template: string, context: object): unknown {
  if (template.trim() === '') return context;
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    const escaped = template.replace(/\{\{\{?\s*(?![#/^!>]|else\b)([^}]+?)\s*\}?\}\}/g, '{{{json $1}}}');
    const text = render(escaped, context, 'text');
    try {
      return JSON.parse(text);
    } catch (error) {
      throw permanent('TemplateError', `webhook body is not JSON after rendering: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return render(value, context, 'text');
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk(parsed);
}

/**
 * Posts the rendered JSON once per run, node and visit: the effect ledger records the call and
 * an `Idempotency-Key` header lets receivers drop a resend from the at-least-once window.
 * 5xx, 429 and network errors retry; other 4xx are permanent.
 */
export async function callWebhookAction(db: Db, request: ActionRequest<'webhook'>, options: WebhookOptions): Promise<ActionOutcome> {
  const { action, customerId, journeyId } = request;
  const key = action.idempotencyKey;
  const now = activityNow();
  const { effect } = await claimEffect(db, { key, kind: 'webhook', customerId, journeyId }, new Date(now));
  if (effect.status === 'done') return { outcome: 'ok', duplicate: true };
  if (effect.status === 'failed') throw permanent('WebhookRejected', effect.result ?? `webhook ${key} failed`);
  const customer = await getCustomer(db, customerId);
  if (customer === null) throw permanent('CustomerNotFound', `customer ${customerId} no longer exists`);
  const url = new URL(action.config.url);
  const context = contextFor(customer, request, now, options.shopUrl);
  const init = {
    method: action.config.method,
    headers: { ...action.config.headers, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(renderJsonBody(action.config.body, context)),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  };
  const failed = async (error: unknown): Promise<never> => {
    if (isPermanent(error)) await settleEffect(db, key, 'failed', error.message, new Date(activityNow()));
    throw error;
  };
  const guard = { allowPrivateNetworks: options.allowPrivateNetworks, ...(options.resolve ? { resolve: options.resolve } : {}) };
  const response = await guardedFetch(url, init, guard).catch(failed);
  const text = await response.text().catch(() => '');
  if (!response.ok) await failed(classifyHttpStatus(response.status, url.origin, text));
  faultPoint('webhook');
  await settleEffect(db, key, 'done', `HTTP ${response.status}`, new Date(activityNow()));
  return { outcome: 'ok' };
}
