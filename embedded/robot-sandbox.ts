import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { listenOnLoopback } from './loopback.ts';
import { mountWecomCustomerContact, type SandboxWecomTask } from './wecom-sandbox.ts';

export type SandboxPlatform = 'wecom' | 'dingtalk' | 'feishu';

/** One robot message the sandbox accepted, as `GET /sandbox/robot-messages` lists it. */
export interface SandboxRobotMessage {
  platform: SandboxPlatform;
  token: string;
  /** When it arrived, by the sandbox's clock (epoch ms). */
  at: number;
  body: Record<string, unknown>;
}

/** A message the sandbox refused, with the platform's error code. */
export interface SandboxRobotRejection {
  platform: SandboxPlatform;
  token: string;
  at: number;
  errcode: number;
  errmsg: string;
}

/** A robot set up with signing (加签): its messages must carry a valid signature. */
export interface SandboxRobot {
  platform: SandboxPlatform;
  token: string;
  secret: string;
}

const HOUR = 3_600_000;

/**
 * A local stand-in for the group robots of WeCom, DingTalk and Feishu, on loopback. It answers
 * like each platform, checks DingTalk's and Feishu's signatures for robots registered with a
 * secret, and enforces each robot's 20 messages per sliding minute as the platforms do (DingTalk
 * then throttles the robot for 10 minutes).
 *
 * - `POST /cgi-bin/webhook/send?key=` — WeCom (`errcode` 45009 when over the limit; text over 2,048 bytes: 40058)
 * - `POST /robot/send?access_token=&timestamp=&sign=` — DingTalk (310000 on a bad signature; 130101 over the limit)
 * - `POST /open-apis/bot/v2/hook/{token}` — Feishu (`code` 19021 on a bad signature; 11232 over the limit)
 * - `GET /sandbox/robot-messages?platform=&token=` / `DELETE` — what it accepted; `rejected` lists refusals
 * - `POST /sandbox/robots {"platform","token","secret"}` — registers a robot with signing on
 *
 * It also answers WeCom customer contact (1:1 outreach tasks), see `mountWecomCustomerContact`.
 *
 * `now` is the sandbox's clock (tests on Temporal's time-skipping server pass its clock).
 */
