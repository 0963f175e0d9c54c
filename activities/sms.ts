import type { Db } from 'mongodb';
import { aliyunNumber, smsSegments } from '../journey/index.ts';
import { classifyTwilioError, permanent } from './errors.ts';
import { deliver } from './deliver.ts';
import { noSendJournal } from './send-journal.ts';
import type { SendJournal } from './send-journal.ts';
import { contextFor, render } from './render.ts';
import { aliyunDetails, aliyunNotBefore, aliyunOutId, aliyunRefusal, classifyAliyunError, findAliyunSend, renderAliyunMessage } from './sms-aliyun.ts';
import type { AliyunSmsClient } from './sms-aliyun.ts';
import { loadTemplate, pickLocale } from './templates.ts';
import type { TemplateSource } from './templates.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/** The part of the twilio client the SMS step uses (`twilio(sid, token)` satisfies it). */
export interface TwilioMessages {
  messages: {
    create(options: { to: string; from: string; body: string; statusCallback?: string }): Promise<{ sid: string }>;
    /** Twilio's Messages list, newest first (`To=` filter). */
    list(options: { to: string; limit: number }): Promise<Array<{ sid: string; body: string; dateCreated: Date }>>;
  };
}

/**
 * The status-callback URL with the ledger key: Twilio echoes the URL back with every status
 * report, so a report names its message even when the ledger has no provider id yet.
 */
export function statusCallbackFor(url: string, key: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;
}

export interface SmsDeps {
  client: TwilioMessages;
  /** Sender number or messaging service id. */
  from: string;
  /** Where Twilio reports delivery (the API's status webhook); omitted when there is none. */
  statusCallbackUrl?: string;
  /** The shop's home page (`{{shopUrl}}` in templates). */
  shopUrl: string;
  /** Sends the provider accepted, kept locally until the ledger has them (see send-journal.ts). */
  journal?: SendJournal;
  /** When set, journey SMS go through Aliyun SMS instead of Twilio (`SMS_PROVIDER=aliyun`). */
  aliyun?: AliyunSmsClient;
}

/**
 * Sends an SMS step with the real twilio client: the template's body in the customer's language,
 * with the encoding (GSM-7 or UCS-2) and the number of billed segments recorded in the ledger.
 */
export function sendSmsAction(db: Db, deps: SmsDeps, templates: TemplateSource, request: ActionRequest<'sms'>): Promise<ActionOutcome> {
  if (deps.aliyun !== undefined) return sendAliyunSms(db, deps, deps.aliyun, templates, request);
  const { action } = request;
  return deliver(db, deps.journal ?? noSendJournal, request, {
    channel: 'sms',
    address: (customer) => customer.phone,
    async prepare(customer, now) {
      const template = await loadTemplate(templates, action.config.templateId, 'sms');
      const { locale, message } = pickLocale(template, customer.locale, action.fallbackLocale);
      if (!message.body) throw permanent('TemplateError', `template ${template.id} (${locale}) lacks a body`);
      const context = contextFor(customer, request, now, deps.shopUrl);
      const body = render(message.body, context, 'text').trim();
      if (body === '') throw permanent('TemplateError', `template ${template.id} (${locale}) renders an empty SMS`);
      return { body, locale };
    },
    async send(message, to) {
      try {
        const sent = await deps.client.messages.create({
          to,
          from: deps.from,
          body: message.body,
          ...(deps.statusCallbackUrl ? { statusCallback: statusCallbackFor(deps.statusCallbackUrl, action.idempotencyKey) } : {}),
        });
        const { encoding, segments, characters } = smsSegments(message.body);
        return { providerId: sent.sid, details: { encoding, segments, characters, locale: message.locale } };
      } catch (error) {
        throw classifyTwilioError(error);
      }
    },
    // Twilio can be asked: the messages to this number since the record was made, matched on
    // the body this attempt would send (the same template, customer and variables).
    async lookup({ to, message, since }) {
      try {
        const recent = await deps.client.messages.list({ to, limit: 50 });
        const found = recent.find((m) => m.body === message.body && m.dateCreated.getTime() >= since);
        return found?.sid ?? null;
      } catch (error) {
        throw classifyTwilioError(error);
      }
    },
  });
}

/**
 * Sends an SMS step through Aliyun SMS: the template's approved sign name and template code with
 * the customer's variables, `OutId` = the ledger key. A takeover asks `QuerySendDetails` for that
 * `OutId` before sending again; promotional templates wait for 08:00–21:00 customer time.
 */
function sendAliyunSms(db: Db, deps: SmsDeps, client: AliyunSmsClient, templates: TemplateSource, request: ActionRequest<'sms'>): Promise<ActionOutcome> {
  const { action } = request;
  return deliver(db, deps.journal ?? noSendJournal, request, {
    channel: 'sms',
    address: (customer) => customer.phone,
    async prepare(customer, now) {
      const template = await loadTemplate(templates, action.config.templateId, 'sms');
      const { locale } = pickLocale(template, customer.locale, action.fallbackLocale);
      return renderAliyunMessage(template, contextFor(customer, request, now, deps.shopUrl), locale);
    },
    notBefore: aliyunNotBefore,
    async send(message, to) {
      let answer: Awaited<ReturnType<AliyunSmsClient['sendSms']>>;
      try {
        answer = await client.sendSms({
          phoneNumbers: aliyunNumber(to),
          signName: message.signName,
          templateCode: message.templateCode,
          templateParam: JSON.stringify(message.templateParam),
          outId: aliyunOutId(action.idempotencyKey),
        });
      } catch (error) {
        throw classifyAliyunError(error);
      }
      if (answer.code !== 'OK') throw aliyunRefusal(answer.code, answer.message);
      return { providerId: answer.bizId ?? `aliyun:${action.idempotencyKey}`, details: aliyunDetails(message) };
    },
    async lookup({ key, to, since }) {
      try {
        return await findAliyunSend(client, { key, to, since, now: Date.now() });
      } catch (error) {
        throw classifyAliyunError(error);
      }
    },
  });
}
