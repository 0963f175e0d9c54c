import type { Db } from 'mongodb';
import { WECOM_EXTERNAL_USER_ATTRIBUTE, WECOM_OWNER_ATTRIBUTE, WECOM_REMINDERS_PER_DAY } from '../journey/nodes/wecom.ts';
import type { WecomOutcome } from '../journey/nodes/wecom.ts';
import { getCustomer } from '../store/customers.ts';
import { claimEffect, findEffect, settleEffect } from '../store/messages.ts';
import { activityNow } from './clock.ts';
import { isPermanent, permanent } from './errors.ts';
import { guardedFetch, type Resolve } from './net-guard.ts';
import { contextFor, render } from './render.ts';
import { createTaskAction } from './task.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/** WeCom's server API (the public service). */
export const WECOM_API_URL = 'https://qyapi.weixin.qq.com';

/** How WeCom customer contact (客户联系) is reached. */
export interface WecomOptions {
  /** A base URL the operator configured (e.g. the embedded sandbox): trusted, so loopback is allowed. Otherwise the public API, through the SSRF guard. */
  baseUrl?: string;
  /** The corp id and the customer-contact secret (客户联系 Secret) that `gettoken` takes. */
  corpId?: string;
  secret?: string;
  resolve?: Resolve;
  timeoutMs?: number;
  /** The shop's home page (`{{shopUrl}}` in templates). */
  shopUrl: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** WeCom's answer to any call. */
interface Answer {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

/** Access tokens by base URL and corp, until shortly before they expire (WeCom: 7,200 s). */
const tokens = new Map<string, { token: string; until: number }>();

/** Error codes of a token WeCom no longer takes: fetch a new one and call again. */
const staleToken = [40014, 42001];
/** Error codes of wrong credentials: no retry can fix them. */
const badCredentials = [40001, 40013, 40056, 41002, 41004, 48002, 60020];

class WecomClient {
  readonly #base: string;
  readonly #options: WecomOptions & { corpId: string; secret: string };

  constructor(options: WecomOptions & { corpId: string; secret: string }) {
    this.#options = options;
    this.#base = options.baseUrl ?? WECOM_API_URL;
  }

