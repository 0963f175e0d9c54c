import { createHash } from 'node:crypto';
import * as dysms from '@alicloud/dysmsapi20170525';
import { Config as OpenApiConfig } from '@alicloud/openapi-client';
import { aliyunNumber, aliyunSmsBilling, aliyunTemplateVariables, missingAliyunParam, nextAllowedTime } from '../journey/index.ts';
import type { AliyunSmsTemplate, MessageTemplate } from '../journey/index.ts';
import { isPermanent, permanent } from './errors.ts';
import { render } from './render.ts';

/**
 * Aliyun SMS (阿里云短信) as the SMS provider: sends an approved template with its sign name and
 * the customer's variables, `OutId` = the ledger key, and finds a send again by `QuerySendDetails`
 * (by number and date), so a takeover after a dead worker records instead of resending.
 */

/** The two calls of Aliyun's `dysmsapi` (2017-05-25) the SMS step uses. */
export interface AliyunSmsClient {
  sendSms(input: { phoneNumbers: string; signName: string; templateCode: string; templateParam: string; outId: string }): Promise<{ code: string; message: string; bizId?: string | undefined }>;
  querySendDetails(input: { phoneNumber: string; sendDate: string; pageSize: number; currentPage: number }): Promise<{
    code: string;
    message: string;
    totalCount: number;
    details: Array<{ outId?: string | undefined; phoneNum?: string | undefined; sendDate?: string | undefined }>;
  }>;
}

// The package is CommonJS with `exports.default`: under Node's ESM loader the class is one level down.
const DysmsClient = ((dysms.default as unknown as { default?: typeof dysms.default }).default ?? dysms.default) as typeof dysms.default;

/**
 * The official client (`@alicloud/dysmsapi20170525`) for an endpoint: `dysmsapi.aliyuncs.com`
 * (HTTPS) by default, or `http://127.0.0.1:8027` / `127.0.0.1:8027` (the embedded sandbox, plain HTTP on loopback).
 */
export function aliyunSmsClient(options: { accessKeyId: string; accessKeySecret: string; endpoint?: string | undefined }): AliyunSmsClient {
  const raw = options.endpoint ?? 'dysmsapi.aliyuncs.com';
  const plain = raw.startsWith('http://') || /^(127\.0\.0\.1|localhost)(:|$)/.test(raw);
  const endpoint = raw.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const client = new DysmsClient(
    new OpenApiConfig({
      accessKeyId: options.accessKeyId,
      accessKeySecret: options.accessKeySecret,
      endpoint,
      protocol: plain ? 'http' : 'https',
      connectTimeout: 5_000,
      readTimeout: 10_000,
    }) as never,
  );
  return {
    async sendSms(input) {
      const answer = await client.sendSms(new dysms.SendSmsRequest(input));
      return { code: answer.body?.code ?? '', message: answer.body?.message ?? '', bizId: answer.body?.bizId };
    },
    async querySendDetails(input) {
      const answer = await client.querySendDetails(new dysms.QuerySendDetailsRequest(input));
      const body = answer.body;
      return {
        code: body?.code ?? '',
        message: body?.message ?? '',
        totalCount: Number(body?.totalCount ?? 0),
        details: (body?.smsSendDetailDTOs?.smsSendDetailDTO ?? []).map((d) => ({ outId: d.outId, phoneNum: d.phoneNum, sendDate: d.sendDate })),
      };
    },
  };
}

/**
 * The `OutId` of a send: its ledger key, which Aliyun takes below 256 characters; a longer key
 * (long journey and customer ids) is sent as its SHA-256, the same on every attempt.
 */
