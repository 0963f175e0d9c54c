import { createHash, createHmac } from 'node:crypto';
import type { Db } from 'mongodb';
import { WECOM_TEXT_BYTES, robotPlatformNames } from '../journey/nodes/robot.ts';
import type { RobotConfig, RobotPlatform } from '../journey/nodes/robot.ts';
import { getCustomer } from '../store/customers.ts';
import { claimEffect, settleEffect } from '../store/messages.ts';
import { releaseRobotSlot, takeRobotSlot } from '../store/robot-slots.ts';
import { activityNow } from './clock.ts';
import { isPermanent, permanent } from './errors.ts';
import { guardedFetch, type Resolve } from './net-guard.ts';
import { contextFor, render } from './render.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/** Where each platform's robot API lives (the public services). */
export const robotBaseUrls: Record<RobotPlatform, string> = {
  wecom: 'https://qyapi.weixin.qq.com',
  dingtalk: 'https://oapi.dingtalk.com',
  feishu: 'https://open.feishu.cn',
};

/** How group robots are reached. */
export interface RobotOptions {
  /**
   * Base URLs the operator configured (e.g. the embedded robot sandbox): trusted, so a loopback
   * or private address is allowed for them. Platforms not listed use the public service, through
   * the SSRF guard.
   */
  baseUrls?: Partial<Record<RobotPlatform, string>>;
  /** Messages per robot per window (the platforms allow about 20 a minute). */
  perMinute?: number;
  /** How names resolve for the public-address check (tests). */
  resolve?: Resolve;
  timeoutMs?: number;
  /** The shop's home page (`{{shopUrl}}` in templates). */
  shopUrl: string;
}

const WINDOW_MS = 60_000;
/** Added to the window: the platform's clock and ours differ, and its count starts on arrival. */
const WINDOW_MARGIN_MS = 2_000;

/** DingTalk's 加签: base64 HMAC-SHA256 keyed by the secret over `timestamp\nsecret` (timestamp in ms). */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** Feishu's signature: base64 HMAC-SHA256 keyed by `timestamp\nsecret` over nothing (timestamp in s). */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** The request one robot message becomes on its platform. */
export function robotRequest(base: string, config: RobotConfig, content: string, now: number): { url: URL; body: unknown } {
  const all = config.mentions.includes('@all');
  const people = config.mentions.filter((m) => m !== '@all');
  switch (config.platform) {
    case 'wecom': {
      const url = new URL(`/cgi-bin/webhook/send?key=${encodeURIComponent(config.token)}`, base);
      const body =
        config.format === 'text'
          ? { msgtype: 'text', text: { content, ...(config.mentions.length > 0 ? { mentioned_mobile_list: [...people, ...(all ? ['@all'] : [])] } : {}) } }
          : { msgtype: 'markdown', markdown: { content } };
      return { url, body };
    }
    case 'dingtalk': {
      const url = new URL(`/robot/send?access_token=${encodeURIComponent(config.token)}`, base);
      if (config.secret !== '') {
        url.searchParams.set('timestamp', String(now));
        url.searchParams.set('sign', dingtalkSign(now, config.secret));
      }
      const at = { atMobiles: people, isAtAll: all };
      const body = config.format === 'text' ? { msgtype: 'text', text: { content }, at } : { msgtype: 'markdown', markdown: { title: config.title, text: content }, at };
      return { url, body };
    }
    case 'feishu': {
      const url = new URL(`/open-apis/bot/v2/hook/${encodeURIComponent(config.token)}`, base);
      const seconds = Math.floor(now / 1000);
      const signed = config.secret === '' ? {} : { timestamp: String(seconds), sign: feishuSign(seconds, config.secret) };
      const mentions = config.mentions.map((m) => (m === '@all' ? '<at user_id="all">所有人</at>' : `<at user_id="${m}"></at>`)).join(' ');
      const text = mentions === '' ? content : `${content} ${mentions}`;
      const body =
        config.format === 'text'
          ? { ...signed, msg_type: 'text', content: { text } }
          : { ...signed, msg_type: 'interactive', card: { header: { title: { tag: 'plain_text', content: config.title } }, elements: [{ tag: 'markdown', content: text }] } };
      return { url, body };
    }
  }
}

/** Error codes that mean "too many messages": wait for the window, send again. */
const rateLimited: Record<RobotPlatform, readonly number[]> = { wecom: [45009], dingtalk: [130101, 410100], feishu: [11232, 9499] };
/** Error codes of a wrong key, token or signature: no retry can fix them. */
const badCredentials: Record<RobotPlatform, readonly number[]> = { wecom: [93000, 40001], dingtalk: [310000, 300001, 400102], feishu: [19021, 19001, 19022, 19024] };

