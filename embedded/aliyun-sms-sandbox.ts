import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { listenOnLoopback } from './loopback.ts';

/** One SMS the sandbox accepted, as `GET /sandbox/messages` lists it. */
export interface AliyunSandboxSms {
  bizId: string;
  /** The 11-digit mainland number, as `QuerySendDetails` takes it. */
  phoneNumber: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, string>;
  outId?: string;
  /** Shanghai date of the send (`yyyyMMdd`): what the daily limit and `QuerySendDetails` go by. */
  sendDate: string;
  createdAt: string;
}

/** Aliyun's mainland mobile numbers: 11 digits from 13…–19…, with or without +86 / 0086 / 86. */
const mainlandMobile = /^(?:\+86|0086|86)?(1[3-9][0-9]{9})$/;
/** Numbers ending 0001 are refused as invalid (`isv.MOBILE_NUMBER_ILLEGAL`), so tests can drive that path. */
const INVALID_NUMBER = /0001$/;

/** The date and time in Shanghai (Aliyun's clock for send dates and limits). */
function shanghai(at: number): { date: string; time: string } {
  const iso = new Date(at + 8 * 3_600_000).toISOString();
  return { date: iso.slice(0, 10).replaceAll('-', ''), time: `${iso.slice(0, 10)} ${iso.slice(11, 19)}` };
}

/** Percent-encoding of Aliyun's signatures (RFC 3986: also `!'()*`). */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query of a raw URL as name → value, decoded exactly once (`+` stays a plus sign). */
function rawQuery(url: string): Array<[string, string]> {
  const at = url.indexOf('?');
  if (at < 0) return [];
  return url
    .slice(at + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const [name, value] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
      return [decodeURIComponent(name), decodeURIComponent(value)];
    });
}

class AliyunError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks an Aliyun V3 signature (`ACS3-HMAC-SHA256`, what `@alicloud/dysmsapi20170525` sends):
 * the canonical request (method, path, sorted encoded query, the signed headers, the body's
 * SHA-256) hashed and signed with the access key secret. Also refuses a stale `x-acs-date`
 * (15 minutes) and a reused nonce, as Aliyun does.
 */
