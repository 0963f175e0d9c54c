import { z } from 'zod';
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { markMessage, markMessageByProviderId } from '../../store/messages.ts';
import type { MessageStatus } from '../../store/messages.ts';
import type { ResolvedDeps } from '../deps.ts';
import { smsReply, smsStart, smsStop } from '../optOut.ts';
import { ProblemError } from '../problem.ts';
import { defineRoute } from '../route.ts';
import type { HandlerContext } from '../route.ts';

/**
 * Twilio webhooks: inbound SMS (STOP/START keywords) and delivery status callbacks. Public,
 * but every request must carry a valid `X-Twilio-Signature` for the configured auth token.
 * Their bodies are Twilio's: it adds fields over time, so unknown fields are accepted here.
 */

// Defaults to {} so an empty, unsigned request is refused for its signature, not its body.
const TwilioForm = z.record(z.string(), z.string()).default({});

/** Keywords Twilio itself treats as opt-out and opt-in (Advanced Opt-Out defaults). */
const stopWords = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const startWords = new Set(['START', 'UNSTOP', 'YES']);

function checkSignature(ctx: Pick<HandlerContext<unknown, unknown, unknown>, 'req' | 'deps'>, params: Record<string, string>): void {
  // Twilio signs the exact URL it was configured with: the public URL plus the path we serve.
  const url = `${ctx.deps.config.publicUrl.replace(/\/$/, '')}${ctx.req.originalUrl}`;
  const signature = ctx.req.get('x-twilio-signature') ?? '';
  if (signature === '' || !validateRequest(ctx.deps.config.twilioAuthToken, signature, url, params)) {
    throw new ProblemError(403, 'invalid-signature', 'Signature does not validate', 'X-Twilio-Signature does not match this request', [
      { path: 'headers.x-twilio-signature', message: 'does not match' },
    ]);
  }
}

function field(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') {
    throw new ProblemError(400, 'invalid-request', 'The request is not valid', `${name} is missing`, [{ path: `body.${name}`, message: 'required' }]);
  }
  return value;
}

const emptyTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

async function inbound(deps: ResolvedDeps, params: Record<string, string>, now: Date): Promise<void> {
  const from = field(params, 'From');
  const text = (params['Body'] ?? '').trim();
  const keyword = text.toUpperCase();
  if (stopWords.has(keyword)) await smsStop(deps, from, now);
  else if (startWords.has(keyword)) await smsStart(deps, from, now);
  // Other replies become events, so a journey can wait for e.g. "reply YES".
  else await smsReply(deps, from, text, params['MessageSid'], now);
}

/** Twilio's message statuses, in the ledger's words; null for interim states. */
const statuses: Record<string, MessageStatus | null> = {
  accepted: null,
  scheduled: null,
  queued: null,
  sending: null,
  sent: 'sent',
  delivered: 'delivered',
  read: 'opened',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

export const twilioRoutes = [
  defineRoute({
    operationId: 'twilioInbound',
    method: 'post',
    path: '/webhooks/twilio/inbound',
    tag: 'Webhooks',
    summary: 'Twilio inbound SMS',
    description: 'STOP (and Twilio’s other opt-out words) suppresses the number and withdraws SMS consent; START restores it. Other replies become `sms_received` events.',
    access: 'public',
    bodyType: 'form',
    body: TwilioForm,
    responses: { 200: { description: 'Empty TwiML: Twilio sends its own STOP confirmation.', contentType: 'text/xml' } },
    async handler({ body, req, deps, now }) {
      checkSignature({ req, deps }, body);
      await inbound(deps, body, now);
      return { status: 200, body: emptyTwiml, contentType: 'text/xml' };
    },
  }),
  defineRoute({
    operationId: 'twilioStatus',
    method: 'post',
    path: '/webhooks/twilio/status',
    tag: 'Webhooks',
    summary: 'Twilio message status callback',
    description:
      'Moves the message’s ledger record forward (never backward: callbacks arrive out of order). Waymark gives Twilio a callback URL carrying the ledger key (`?key=`), so a report also settles a message whose sending worker died before recording Twilio’s answer.',
    access: 'public',
    bodyType: 'form',
    body: TwilioForm,
    query: z.object({ key: z.string().min(1).max(300).optional() }),
    responses: { 204: { description: 'Recorded (or nothing to record).' } },
    async handler({ body, query, req, deps, now }) {
      checkSignature({ req, deps }, body);
      const sid = field(body, 'MessageSid');
      const status = statuses[field(body, 'MessageStatus')] ?? null;
      if (status !== null) {
        const code = body['ErrorCode'];
        const error = code === undefined || code === '' ? undefined : `Twilio error ${code}${body['ErrorMessage'] ? `: ${body['ErrorMessage']}` : ''}`;
        const moved = await markMessageByProviderId(deps.db, sid, status, { error }, now);
        // Not known by its sid yet: the ledger key in the URL names it.
        if (moved === null && query.key !== undefined) await markMessage(deps.db, query.key, status, { providerId: sid, error }, now);
      }
      return { status: 204 };
    },
  }),
];
