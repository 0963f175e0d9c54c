// `npm start` left alone: its embedded services are killed (SIGKILL) one after another in the
// middle of a campaign and each comes back by itself, /v1/health returns to 200 and says what
// restarted, and every customer gets exactly one email (inbox against ledger). Then a backup
// taken while runs wait on a timer is restored into a new data directory, and those runs
// resume there. About 3 minutes on this machine.
import { readFileSync, statSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterAll, describe, expect, it } from 'vitest';
import { testJourneyGraph } from '../test/fixtures/workflow-harness.ts';
import { api, health, killLeftovers, startWaymark, stopWaymark, until, type Started } from '../test/fixtures/npm-start.ts';
import { runCli } from './waymark.ts';

const root = mkdtempSync(join(tmpdir(), 'waymark-unattended-'));
const first = join(root, 'first');
const restored = join(root, 'restored');
const backupFile = join(root, 'backup', 'waymark.tar.gz');
const running: Started[] = [];

interface InboxMail {
  to: string[];
  subject: string;
  headers: Record<string, string>;
}

/** Every email the embedded inbox holds (empty while it is down). */
async function inbox(started: Started): Promise<InboxMail[]> {
  try {
    const res = await fetch(`http://127.0.0.1:${started.ports.WAYMARK_INBOX_PORT ?? 0}/api/v1/messages`);
    return ((await res.json()) as { messages: InboxMail[] }).messages;
  } catch {
    return [];
  }
}

/** Emails of one journey, by the send key every email carries (`journey/<id>/<customer>…`). */
const ofJourney = (mails: InboxMail[], journeyId: string) => mails.filter((m) => (m.headers['x-waymark-key'] ?? '').includes(`journey/${journeyId}/`));

async function start(dataDir: string): Promise<Started> {
  const started = await startWaymark(dataDir, { env: { WAYMARK_SEED: 'auto', LOG_LEVEL: 'info' } });
  running.push(started);
  await until('health 200', async () => (await health(started.base))?.status === 200, started);
  return started;
}

async function importCustomers(started: Started, ids: string[], tag: string): Promise<void> {
  const lines = ids.map((id) => JSON.stringify({ id, email: `${id}@${tag}.test`, tags: [tag], consent: { email: true, sms: false } }));
  await api(started, 'POST', '/customers/import', `${lines.join('\n')}\n`, 'application/x-ndjson');
}

async function publish(started: Started, graph: ReturnType<typeof testJourneyGraph>): Promise<void> {
  await api(started, 'POST', '/journeys', graph);
  await api(started, 'POST', `/journeys/${graph.id}/publish`, { note: 'test' });
}

const pidOf = (dataDir: string, key: string) => Number(readFileSync(join(dataDir, 'run', `${key}.pid`), 'utf8'));

afterAll(async () => {
  for (const started of running) await stopWaymark(started.child);
  for (const dataDir of [first, restored]) killLeftovers(dataDir);
  rmSync(root, { recursive: true, force: true });
});

