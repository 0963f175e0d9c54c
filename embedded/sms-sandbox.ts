import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import twilio from 'twilio';
import { listenOnLoopback } from './loopback.ts';

/** One SMS the sandbox accepted, as `GET /sandbox/messages` lists it. */
export interface SandboxSms {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  status: 'queued' | 'sent' | 'delivered';
  statusCallback?: string;
  createdAt: string;
}

/** Twilio's documented "magic" failures, so tests can drive the permanent-failure path. */
const INVALID_NUMBER = /0001$/; // 21211: not a valid phone number
const BLOCKED_NUMBER = /0004$/; // 21610: the recipient replied STOP

/**
 * A local Twilio-compatible SMS sandbox. The real `twilio` client talks to it when its
 * base URL points here; nothing leaves the machine.
 *
 * - `POST /2010-04-01/Accounts/{Sid}/Messages.json` — Twilio's Messages API (form body, Basic
 *   auth with the account SID and auth token); answers like Twilio; then posts signed status
 *   callbacks (`sent`, `delivered`) to `StatusCallback` when one is given.
 * - `GET /sandbox/messages?to=` / `DELETE /sandbox/messages` — what it received.
 * - `GET /2010-04-01/Accounts/{Sid}/Messages.json?To=` — Twilio's Messages list, newest first.
 * - `POST /sandbox/faults {"status":503,"count":2}` — the next N sends fail with that status;
 *   `{"statuses":[429,500]}` — the next sends fail with these, in order.
 * - `POST /sandbox/inbound {"from","body","url"}` — simulates a customer's reply (e.g. STOP):
 *   posts a signed Twilio inbound webhook to `url`.
 */
export async function startSmsSandbox(options: {
  port: number;
  accountSid: string;
  authToken: string;
  dataDir?: string;
}): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const { port, accountSid, authToken, dataDir } = options;
  const file = dataDir ? join(dataDir, 'sms.jsonl') : undefined;
  const messages: SandboxSms[] = [];
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) messages.push(JSON.parse(line) as SandboxSms);
  }
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // Statuses the next sends answer with, in order (`POST /sandbox/faults`).
  let faults: number[] = [];
  const twilioShape = (sms: SandboxSms) => ({
    sid: sms.sid,
    account_sid: accountSid,
    to: sms.to,
    from: sms.from,
    body: sms.body,
    status: sms.status,
    direction: 'outbound-api',
    api_version: '2010-04-01',
    date_created: new Date(sms.createdAt).toUTCString(),
    error_code: null,
    error_message: null,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sms.sid}.json`,
  });

  const postSigned = async (url: string, params: Record<string, string>) => {
    const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    }).catch(() => undefined); // a receiver that is down misses the callback, as with Twilio
  };

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());

  const authorized = (req: express.Request) => {
    const [user, pass] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
    return user === accountSid && pass === authToken && req.params.sid === accountSid;
  };
  const unauthorized = (res: express.Response) => res.status(401).json({ code: 20003, message: 'Authenticate', status: 401 });

  // Account fetch: what Waymark's health check asks Twilio.
  app.get('/2010-04-01/Accounts/:sid.json', (req, res) => {
    if (!authorized(req)) return unauthorized(res);
    return res.json({ sid: accountSid, status: 'active', type: 'Full', friendly_name: 'Waymark SMS sandbox' });
  });

  app.post('/2010-04-01/Accounts/:sid/Messages.json', (req, res) => {
    if (!authorized(req)) return unauthorized(res);
    const fault = faults.shift();
    if (fault !== undefined) return res.status(fault).json({ code: fault === 429 ? 20429 : 20500, message: 'Sandbox fault', status: fault });
    const body = req.body as Record<string, string | undefined>;
    const to = body.To ?? '';
    if (!to || INVALID_NUMBER.test(to)) {
      return res.status(400).json({ code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 });
    }
    if (BLOCKED_NUMBER.test(to)) {
      return res.status(400).json({ code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 });
    }
    const sms: SandboxSms = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      accountSid,
      to,
      from: body.From ?? body.MessagingServiceSid ?? '',
      body: body.Body ?? '',
      status: 'queued',
      ...(body.StatusCallback ? { statusCallback: body.StatusCallback } : {}),
      createdAt: new Date().toISOString(),
    };
    messages.push(sms);
    if (file) appendFileSync(file, `${JSON.stringify(sms)}\n`);
    if (sms.statusCallback) {
      const callback = sms.statusCallback;
      setTimeout(() => {
        void (async () => {
          for (const status of ['sent', 'delivered'] as const) {
            sms.status = status;
            await postSigned(callback, { AccountSid: accountSid, MessageSid: sms.sid, MessageStatus: status, To: sms.to, From: sms.from });
          }
        })();
      }, 50);
    }
    return res.status(201).json(twilioShape(sms));
  });

  // Twilio's Messages list (newest first, `To=` and `PageSize=`): what Waymark asks before
  // sending again after a worker died mid-send.
  app.get('/2010-04-01/Accounts/:sid/Messages.json', (req, res) => {
    if (!authorized(req)) return unauthorized(res);
    const to = typeof req.query['To'] === 'string' ? req.query['To'] : undefined;
    const size = Math.min(1000, Number(req.query['PageSize']) || 50);
    const list = messages.filter((m) => !to || m.to === to).reverse().slice(0, size);
    const uri = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
    return res.json({ messages: list.map(twilioShape), page: 0, page_size: size, start: 0, end: Math.max(0, list.length - 1), uri, first_page_uri: uri, next_page_uri: null, previous_page_uri: null });
  });

  app.get('/sandbox/messages', (req, res) => {
    const to = typeof req.query.to === 'string' ? req.query.to : undefined;
    const list = messages.filter((m) => !to || m.to === to).reverse();
    res.json({ total: list.length, messages: list });
  });
  app.delete('/sandbox/messages', (_req, res) => {
    messages.length = 0;
    res.json({ total: 0 });
  });
  app.post('/sandbox/faults', (req, res) => {
    const { status, count, statuses } = req.body as { status?: number; count?: number; statuses?: number[] };
    faults = Array.isArray(statuses) ? statuses.map(Number) : Array.from({ length: Number(count) || 1 }, () => Number(status) || 503);
    res.json({ statuses: faults });
  });
  app.post('/sandbox/inbound', (req, res) => {
    const { from, body, url, to } = req.body as Record<string, string | undefined>;
    if (!from || !url) return res.status(400).json({ error: 'from and url are required' });
    void postSigned(url, {
      AccountSid: accountSid,
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      From: from,
      To: to ?? '',
      Body: body ?? '',
    }).then(() => res.json({ ok: true }));
    return undefined;
  });

  const service = await listenOnLoopback(app, port);
  return service;
}