/** The platform's answer: `ok`, `limited` (wait a window) or a thrown error (permanent or retryable). */
function readAnswer(platform: RobotPlatform, status: number, text: string): 'ok' | 'limited' {
  const name = robotPlatformNames[platform];
  if (status === 429) return 'limited';
  if (status >= 500 || status === 408) throw new Error(`${name} robot answered HTTP ${status}: ${text.slice(0, 200)}`);
  let answer: { errcode?: number; errmsg?: string; code?: number; msg?: string; StatusCode?: number };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw permanent('WebhookRejected', `${name} robot answered HTTP ${status} with no JSON: ${text.slice(0, 200)}`);
  }
  const code = answer.errcode ?? answer.code ?? answer.StatusCode ?? (status >= 400 ? status : 0);
  const message = answer.errmsg ?? answer.msg ?? '';
  if (code === 0 && status < 400) return 'ok';
  if (rateLimited[platform].includes(code)) return 'limited';
  if (badCredentials[platform].includes(code)) {
    throw permanent('InvalidConfig', `${name} robot refused the key, token or signature (error ${code}: ${message}); check the robot’s settings in the step`);
  }
  throw permanent('WebhookRejected', `${name} robot refused the message (error ${code}: ${message})`);
}

/**
 * Posts the step's message to its robot once per run, step and visit (the effect ledger, like
 * webhooks), within the robot's rate limit: when its slots for the last minute are taken, the
 * send answers `deferred` until one frees, and the run waits and comes back; nothing is dropped.
 */
export async function postRobotMessageAction(db: Db, request: ActionRequest<'robot'>, options: RobotOptions): Promise<ActionOutcome> {
  const { action, customerId, journeyId } = request;
  const { config } = action;
  const key = action.idempotencyKey;
  const name = robotPlatformNames[config.platform];
  const { effect } = await claimEffect(db, { key, kind: 'robot', customerId, journeyId }, new Date(activityNow()));
  if (effect.status === 'done') return { outcome: 'ok', duplicate: true };
  if (effect.status === 'failed') throw permanent('WebhookRejected', effect.result ?? `${name} robot message ${key} failed`);
  const failed = async (error: unknown): Promise<never> => {
    if (isPermanent(error)) await settleEffect(db, key, 'failed', error.message, new Date(activityNow()));
    throw error;
  };

  const customer = await getCustomer(db, customerId);
  if (customer === null) return failed(permanent('CustomerNotFound', `customer ${customerId} no longer exists`));
  const now = activityNow();
  let content: string;
  try {
    content = render(config.content, contextFor(customer, request, now, options.shopUrl), 'text');
  } catch (error) {
    return failed(error);
  }
  if (config.platform === 'wecom') {
    const bytes = Buffer.byteLength(content);
    const limit = config.format === 'text' ? WECOM_TEXT_BYTES : 4096;
    if (bytes > limit) return failed(permanent('TemplateError', `the WeCom ${config.format} message is ${bytes} bytes after rendering; WeCom allows ${limit}`));
  }

  const configured = options.baseUrls?.[config.platform];
  const base = configured ?? robotBaseUrls[config.platform];
  const robot = `${config.platform}:${createHash('sha256').update(`${base}\n${config.token}`).digest('hex').slice(0, 24)}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const perMinute = options.perMinute ?? 20;
  const windowMs = WINDOW_MS + WINDOW_MARGIN_MS;
  const slot = await takeRobotSlot(db, robot, perMinute, now, now + windowMs + timeoutMs, key);
  if (!slot.taken) return { outcome: 'deferred', until: slot.freeAt };

  const { url, body } = robotRequest(base, config, content, now);
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) };
  // An operator-configured base (the sandbox, an intranet gateway) is trusted; the public ones are guarded.
  const guard = { allowPrivateNetworks: configured !== undefined, ...(options.resolve ? { resolve: options.resolve } : {}) };
  const response = await guardedFetch(url, init, guard).catch(failed);
  const text = await response.text().catch(() => '');
  // The window counts from the platform's answer: a send that took a while holds its slot longer.
  await releaseRobotSlot(db, slot.slot, key, activityNow() + windowMs);
  const answer = await Promise.resolve()
    .then(() => readAnswer(config.platform, response.status, text))
    .catch(failed);
  if (answer === 'limited') return { outcome: 'deferred', until: activityNow() + windowMs };
  await settleEffect(db, key, 'done', `${name} ${response.status}`, new Date(activityNow()));
  return { outcome: 'ok' };
}