function verifySignature(req: express.Request, body: Buffer, keys: { accessKeyId: string; accessKeySecret: string }, nonces: Map<string, number>): void {
  const authorization = req.get('authorization') ?? '';
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(authorization);
  if (match === null) throw new AliyunError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards (ACS3-HMAC-SHA256 expected).');
  const [, credential = '', signedList = '', signature = ''] = match;
  if (credential !== keys.accessKeyId) throw new AliyunError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const payloadHash = createHash('sha256').update(body).digest('hex');
  if (req.get('x-acs-content-sha256') !== payloadHash) throw new AliyunError(400, 'SignatureDoesNotMatch', 'x-acs-content-sha256 does not match the body.');
  const signed = signedList.split(';');
  for (const required of ['host', 'x-acs-action', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version']) {
    if (!signed.includes(required)) throw new AliyunError(400, 'IncompleteSignature', `SignedHeaders must include ${required}.`);
  }
  const query = rawQuery(req.originalUrl)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${encode(value)}`)
    .join('&');
  const headers = signed.map((name) => `${name}:${(req.get(name) ?? '').trim()}\n`).join('');
  const canonical = [req.method, req.path, query, headers, signed.join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = createHmac('sha256', keys.accessKeySecret).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AliyunError(400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.');
  }
  const date = Date.parse(req.get('x-acs-date') ?? '');
  if (!Number.isFinite(date) || Math.abs(Date.now() - date) > 15 * 60_000) throw new AliyunError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  const nonce = req.get('x-acs-signature-nonce') ?? '';
  for (const [seen, at] of nonces) if (at < Date.now() - 15 * 60_000) nonces.delete(seen);
  if (nonces.has(nonce)) throw new AliyunError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  nonces.set(nonce, Date.now());
}

/**
 * A local Aliyun-compatible SMS sandbox (阿里云短信 `dysmsapi` 2017-05-25). The official client
 * `@alicloud/dysmsapi20170525` talks to it when its endpoint points here; nothing leaves the
 * machine. It checks every request's signature against the access key.
 *
 * - `SendSms` (PhoneNumbers, SignName, TemplateCode, TemplateParam, OutId): answers like Aliyun
 *   (`Code: OK`, `BizId`); refuses a malformed sign name, template code, number or parameter
 *   JSON, a variable longer than 35 characters, an `OutId` of 256 characters or more, and more than `dailyLimit` (default 50) messages
 *   a day per number, template and sign name (`isv.BUSINESS_LIMIT_CONTROL`), as Aliyun does.
 * - With `reportUrl`: a delivery report (SmsReport HTTP batch push, `success: true`) for each
 *   accepted SMS, posted there a moment later.
 * - `QuerySendDetails` (PhoneNumber, SendDate `yyyyMMdd`, PageSize ≤ 50, CurrentPage): the
 *   messages to that number on that (Shanghai) date, with their `OutId`.
 * - `GET /sandbox/messages?phone=` / `DELETE /sandbox/messages` — what it received.
 * - `POST /sandbox/faults {"statuses":[500,503]}` — the next sends answer these HTTP statuses.
 * - `POST /sandbox/inbound {"phone","content","url"}` — a customer's reply (e.g. "R"): posts it
 *   to `url` as Aliyun's SmsUp HTTP batch push does, and answers with the receiver's status.
 */
export async function startAliyunSmsSandbox(options: {
  port: number;
  accessKeyId: string;
  accessKeySecret: string;
  dataDir?: string;
  dailyLimit?: number;
  /** Where to push delivery reports (Aliyun's SmsReport HTTP batch push), one per accepted SMS. */
  reportUrl?: string;
}): Promise<{ baseUrl: string; endpoint: string; stop(): Promise<void> }> {
  const { port, dataDir } = options;
  const dailyLimit = options.dailyLimit ?? 50;
  const file = dataDir ? join(dataDir, 'aliyun-sms.jsonl') : undefined;
  const messages: AliyunSandboxSms[] = [];
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) messages.push(JSON.parse(line) as AliyunSandboxSms);
  }
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const nonces = new Map<string, number>();
  let faults: number[] = [];
  const requestId = () => randomBytes(16).toString('hex').toUpperCase().replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');

  const sendSms = (params: Map<string, string>) => {
    const required = (name: string) => {
      const value = params.get(name);
      if (value === undefined || value === '') throw new AliyunError(400, 'MissingParameter', `${name} is mandatory for this action.`);
      return value;
    };
    const phones = required('PhoneNumbers').split(',');
    const signName = required('SignName');
    const templateCode = required('TemplateCode');
    if (Array.from(signName).length < 2 || Array.from(signName).length > 12) return { Code: 'isv.SMS_SIGNATURE_ILLEGAL', Message: '该账号下找不到对应签名' };
    if (!/^SMS_[0-9]+$/.test(templateCode)) return { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: '该账号下找不到对应模板' };
    let templateParam: Record<string, string> = {};
    const rawParam = params.get('TemplateParam');
    if (rawParam !== undefined && rawParam !== '') {
      try {
        const parsed: unknown = JSON.parse(rawParam);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) throw new Error('not an object of strings');
        templateParam = parsed as Record<string, string>;
      } catch {
        return { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法，只接受字符串值' };
      }
    }
    const tooLong = Object.entries(templateParam).find(([, v]) => Array.from(v).length > 35);
    if (tooLong) return { Code: 'isv.PARAM_LENGTH_LIMIT', Message: `参数超出长度限制: ${tooLong[0]}` };
    const numbers = phones.map((p) => mainlandMobile.exec(p.trim())?.[1]);
    if (numbers.some((n) => n === undefined || INVALID_NUMBER.test(n))) return { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' };
    const outId = params.get('OutId');
    if (outId !== undefined && outId.length >= 256) return { Code: 'isv.INVALID_PARAMETERS', Message: 'OutId must be shorter than 256 characters' };
    const now = Date.now();
    const { date } = shanghai(now);
    for (const number of numbers as string[]) {
      const today = messages.filter((m) => m.phoneNumber === number && m.signName === signName && m.templateCode === templateCode && m.sendDate === date).length;
      if (today >= dailyLimit) return { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: `触发天级流控Permits:${dailyLimit}` };
    }
    const bizId = `${String(now).slice(-9)}${randomBytes(3).toString('hex')}^0`;
    for (const number of numbers as string[]) {
      const sms: AliyunSandboxSms = { bizId, phoneNumber: number, signName, templateCode, templateParam, ...(outId ? { outId } : {}), sendDate: date, createdAt: new Date(now).toISOString() };
      messages.push(sms);
      if (file) appendFileSync(file, `${JSON.stringify(sms)}\n`);
      if (options.reportUrl) report(options.reportUrl, sms);
    }
    return { Code: 'OK', Message: 'OK', BizId: bizId };
  };

  // Aliyun's SmsReport push: delivered a moment after the send; a receiver that is down misses it, as with Aliyun.
  const report = (url: string, sms: AliyunSandboxSms) => {
    const at = shanghai(Date.parse(sms.createdAt)).time;
    const body = [{ phone_number: sms.phoneNumber, send_time: at, report_time: at, success: true, err_code: 'DELIVERED', err_msg: '用户接收成功', sms_size: '1', biz_id: sms.bizId, ...(sms.outId ? { out_id: sms.outId } : {}) }];
    setTimeout(() => void fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined), 50);
  };

  const querySendDetails = (params: Map<string, string>) => {
    const required = (name: string) => {
      const value = params.get(name);
      if (value === undefined || value === '') throw new AliyunError(400, 'MissingParameter', `${name} is mandatory for this action.`);
      return value;
    };
    const number = mainlandMobile.exec(required('PhoneNumber'))?.[1];
    const sendDate = required('SendDate');
    const pageSize = Number(required('PageSize'));
    const page = Number(required('CurrentPage'));
    if (!/^[0-9]{8}$/.test(sendDate)) return { Code: 'isv.INVALID_PARAMETERS', Message: 'SendDate must be yyyyMMdd' };
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50 || !Number.isInteger(page) || page < 1) return { Code: 'isv.INVALID_PARAMETERS', Message: 'PageSize is 1–50, CurrentPage ≥ 1' };
    if (number === undefined) return { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' };
    const bizId = params.get('BizId');
    const found = messages.filter((m) => m.phoneNumber === number && m.sendDate === sendDate && (!bizId || m.bizId === bizId)).reverse();
    const pageOf = found.slice((page - 1) * pageSize, page * pageSize);
    return {
      Code: 'OK',
      Message: 'OK',
      TotalCount: String(found.length),
      SmsSendDetailDTOs: {
        SmsSendDetailDTO: pageOf.map((m) => ({
          PhoneNum: m.phoneNumber,
          SendStatus: 3,
          ErrCode: 'DELIVERED',
          TemplateCode: m.templateCode,
          Content: `【${m.signName}】${m.templateCode} ${JSON.stringify(m.templateParam)}`,
          SendDate: shanghai(Date.parse(m.createdAt)).time,
          ReceiveDate: shanghai(Date.parse(m.createdAt)).time,
          ...(m.outId ? { OutId: m.outId } : {}),
        })),
      },
    };
  };

  const app = express();
  app.post('/', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const RequestId = requestId();
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      verifySignature(req, body, options, nonces);
      if (req.get('x-acs-version') !== '2017-05-25') throw new AliyunError(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
      const params = new Map(rawQuery(req.originalUrl));
      // Form bodies are allowed too (older clients); both are signed.
      if (body.length > 0) for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.set(name, value);
      const action = req.get('x-acs-action');
      if (action === 'SendSms') {
        const fault = faults.shift();
        if (fault !== undefined) return res.status(fault).json({ RequestId, Code: fault === 503 ? 'ServiceUnavailable' : 'InternalError', Message: 'Sandbox fault' });
        return res.json({ RequestId, ...sendSms(params) });
      }
      if (action === 'QuerySendDetails') return res.json({ RequestId, ...querySendDetails(params) });
      throw new AliyunError(404, 'InvalidAction.NotFound', `Specified api ${action ?? '(none)'} is not found in the sandbox.`);
    } catch (error) {
      if (error instanceof AliyunError) return res.status(error.status).json({ RequestId, Code: error.code, Message: error.message });
      return res.status(500).json({ RequestId, Code: 'InternalError', Message: error instanceof Error ? error.message : String(error) });
    }
  });

  app.get('/sandbox/messages', (req, res) => {
    const phone = typeof req.query['phone'] === 'string' ? mainlandMobile.exec(req.query['phone'])?.[1] ?? req.query['phone'] : undefined;
    const list = messages.filter((m) => !phone || m.phoneNumber === phone).reverse();
    res.json({ total: list.length, messages: list });
  });
  app.delete('/sandbox/messages', (_req, res) => {
    messages.length = 0;
    res.json({ total: 0 });
  });
  app.post('/sandbox/faults', express.json(), (req, res) => {
    const { statuses } = req.body as { statuses?: unknown };
    faults = Array.isArray(statuses) ? statuses.map(Number) : [];
    res.json({ statuses: faults });
  });
  app.post('/sandbox/inbound', express.json(), (req, res) => {
    const { phone, content, url, signName } = req.body as Record<string, string | undefined>;
    const number = phone === undefined ? undefined : mainlandMobile.exec(phone)?.[1];
    if (number === undefined || !url) return res.status(400).json({ error: 'phone (a mainland mobile number) and url are required' });
    // Aliyun's SmsUp batch push: a JSON array of replies.
    const push = [{ phone_number: number, send_time: shanghai(Date.now()).time, content: content ?? '', sign_name: signName ?? '', dest_code: '', sequence_id: Date.now() }];
    void fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(push) }).then(
      async (answer) => res.json({ status: answer.status, body: await answer.text() }),
      (error: unknown) => res.status(502).json({ error: error instanceof Error ? error.message : String(error) }),
    );
    return undefined;
  });

  const service = await listenOnLoopback(app, port);
  return {
    ...service,
    endpoint: `127.0.0.1:${port}`,
  };
}