export async function startRobotSandbox(options: {
  port: number;
  robots?: SandboxRobot[];
  perMinute?: number;
  dataDir?: string;
  now?: () => number | Promise<number>;
}): Promise<{ baseUrl: string; messages: SandboxRobotMessage[]; rejected: SandboxRobotRejection[]; wecomTasks: SandboxWecomTask[]; stop(): Promise<void> }> {
  const perMinute = options.perMinute ?? 20;
  const clock = options.now ?? Date.now;
  const file = options.dataDir ? join(options.dataDir, 'robots.jsonl') : undefined;
  const messages: SandboxRobotMessage[] = [];
  const rejected: SandboxRobotRejection[] = [];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) messages.push(JSON.parse(line) as SandboxRobotMessage);
  }
  const secrets = new Map((options.robots ?? []).map((r) => [`${r.platform}:${r.token}`, r.secret]));
  const recent = new Map<string, number[]>();
  const throttledUntil = new Map<string, number>();

  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  /** Null when the message may pass, else the platform's refusal. */
  function admit(platform: SandboxPlatform, token: string, at: number): { errcode: number; errmsg: string } | null {
    const id = `${platform}:${token}`;
    if ((throttledUntil.get(id) ?? 0) > at) return { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute (throttled for 10 minutes)' };
    const window = (recent.get(id) ?? []).filter((t) => t > at - 60_000);
    if (window.length >= perMinute) {
      recent.set(id, window);
      if (platform === 'dingtalk') throttledUntil.set(id, at + 10 * 60_000);
      if (platform === 'wecom') return { errcode: 45009, errmsg: 'api freq out of limit' };
      if (platform === 'dingtalk') return { errcode: 130101, errmsg: `send too fast, exceed ${perMinute} times per minute` };
      return { errcode: 11232, errmsg: 'frequency limited' };
    }
    recent.set(id, [...window, at]);
    return null;
  }

  function record(platform: SandboxPlatform, token: string, at: number, body: Record<string, unknown>): void {
    const message = { platform, token, at, body };
    messages.push(message);
    if (file) appendFileSync(file, `${JSON.stringify(message)}\n`);
  }

  const app = express();
  app.use(express.json({ limit: '1mb' }));

  app.post('/cgi-bin/webhook/send', async (req, res) => {
    const at = await clock();
    const token = String(req.query['key'] ?? '');
    const body = req.body as { msgtype?: string; text?: { content?: string }; markdown?: { content?: string } };
    const refuse = (errcode: number, errmsg: string) => {
      rejected.push({ platform: 'wecom', token, at, errcode, errmsg });
      res.json({ errcode, errmsg });
    };
    if (token === '') return refuse(93000, 'invalid webhook url, hint: key is empty');
    if (body.msgtype === 'text' && Buffer.byteLength(body.text?.content ?? '') > 2048) return refuse(40058, 'text content exceed max length 2048 bytes');
    if (body.msgtype === 'markdown' && Buffer.byteLength(body.markdown?.content ?? '') > 4096) return refuse(40058, 'markdown content exceed max length 4096 bytes');
    const refusal = admit('wecom', token, at);
    if (refusal) return refuse(refusal.errcode, refusal.errmsg);
    record('wecom', token, at, req.body as Record<string, unknown>);
    return res.json({ errcode: 0, errmsg: 'ok' });
  });

  app.post('/robot/send', async (req, res) => {
    const at = await clock();
    const token = String(req.query['access_token'] ?? '');
    const refuse = (errcode: number, errmsg: string) => {
      rejected.push({ platform: 'dingtalk', token, at, errcode, errmsg });
      res.json({ errcode, errmsg });
    };
    if (token === '') return refuse(300001, 'token is not exist');
    const secret = secrets.get(`dingtalk:${token}`);
    if (secret !== undefined) {
      const timestamp = Number(req.query['timestamp']);
      const sign = String(req.query['sign'] ?? '');
      const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
      if (!Number.isFinite(timestamp) || Math.abs(at - timestamp) > HOUR || !same(sign, expected)) return refuse(310000, 'sign not match');
    }
    const refusal = admit('dingtalk', token, at);
    if (refusal) return refuse(refusal.errcode, refusal.errmsg);
    record('dingtalk', token, at, req.body as Record<string, unknown>);
    return res.json({ errcode: 0, errmsg: 'ok' });
  });

  app.post('/open-apis/bot/v2/hook/:token', async (req, res) => {
    const at = await clock();
    const token = req.params.token;
    const body = req.body as { timestamp?: string; sign?: string };
    const refuse = (code: number, msg: string) => {
      rejected.push({ platform: 'feishu', token, at, errcode: code, errmsg: msg });
      res.json({ code, msg, data: {} });
    };
    const secret = secrets.get(`feishu:${token}`);
    if (secret !== undefined) {
      const seconds = Number(body.timestamp);
      const expected = createHmac('sha256', `${seconds}\n${secret}`).digest('base64');
      if (!Number.isFinite(seconds) || Math.abs(at - seconds * 1000) > HOUR || !same(String(body.sign ?? ''), expected)) {
        return refuse(19021, 'sign match fail or timestamp is not within one hour from current time');
      }
    }
    const refusal = admit('feishu', token, at);
    if (refusal) return refuse(refusal.errcode, refusal.errmsg);
    record('feishu', token, at, req.body as Record<string, unknown>);
    return res.json({ code: 0, msg: 'success', data: {} });
  });

  app.get('/sandbox/robot-messages', (req, res) => {
    const platform = typeof req.query['platform'] === 'string' ? req.query['platform'] : undefined;
    const token = typeof req.query['token'] === 'string' ? req.query['token'] : undefined;
    const match = (m: { platform: string; token: string }) => (!platform || m.platform === platform) && (!token || m.token === token);
    res.json({ total: messages.filter(match).length, messages: messages.filter(match), rejected: rejected.filter(match) });
  });
  app.delete('/sandbox/robot-messages', (_req, res) => {
    messages.length = 0;
    rejected.length = 0;
    recent.clear();
    throttledUntil.clear();
    res.json({ total: 0 });
  });
  app.post('/sandbox/robots', (req, res) => {
    const { platform, token, secret } = req.body as Partial<SandboxRobot>;
    if (!platform || !['wecom', 'dingtalk', 'feishu'].includes(platform) || !token || typeof secret !== 'string') {
      return res.status(400).json({ error: 'platform (wecom, dingtalk or feishu), token and secret are required' });
    }
    secrets.set(`${platform}:${token}`, secret);
    return res.json({ platform, token });
  });

  const wecomTasks = mountWecomCustomerContact(app, { now: clock, ...(options.dataDir ? { file: join(options.dataDir, 'wecom-tasks.json') } : {}) });

  const service = await listenOnLoopback(app, options.port);
  return {
    ...service,
    messages,
    rejected,
    wecomTasks,
  };
}
