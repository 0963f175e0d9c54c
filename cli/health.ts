import type { SupervisedState } from '../embedded/supervise.ts';
import type { Clients } from './clients.ts';

/** The state of one dependency, as `GET /v1/health` reports it. */
export interface DependencyHealth {
  ok: boolean;
  detail?: string;
}

/**
 * What `GET /v1/health` answers: 200 when every dependency is ok (and no supervised process has
 * been given up on), 503 naming those that are not. Under `npm start`, `supervised` says per
 * process whether it runs, how often it was restarted, and the last restart's time and reason.
 */
export interface Health {
  ok: boolean;
  services: Record<'temporal' | 'mongodb' | 'smtp' | 'sms', DependencyHealth> & { aliyunSms?: DependencyHealth };
  supervised?: Record<string, SupervisedState>;
}

const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

async function check(work: () => Promise<unknown>, timeoutMs: number): Promise<DependencyHealth> {
  try {
    await within(timeoutMs, work());
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

async function aliyunAnswers(client: NonNullable<Clients['aliyunSms']>): Promise<void> {
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
  const answer = await client.querySendDetails({ phoneNumber: '13800000000', sendDate: today, pageSize: 1, currentPage: 1 });
  if (answer.code !== 'OK') throw new Error(`Aliyun ${answer.code}: ${answer.message}`);
}

/**
 * Builds the health check: each dependency is asked a cheap real question in parallel
 * (Temporal: system info; MongoDB: ping; SMTP: a NOOP handshake; Twilio: fetch the account;
 * Aliyun SMS, when it is the provider: a `QuerySendDetails`).
 * `supervised` adds the state of the processes `npm start` supervises.
 *
 * @example const health = createHealthCheck(clients, accountSid); const { ok } = await health();
 */
export function createHealthCheck(
  clients: Clients,
  twilioAccountSid: string,
  timeoutMs = 3_000,
  supervised?: () => Record<string, SupervisedState>,
): () => Promise<Health> {
  return async () => {
    const [temporal, mongodb, smtp, sms] = await Promise.all([
      check(() => clients.temporal.workflowService.getSystemInfo({}), timeoutMs),
      check(() => clients.db.command({ ping: 1 }), timeoutMs),
      check(() => clients.mailer.verify(), timeoutMs),
      check(() => clients.twilio.api.v2010.accounts(twilioAccountSid).fetch(), timeoutMs),
    ]);
    // Aliyun SMS, when it is the provider: a QuerySendDetails (free) proves the endpoint and the keys.
    const aliyun = clients.aliyunSms;
    const aliyunSms = aliyun === undefined ? undefined : await check(() => aliyunAnswers(aliyun), timeoutMs);
    const services = { temporal, mongodb, smtp, sms, ...(aliyunSms ? { aliyunSms } : {}) };
    const processes = supervised?.();
    const ok = Object.values(services).every((s) => s.ok) && Object.values(processes ?? {}).every((p) => p.state !== 'failed');
    return { ok, services, ...(processes ? { supervised: processes } : {}) };
  };
}