  async #request(path: string, query: Record<string, string>, body?: unknown): Promise<Answer> {
    const url = new URL(path, this.#base);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const init = {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? '' : JSON.stringify(body),
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
    };
    const guard = { allowPrivateNetworks: this.#options.baseUrl !== undefined, ...(this.#options.resolve ? { resolve: this.#options.resolve } : {}) };
    const response = await guardedFetch(url, init, guard);
    const text = await response.text();
    if (response.status >= 500 || response.status === 429) throw new Error(`WeCom answered HTTP ${response.status} to ${path}: ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text) as Answer;
    } catch {
      throw permanent('WebhookRejected', `WeCom answered HTTP ${response.status} to ${path} with no JSON: ${text.slice(0, 200)}`);
    }
  }

  async #token(): Promise<string> {
    const id = `${this.#base}\n${this.#options.corpId}`;
    const cached = tokens.get(id);
    if (cached && cached.until > Date.now()) return cached.token;
    const answer = await this.#request('/cgi-bin/gettoken', { corpid: this.#options.corpId, corpsecret: this.#options.secret });
    if (answer.errcode !== 0 || typeof answer['access_token'] !== 'string') this.#fail('gettoken', answer);
    const seconds = typeof answer['expires_in'] === 'number' ? answer['expires_in'] : 7200;
    tokens.set(id, { token: answer['access_token'], until: Date.now() + Math.max(60, seconds - 300) * 1000 });
    return answer['access_token'];
  }

  #fail(path: string, answer: Answer): never {
    const code = answer.errcode ?? -1;
    const what = `WeCom ${path} answered error ${code}: ${answer.errmsg ?? ''}`;
    if (badCredentials.includes(code)) throw permanent('InvalidConfig', `${what}; check WAYMARK_WECOM_CORP_ID and WAYMARK_WECOM_CORP_SECRET (the customer-contact secret)`);
    // -1 (busy) and 45009 (too many calls) pass; anything else is a refusal of this request.
    if (code === -1 || code === 45009) throw new Error(what);
    throw permanent('WebhookRejected', what);
  }

  /** Calls `/cgi-bin/externalcontact/{name}` with a fresh token, once more after a stale one. */
  async call(name: string, body: unknown): Promise<Answer> {
    const path = `/cgi-bin/externalcontact/${name}`;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.#request(path, { access_token: await this.#token() }, body);
      if (answer.errcode === 0) return answer;
      if (attempt === 0 && staleToken.includes(answer.errcode ?? -1)) {
        tokens.delete(`${this.#base}\n${this.#options.corpId}`);
        continue;
      }
      this.#fail(name, answer);
    }
  }
}

/** A task of `owner` created at or after `since` whose text is `content` and that reaches `externalUserId` (a retry after a crash mid-call). */
async function findCreatedTask(client: WecomClient, owner: string, externalUserId: string, content: string, since: number, now: number): Promise<string | undefined> {
  const list = await client.call('get_groupmsg_list_v2', {
    chat_type: 'single',
    start_time: Math.floor(since / 1000) - 60,
    end_time: Math.ceil(now / 1000) + 60,
    creator: owner,
    filter_type: 2,
    limit: 100,
  });
  const tasks = (list['group_msg_list'] ?? []) as Array<{ msgid: string; text?: { content?: string } }>;
  for (const task of tasks.filter((t) => t.text?.content === content)) {
    if ((await sendStatus(client, task.msgid, owner, externalUserId)) !== undefined) return task.msgid;
  }
  return undefined;
}

/** The send status of `externalUserId` in task `msgid` (0 unsent, 1 sent, 2 not a contact or failed, 3 capped), or undefined when not in it. */
async function sendStatus(client: WecomClient, msgid: string, owner: string, externalUserId: string): Promise<number | undefined> {
  const answer = await client.call('get_groupmsg_send_result', { msgid, userid: owner, limit: 1000 });
  const list = (answer['send_list'] ?? []) as Array<{ external_userid?: string; status?: number }>;
  return list.find((entry) => entry.external_userid === externalUserId)?.status;
}

/**
 * Reminds the owner of task `msgid` if the k-th reminder (every `everyHours` after the task) is
 * due and WeCom's 3 a day allow it. Each reminder is an effect of its own (`{key}#remind-{k}`),
 * so a retried check never reminds twice, and the last reminders' times are read from the ledger.
 */
async function remindIfDue(db: Db, client: WecomClient, key: string, msgid: string, createdAt: number, everyHours: number, checkEveryMs: number, now: number): Promise<void> {
  const due = Math.floor((now - createdAt) / (everyHours * HOUR));
  if (due < 1) return;
  // Earlier reminders may have gone out late (at the check after they were due): read every one
  // due within a day and a check interval of now.
  const back = Math.min(due - 1, Math.ceil((DAY + checkEveryMs) / (everyHours * HOUR)));
  const recent = await Promise.all(Array.from({ length: back }, (_, i) => findEffect(db, `${key}#remind-${due - 1 - i}`)));
  const lastDay = recent.filter((effect) => effect !== null && effect.status === 'done' && Date.parse(effect.updatedAt) > now - DAY).length;
  if (lastDay >= WECOM_REMINDERS_PER_DAY) return;
  const { effect } = await claimEffect(db, { key: `${key}#remind-${due}`, kind: 'wecomReminder' }, new Date(now));
  if (effect.status !== 'pending') return;
  await client.call('remind_groupmsg_send', { msgid });
  await settleEffect(db, `${key}#remind-${due}`, 'done', msgid, new Date(activityNow()));
}

/**
 * One check of a WeCom 1:1 outreach step. The first creates the mass-send task for the
 * customer's owner (`add_msg_template`, once per run, step and visit: the effect ledger holds its
 * msgid); every check reads the send result and answers `ok` with `wecomOutcome` (`sent`,
 * `capped`; `notConfirmed` once the deadline passed, after cancelling the task and opening the
 * CS task) or `deferred` until the next check, reminding the owner on the way.
 */
export async function wecomOutreachAction(db: Db, request: ActionRequest<'wecom'>, options: WecomOptions): Promise<ActionOutcome> {
  const { action, customerId, journeyId } = request;
  const { config } = action;
  const key = action.idempotencyKey;
  if (!options.corpId || !options.secret) {
    throw permanent('InvalidConfig', 'WeCom customer contact is not configured: set WAYMARK_WECOM_CORP_ID and WAYMARK_WECOM_CORP_SECRET');
  }
  const client = new WecomClient({ ...options, corpId: options.corpId, secret: options.secret });
  const customer = await getCustomer(db, customerId);
  if (customer === null) throw permanent('CustomerNotFound', `customer ${customerId} no longer exists`);
  const owner = customer.attributes[WECOM_OWNER_ATTRIBUTE];
  const externalUserId = customer.attributes[WECOM_EXTERNAL_USER_ATTRIBUTE];
  if (typeof owner !== 'string' || owner === '' || typeof externalUserId !== 'string' || externalUserId === '') {
    throw permanent('MissingContact', `customer ${customerId} has no WeCom owner and external contact (attributes ${WECOM_OWNER_ATTRIBUTE} and ${WECOM_EXTERNAL_USER_ATTRIBUTE})`);
  }

  const now = activityNow();
  const { effect, created } = await claimEffect(db, { key, kind: 'wecom', customerId, journeyId }, new Date(now));
  if (effect.status === 'failed') throw permanent('WebhookRejected', effect.result ?? `WeCom task ${key} failed`);
  const createdAt = Date.parse(effect.createdAt);
  let msgid = effect.status === 'done' ? effect.result : undefined;
  if (msgid === undefined) {
    const failed = async (error: unknown): Promise<never> => {
      if (isPermanent(error)) await settleEffect(db, key, 'failed', error.message, new Date(activityNow()));
      throw error;
    };
    let content: string;
    try {
      content = render(config.content, contextFor(customer, request, now, options.shopUrl), 'text');
    } catch (error) {
      return failed(error);
    }
    // A claim older than this attempt: an earlier one may have created the task and died before recording it.
    const earlier = !created ? await findCreatedTask(client, owner, externalUserId, content, createdAt, now).catch(failed) : undefined;
    if (earlier !== undefined) {
      msgid = earlier;
    } else {
      const answer = await client.call('add_msg_template', { chat_type: 'single', external_userid: [externalUserId], sender: owner, text: { content } }).catch(failed);
      if (typeof answer['msgid'] !== 'string') return failed(permanent('WebhookRejected', 'WeCom add_msg_template answered without a msgid'));
      if (((answer['fail_list'] ?? []) as string[]).includes(externalUserId)) {
        return failed(permanent('MissingContact', `customer ${customerId} is not an external contact of ${owner} in WeCom`));
      }
      msgid = answer['msgid'];
    }
    await settleEffect(db, key, 'done', msgid, new Date(activityNow()));
  }

  const status = await sendStatus(client, msgid, owner, externalUserId);
  const done = (outcome: WecomOutcome, variables: Record<string, string> = {}): ActionOutcome => ({ outcome: 'ok', variables: { wecomOutcome: outcome, wecomMsgId: msgid, ...variables } });
  if (status === 1) return done('sent');
  if (status === 3) return done('capped');
  if (status === 2) throw permanent('MissingContact', `WeCom could not send to customer ${customerId}: not a contact of ${owner} any more, or the send failed`);

  const deadline = createdAt + config.deadlineHours * HOUR;
  if (now >= deadline) {
    // Stop the task so the owner cannot send it after the CS task took over.
    await client.call('cancel_groupmsg_send', { msgid }).catch((error: unknown) => {
      if (!isPermanent(error)) throw error;
    });
    const escalation = await createTaskAction(db, { ...request, action: { ...action, kind: 'task', config: config.escalation, idempotencyKey: `${key}#escalation` } }, options.shopUrl);
    return done('notConfirmed', escalation.outcome === 'ok' ? (escalation.variables ?? {}) : {});
  }
  await remindIfDue(db, client, key, msgid, createdAt, config.remindEveryHours, config.checkEveryMinutes * 60_000, now);
  return { outcome: 'deferred', until: Math.min(now + config.checkEveryMinutes * 60_000, deadline) };
}
