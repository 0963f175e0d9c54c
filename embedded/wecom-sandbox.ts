import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Express, Request, Response } from 'express';

/** The sandbox corp's id and customer-contact secret: not secrets, nothing leaves the machine. */
export const WECOM_SANDBOX_CORP = { corpId: 'wwsandbox0000000001', secret: 'waymark-wecom-sandbox-secret' } as const;

/** A staff member's send status per customer: 0 unsent, 1 sent, 2 not a contact or failed, 3 capped. */
export type SandboxSendStatus = 0 | 1 | 2 | 3;

/** A mass-send task (群发任务) as the sandbox keeps it (`GET /sandbox/wecom/tasks`). */
export interface SandboxWecomTask {
  msgid: string;
  sender: string;
  text: string;
  /** When it was created and each reminder, by the sandbox's clock (epoch ms). */
  createdAt: number;
  reminders: number[];
  cancelled: boolean;
  /** external_userid → send status. */
  status: Record<string, SandboxSendStatus>;
}

const DAY = 86_400_000;
/** A task's owner may be reminded at most this often per 24 hours (WeCom's rule). */
const REMINDERS_PER_DAY = 3;

/**
 * WeCom customer contact (客户联系) for 1:1 outreach, added to the robot sandbox's app (WeCom's
 * robots and server API share a host). It answers like WeCom:
 *
 * - `GET /cgi-bin/gettoken?corpid=&corpsecret=` — an access token (7,200 s) for the sandbox corp
 * - `POST /cgi-bin/externalcontact/add_msg_template` — a single-chat task for `sender`; `msgid` back
 * - `POST …/get_groupmsg_send_result` `{msgid, userid}` — `send_list` with each customer's status
 * - `POST …/get_groupmsg_list_v2` — the sender's tasks in a time range
 * - `POST …/remind_groupmsg_send` `{msgid}` — refused (45009) past 3 reminders in 24 hours
 * - `POST …/cancel_groupmsg_send` `{msgid}` — stops the task
 *
 * and, for tests and demos, the staff member's side:
 *
 * - `GET /sandbox/wecom/tasks?sender=` — the tasks, with reminders and statuses
 * - `POST /sandbox/wecom/tasks/{msgid}/confirm` `{"result": "sent" | "capped" | "failed"}` — the
 *   owner sends it (status 1), or WeCom answers that the customer already had a mass message in
 *   the period (3), or that they are not a contact (2); a cancelled task is refused with 409
 */