describe('npm start, left unattended', () => {
  it('brings back FerretDB, the Temporal dev server and the SMTP inbox killed mid-campaign; every customer gets one email', { timeout: 300_000 }, async () => {
    const started = await start(first);
    const audience = 150;
    const ids = Array.from({ length: audience }, (_, i) => `chaos-${String(i).padStart(3, '0')}`);
    await importCustomers(started, ids, 'chaos');
    // The audience is the campaign's (a tag); the trigger names a built-in segment.
    await publish(started, testJourneyGraph({ id: 'chaos', trigger: { kind: 'audience', segment: 'dormant-90d' } }));
    // Slow enough that all three kills land while it runs.
    const campaign = await api<{ id: string }>(started, 'POST', '/campaigns', { name: 'chaos', journeyId: 'chaos', audience: { tags: ['chaos'] }, ratePerSecond: 3 });

    const kills: Array<[string, string, number]> = [
      ['FerretDB', 'ferretdb', 0.15],
      ['Temporal dev server', 'temporal', 0.4],
      ['SMTP inbox', 'inbox', 0.65],
    ];
    for (const [name, key, fraction] of kills) {
      const sent = await until(`${fraction * 100} % of the emails`, async () => {
        const n = ofJourney(await inbox(started), 'chaos').length;
        return n >= audience * fraction ? n : null;
      }, started);
      expect(sent, `${name} is killed mid-campaign`).toBeLessThan(audience);
      process.kill(pidOf(first, key), 'SIGKILL');
      const back = await until(`${name} back and health 200`, async () => {
        const h = await health(started.base);
        return h?.status === 200 && h.body.supervised?.[name]?.restarts === 1 ? h : null;
      }, started);
      expect(back.body.supervised?.[name]).toMatchObject({ state: 'running', lastRestart: { reason: expect.stringMatching(/SIGKILL/) } });
      expect(Date.parse(back.body.supervised?.[name]?.lastRestart?.at ?? '')).toBeGreaterThan(Date.now() - 120_000);
    }

    const progress = await until('the campaign to finish', async () => {
      const c = await api<{ progress?: { done: boolean; started: number; failed: number } | null }>(started, 'GET', `/campaigns/${campaign.id}`);
      return c.progress?.done ? c.progress : null;
    }, started, 180_000);
    expect(progress).toMatchObject({ started: audience, failed: 0 });
    const ledger = await until('every email in the ledger', async () => {
      const page = await api<{ items: Array<{ to: string; status: string }> }>(started, 'GET', '/messages?journeyId=chaos&limit=500');
      return page.items.filter((m) => m.status === 'sent').length >= audience ? page.items : null;
    }, started, 120_000);
    const mails = ofJourney(await inbox(started), 'chaos');
    const perRecipient = new Map<string, number>();
    for (const mail of mails) perRecipient.set(mail.to[0] ?? '', (perRecipient.get(mail.to[0] ?? '') ?? 0) + 1);
    const duplicated = [...perRecipient.values()].filter((n) => n > 1).length;
    console.log(`unattended: ${audience} customers; inbox ${mails.length} emails to ${perRecipient.size} recipients (${duplicated} duplicated); ledger ${ledger.length} records`);
    expect(ledger.map((m) => m.to).sort()).toEqual(ids.map((id) => `${id}@chaos.test`));
    expect([...perRecipient.keys()].sort()).toEqual(ids.map((id) => `${id}@chaos.test`));
    expect(mails).toHaveLength(audience);

    // One console line per start and per exit and restart; tool chatter is in the log files.
    const output = started.output();
    for (const [name] of kills) {
      expect(output.match(new RegExp(`${name} started`, 'g'))).toHaveLength(1);
      expect(output.match(new RegExp(`${name} exited with SIGKILL`, 'g'))).toHaveLength(1);
      expect(output.match(new RegExp(`${name} restarted`, 'g'))).toHaveLength(1);
    }
    expect(output).not.toMatch(/webpack|modules by path|"msg":"request"/);
    expect(readFileSync(join(first, 'logs', 'worker.log'), 'utf8')).toMatch(/webpack .* compiled/);
    expect(readFileSync(join(first, 'logs', 'api.log'), 'utf8')).toMatch(/"path":"\/health","status":503/);
    // The worker and the API reconnected by themselves: the worker never had to be restarted.
    expect((await health(started.base))?.body.supervised?.['worker']).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('refuses a Twilio webhook signed with the sandbox token that used to be built in', async () => {
    const started = running[0];
    if (!started) throw new Error('needs the running Waymark of the first test');
    const tokenFile = join(first, 'sms-sandbox-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    const url = `${started.base}/v1/webhooks/twilio/inbound`;
    const params = { AccountSid: `AC${'5a'.repeat(16)}`, MessageSid: 'SM1', From: '+15005550123', To: '+15005550006', Body: 'hello' };
    const post = (key: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(key, url, params) },
        body: new URLSearchParams(params).toString(),
      });
    expect((await post('waymark-sandbox-token')).status).toBe(403);
    expect((await post(token)).status).toBe(200);
  });

  it('restores a backup taken while runs wait on a timer into a new data directory, where those runs resume', { timeout: 300_000 }, async () => {
    const started = running[0];
    if (!started) throw new Error('needs the running Waymark of the first test');
    const ids = ['timer-1', 'timer-2', 'timer-3'];
    await importCustomers(started, ids, 'timer');
    // An email, a 40-second wait, another email.
    await publish(started, testJourneyGraph({ id: 'timer', trigger: { kind: 'event', eventType: 'timer_test' }, waitMinutes: 40 / 60 }));
    await api(started, 'POST', '/events?wait=true', { events: ids.map((customerId) => ({ type: 'timer_test', customerId })) });
    await until('the first emails', async () => ofJourney(await inbox(started), 'timer').length === ids.length, started);
    const waiting = await until('timer-1 waiting on the timer', async () => {
      const runs = (await api<{ items: Array<{ journeyId: string; status: string; nodeId?: string; waitingUntil?: string }> }>(started, 'GET', '/customers/timer-1/journeys')).items;
      return runs.find((r) => r.journeyId === 'timer' && r.nodeId === 'pause');
    }, started);
    expect(waiting).toMatchObject({ status: 'running', waitingUntil: expect.any(String) });

    const io = { lines: [] as string[], out: (line: string) => io.lines.push(line), err: (line: string) => io.lines.push(line) };
    expect(await runCli(['backup', backupFile, '--data-dir', first], io), io.lines.join('\n')).toBe(0);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    // Waymark still runs on the first directory: restoring over it is refused.
    expect(await runCli(['restore', backupFile, '--data-dir', first, '--force'], io)).toBe(1);
    expect(io.lines.at(-1)).toMatch(/is running on .* stop it first/);
    // Stopped before the timers fire there: only the restored copy can send the second emails.
    expect(await stopWaymark(started.child)).toBe(0);
    running.shift();
    expect(await runCli(['restore', backupFile, '--data-dir', restored], io)).toBe(0);
    expect(existsSync(join(restored, 'temporal.sqlite'))).toBe(true);

    const again = await start(restored);
    // Customers, journeys and messages are back.
    expect(await api(again, 'GET', '/customers/timer-2')).toMatchObject({ email: 'timer-2@timer.test' });
    expect(await api(again, 'GET', '/journeys/timer')).toMatchObject({ id: 'timer' });
    expect(ofJourney(await inbox(again), 'chaos')).toHaveLength(150);
    // The timers fire in the restored copy and the runs finish.
    await until('the second emails from the restored copy', async () => ofJourney(await inbox(again), 'timer').length === 2 * ids.length, again, 120_000);
    for (const id of ids) {
      const runs = await until(`${id}'s run to complete`, async () => {
        const list = (await api<{ items: Array<{ journeyId: string; status: string }> }>(again, 'GET', `/customers/${id}/journeys`)).items;
        return list.find((r) => r.journeyId === 'timer' && r.status === 'completed') ? list : null;
      }, again, 60_000);
      expect(runs.find((r) => r.journeyId === 'timer')).toMatchObject({ status: 'completed' });
    }
  });
});
