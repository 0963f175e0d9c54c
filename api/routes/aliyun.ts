import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { e164FromAliyun } from '../../journey/sms.ts';
import type { ResolvedDeps } from '../deps.ts';
import { markMessage, markMessageByProviderId } from '../../store/messages.ts';
import { smsReply, smsStop } from '../optOut.ts';
import { ProblemError } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { Problem } from '../wire/common.ts';

/**
 * Aliyun SMS uplink (上行短信, "SmsUp"): customers' replies, as Aliyun's HTTP batch push posts
 * them (a JSON array). Aliyun does not sign these pushes, so the URL configured in Aliyun's console
 * carries a token derived from WAYMARK_SECRET (`npm start` prints the URL).
 */

/** The token of the uplink URL: an HMAC of WAYMARK_SECRET, so it changes only with the secret. */
export function aliyunCallbackToken(secret: string): string {
  return createHmac('sha256', secret).update('aliyun-sms-uplink').digest('base64url').slice(0, 32);
}

/** The path Aliyun's console is given for SMS replies (with `?token=`). */
export const aliyunUplinkPath = '/v1/webhooks/aliyun/sms-up';
/** The path Aliyun's console is given for delivery reports (with `?token=`). */
export const aliyunReportPath = '/v1/webhooks/aliyun/sms-report';

/** The full URL of an Aliyun push endpoint, with its token, for Aliyun's console. */
export function aliyunWebhookUrl(publicUrl: string, secret: string, path: string): string {
  return `${publicUrl.replace(/\/$/, '')}${path}?token=${aliyunCallbackToken(secret)}`;
}

/** Replies that opt out: 「拒收请回复R」's R, and the usual 退订 / TD / T / N. */
const refusals = new Set(['R', 'TD', 'T', 'N', '退订', 'STOP']);

/** One reply of Aliyun's SmsUp push; Aliyun adds fields over time, so others are accepted. */
const SmsUp = z
  .object({
    phone_number: z.string().min(1).max(32),
    content: z.string().max(2_000),
    send_time: z.string().max(40).optional(),
    sign_name: z.string().max(40).optional(),
    dest_code: z.string().max(40).optional(),
    sequence_id: z.union([z.number(), z.string().max(64)]).optional(),
  })
  .catchall(z.unknown());

/** One delivery report of Aliyun's SmsReport push. */
const SmsReport = z
  .object({
    phone_number: z.string().min(1).max(32),
    success: z.boolean(),
    biz_id: z.string().max(100).optional(),
    out_id: z.string().max(300).optional(),
    err_code: z.string().max(100).optional(),
    err_msg: z.string().max(500).optional(),
    send_time: z.string().max(40).optional(),
    report_time: z.string().max(40).optional(),
    sms_size: z.string().max(10).optional(),
  })
  .catchall(z.unknown());

const received = {
  200: { description: 'Received: Aliyun’s expected answer `{"code":0,"msg":"成功"}`.', schema: z.object({ code: z.literal(0), msg: z.string() }) },
  403: { description: 'The URL’s token is not this server’s.', schema: Problem, contentType: 'application/problem+json' },
};
const ok = { code: 0 as const, msg: '成功' };

function checkToken(deps: ResolvedDeps, token: string | undefined): void {
  const expected = Buffer.from(aliyunCallbackToken(deps.config.secret));
  const given = Buffer.from(token ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ProblemError(403, 'invalid-token', 'The token does not match', 'the uplink URL’s token is not this server’s', [{ path: 'query.token', message: 'does not match' }]);
  }
}

export const aliyunRoutes = [
  defineRoute({
    operationId: 'aliyunSmsUp',
    method: 'post',
    path: '/webhooks/aliyun/sms-up',
    tag: 'Webhooks',
    summary: 'Aliyun SMS replies (SmsUp)',
    description:
      'Aliyun’s HTTP batch push of customers’ replies. R (the reply promotional SMS ask for: 「拒收请回复R」), 退订, TD, T or N suppresses the number and withdraws SMS consent; other replies become `sms_received` events. The URL must carry the token `npm start` prints.',
    access: 'public',
    query: z.object({ token: z.string().max(100).optional() }),
    body: z.array(SmsUp).max(1_000),
    responses: received,
    async handler({ body, query, deps, now }) {
      checkToken(deps, query.token);
      for (const reply of body) {
        const phone = e164FromAliyun(reply.phone_number);
        const text = reply.content.trim();
        if (refusals.has(text.toUpperCase())) await smsStop(deps, phone, now);
        else await smsReply(deps, phone, text, reply.sequence_id === undefined ? undefined : `aliyun-${String(reply.sequence_id)}`, now);
      }
      return { status: 200, body: ok };
    },
  }),
  defineRoute({
    operationId: 'aliyunSmsReport',
    method: 'post',
    path: '/webhooks/aliyun/sms-report',
    tag: 'Webhooks',
    summary: 'Aliyun SMS delivery reports (SmsReport)',
    description:
      'Aliyun’s HTTP batch push of delivery reports: moves the message’s ledger record to `delivered` (or `undelivered` with Aliyun’s error code), found by `biz_id` or else by `out_id` (the ledger key Waymark sent as `OutId`), never backward. The URL must carry the token `npm start` prints.',
    access: 'public',
    query: z.object({ token: z.string().max(100).optional() }),
    body: z.array(SmsReport).max(1_000),
    responses: received,
    async handler({ body, query, deps, now }) {
      checkToken(deps, query.token);
      for (const report of body) {
        const status = report.success ? 'delivered' : 'undelivered';
        const error = report.success ? undefined : `Aliyun ${report.err_code ?? 'error'}${report.err_msg ? `: ${report.err_msg}` : ''}`;
        const moved = report.biz_id === undefined ? null : await markMessageByProviderId(deps.db, report.biz_id, status, { error }, now);
        if (moved === null && report.out_id !== undefined) await markMessage(deps.db, report.out_id, status, { ...(report.biz_id ? { providerId: report.biz_id } : {}), error }, now);
      }
      return { status: 200, body: ok };
    },
  }),
];