export function mountWecomCustomerContact(app: Express, options: { now: () => number | Promise<number>; file?: string; corp?: { corpId: string; secret: string } }): SandboxWecomTask[] {
  const corp = options.corp ?? WECOM_SANDBOX_CORP;
  const tasks: SandboxWecomTask[] = options.file && existsSync(options.file) ? (JSON.parse(readFileSync(options.file, 'utf8')) as SandboxWecomTask[]) : [];
  const tokens = new Map<string, number>();
  const save = () => {
    if (!options.file) return;
    writeFileSync(`${options.file}.tmp`, JSON.stringify(tasks));
    renameSync(`${options.file}.tmp`, options.file);
  };

  app.get('/cgi-bin/gettoken', async (req, res) => {
    if (req.query['corpid'] !== corp.corpId) return res.json({ errcode: 40013, errmsg: 'invalid corpid' });
    if (req.query['corpsecret'] !== corp.secret) return res.json({ errcode: 40001, errmsg: 'invalid credential' });
    const token = randomUUID().replaceAll('-', '');
    tokens.set(token, (await options.now()) + 7200_000);
    return res.json({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
  });

  /** Handles one customer-contact call once its token is valid. */
  const api = (name: string, handle: (body: Record<string, unknown>, at: number, res: Response) => unknown) => {
    app.post(`/cgi-bin/externalcontact/${name}`, async (req: Request, res: Response) => {
      const at = await options.now();
      const expires = tokens.get(String(req.query['access_token'] ?? ''));
      if (expires === undefined) return res.json({ errcode: 40014, errmsg: 'invalid access_token' });
      if (expires <= at) return res.json({ errcode: 42001, errmsg: 'access_token expired' });
      return handle((req.body ?? {}) as Record<string, unknown>, at, res);
    });
  };
  const find = (msgid: unknown) => tasks.find((task) => task.msgid === msgid);

  api('add_msg_template', (body, at, res) => {
    const externals = body['external_userid'];
    const text = (body['text'] as { content?: unknown } | undefined)?.content;
    if (body['chat_type'] !== 'single' || typeof body['sender'] !== 'string' || !Array.isArray(externals) || externals.length === 0 || typeof text !== 'string' || text === '') {
      return res.json({ errcode: 41048, errmsg: 'this sandbox takes single-chat tasks with sender, external_userid and text.content' });
    }
    const task: SandboxWecomTask = {
      msgid: `msg${randomUUID().replaceAll('-', '').slice(0, 20)}`,
      sender: body['sender'],
      text,
      createdAt: at,
      reminders: [],
      cancelled: false,
      status: Object.fromEntries(externals.map((id) => [String(id), 0 as SandboxSendStatus])),
    };
    tasks.push(task);
    save();
    return res.json({ errcode: 0, errmsg: 'ok', fail_list: [], msgid: task.msgid });
  });

  api('get_groupmsg_send_result', (body, _at, res) => {
    const task = find(body['msgid']);
    if (!task || (body['userid'] !== undefined && body['userid'] !== task.sender)) return res.json({ errcode: 41063, errmsg: 'msgid not found' });
    const sendList = Object.entries(task.status).map(([id, status]) => ({ external_userid: id, userid: task.sender, status }));
    return res.json({ errcode: 0, errmsg: 'ok', next_cursor: '', send_list: sendList });
  });

  api('get_groupmsg_list_v2', (body, _at, res) => {
    const from = Number(body['start_time']) * 1000;
    const to = Number(body['end_time']) * 1000;
    const list = tasks
      .filter((task) => (body['creator'] === undefined || task.sender === body['creator']) && task.createdAt >= from && task.createdAt <= to)
      .map((task) => ({ msgid: task.msgid, creator: task.sender, create_type: 1, text: { content: task.text }, create_time: String(Math.floor(task.createdAt / 1000)) }));
    return res.json({ errcode: 0, errmsg: 'ok', next_cursor: '', group_msg_list: list });
  });

  api('remind_groupmsg_send', (body, at, res) => {
    const task = find(body['msgid']);
    if (!task) return res.json({ errcode: 41063, errmsg: 'msgid not found' });
    if (task.reminders.filter((t) => t > at - DAY).length >= REMINDERS_PER_DAY) return res.json({ errcode: 45009, errmsg: 'remind limit: 3 times per 24 hours' });
    task.reminders.push(at);
    save();
    return res.json({ errcode: 0, errmsg: 'ok' });
  });

  api('cancel_groupmsg_send', (body, _at, res) => {
    const task = find(body['msgid']);
    if (!task) return res.json({ errcode: 41063, errmsg: 'msgid not found' });
    task.cancelled = true;
    save();
    return res.json({ errcode: 0, errmsg: 'ok' });
  });

  app.get('/sandbox/wecom/tasks', (req, res) => {
    const sender = typeof req.query['sender'] === 'string' ? req.query['sender'] : undefined;
    const list = tasks.filter((task) => sender === undefined || task.sender === sender);
    res.json({ total: list.length, tasks: list });
  });

  const results = { sent: 1, capped: 3, failed: 2 } as const;
  app.post('/sandbox/wecom/tasks/:msgid/confirm', (req, res) => {
    const task = find(req.params.msgid);
    if (!task) return res.status(404).json({ error: `no task ${req.params.msgid}` });
    const result = ((req.body ?? {}) as { result?: string }).result ?? 'sent';
    if (!Object.hasOwn(results, result)) return res.status(400).json({ error: 'result is sent, capped or failed' });
    if (task.cancelled) return res.status(409).json({ error: 'the task was cancelled' });
    for (const id of Object.keys(task.status)) task.status[id] = results[result as keyof typeof results];
    save();
    return res.json(task);
  });

  return tasks;
}