export function aliyunOutId(key: string): string {
  return key.length < 256 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** Aliyun answer codes that no retry can fix, by what they mean for the message. */
const aliyunPermanent: ReadonlyArray<[RegExp, 'InvalidNumber' | 'TemplateError' | 'InvalidConfig' | 'Unsubscribed']> = [
  [/^isv\.(MOBILE_NUMBER_ILLEGAL|MOBILE_COUNT_OVER_LIMIT|PHONE_NUMBER_ILLEGAL)$/, 'InvalidNumber'],
  [/^isv\.BLACK_KEY_CONTROL_LIMIT$/, 'Unsubscribed'],
  [/^isv\.(SMS_SIGNATURE_ILLEGAL|SMS_TEMPLATE_ILLEGAL|INVALID_JSON_PARAM|PARAM_LENGTH_LIMIT|TEMPLATE_MISSING_PARAMETERS|SMS_SIGN_ILLEGAL|PARAM_NOT_SUPPORT_URL|TEMPLATE_PARAMS_ILLEGAL)$/, 'TemplateError'],
];

/**
 * Classifies an Aliyun answer or error. A `Code` other than `OK` is Aliyun's refusal: the daily
 * limit per number, template and sign name (`isv.BUSINESS_LIMIT_CONTROL` 天级) fails the message
 * clearly (`DailyLimit`); the minute and hour limits, throttling and `isp.*` are transient; a bad
 * number, sign name, template or variable is permanent. HTTP 4xx (signature, keys) is the
 * configuration; 5xx and network errors are transient.
 */
export function classifyAliyunError(error: unknown): Error {
  if (isPermanent(error)) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const status = typeof error === 'object' && error !== null && 'statusCode' in error ? Number((error as { statusCode: unknown }).statusCode) : NaN;
  const message = error instanceof Error ? error.message : String(error);
  if (status >= 400 && status < 500 && status !== 429) return permanent('InvalidConfig', `Aliyun refused the request (HTTP ${status}, ${code}): ${message}`);
  return error instanceof Error ? error : new Error(message);
}

/** An Aliyun answer whose `Code` is not `OK`, as an error of the right class. */
export function aliyunRefusal(code: string, message: string): Error {
  const text = `Aliyun ${code}: ${message}`;
  if (code === 'isv.BUSINESS_LIMIT_CONTROL') {
    // 天级 = the day's limit: no retry today can pass it. 分钟级 / 小时级: wait and retry.
    if (/天级|day/i.test(message)) return permanent('DailyLimit', `${text} (the number reached Aliyun's daily limit for this template and sign name; about 50 a day)`);
    return new Error(text);
  }
  for (const [pattern, reason] of aliyunPermanent) if (pattern.test(code)) return permanent(reason, text);
  if (code.startsWith('isv.')) return permanent('InvalidConfig', text);
  return new Error(text); // isp.SYSTEM_ERROR, Throttling.*, …: transient
}

/** One SMS rendered for Aliyun: the template's code and sign name, the variables, the text for billing. */
export interface AliyunMessage {
  signName: string;
  templateCode: string;
  templateParam: Record<string, string>;
  /** The approved content with the variables filled in (for the ledger's billing details). */
  text: string;
  promotional: boolean;
  locale: string;
}

/** Renders a template's Aliyun variables for one customer; throws a permanent TemplateError naming what is missing. */
export function renderAliyunMessage(template: MessageTemplate, context: object, locale: string): AliyunMessage {
  const aliyun: AliyunSmsTemplate | undefined = template.channel === 'sms' ? template.aliyun : undefined;
  if (aliyun === undefined) {
    throw permanent('TemplateError', `template ${template.id} has no Aliyun sign name and template code; SMS_PROVIDER=aliyun sends only templates with an "aliyun" part`);
  }
  const missing = missingAliyunParam(aliyun);
  if (missing !== null) throw permanent('TemplateError', `template ${template.id}: the Aliyun content uses \${${missing}} but aliyun.params has no ${missing}`);
  const templateParam: Record<string, string> = {};
  for (const name of aliyunTemplateVariables(aliyun.content)) templateParam[name] = render(aliyun.params[name] ?? '', context, 'text').trim();
  const text = aliyun.content.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => templateParam[name] ?? '');
  return { signName: aliyun.signName, templateCode: aliyun.templateCode, templateParam, text, promotional: aliyun.kind === 'promotional', locale };
}

/** The local hours promotional SMS may be sent in (Aliyun's marketing rule): 08:00–21:00, customer time. */
export const promotionalWindow = { from: '08:00', to: '21:00' } as const;

/** The earliest time `message` may go out: `now`, or 08:00 next for a promotional message outside its window. */
export function aliyunNotBefore(message: AliyunMessage, timezone: string, now: number): number {
  if (!message.promotional) return now;
  return nextAllowedTime(now, timezone, { start: promotionalWindow.to, end: promotionalWindow.from });
}

/** The ledger's details of an Aliyun send: provider, template, billed characters and messages. */
export function aliyunDetails(message: AliyunMessage): Record<string, string | number> {
  const { characters, segments } = aliyunSmsBilling(message.text, message.signName);
  return { provider: 'aliyun', templateCode: message.templateCode, signName: message.signName, characters, segments, locale: message.locale };
}

/** Shanghai dates (`yyyyMMdd`, Aliyun's clock) from `since` to `now`, newest first; at most 5. */
function sendDates(since: number, now: number): string[] {
  const day = (at: number) => new Date(at + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
  const dates: string[] = [];
  for (let at = now; dates.length < 5; at -= 86_400_000) {
    dates.push(day(at));
    if (day(at) <= day(since)) break;
  }
  return dates;
}

/**
 * Whether Aliyun holds the message of `key` to `to` sent since `since`: `QuerySendDetails` for
 * each date from then to now (Shanghai), 50 a page, matched on `OutId`. Returns a provider id.
 */
export async function findAliyunSend(client: AliyunSmsClient, query: { key: string; to: string; since: number; now: number }): Promise<string | null> {
  for (const sendDate of sendDates(query.since, query.now)) {
    for (let currentPage = 1; currentPage <= 20; currentPage++) {
      const answer = await client.querySendDetails({ phoneNumber: aliyunNumber(query.to), sendDate, pageSize: 50, currentPage });
      if (answer.code !== 'OK') throw aliyunRefusal(answer.code, answer.message);
      if (answer.details.some((d) => d.outId === aliyunOutId(query.key))) return `aliyun:found ${sendDate}`;
      if (currentPage * 50 >= answer.totalCount) break;
    }
  }
  return null;
}
