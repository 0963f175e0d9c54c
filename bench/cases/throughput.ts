// Case 3 — send throughput: emails per second through journeys (a campaign of an "email at once"
// journey, from the launch request on) against a bare nodemailer pool configured like Waymark's
// (pooled, 5 connections) sending as many emails of the same size to the same SMTP server, all
// queued at once.
import nodemailer from 'nodemailer';
import { seedCustomers } from '../app.ts';
import { bareEmail } from '../bare.ts';
import { runCampaign } from '../campaign.ts';
import type { BenchContext } from '../context.ts';
import type { BenchRow } from '../core.ts';
import { sendJourney } from '../journeys.ts';
import { note, perSecond, round, sleep, until, wallMs } from '../stats.ts';

const journeyId = 'bench-send';

/**
 * A campaign of 3,000 customers (quick: 100; see sizes.ts), measured until every email arrived or the time
 * window closes (then the campaign is cancelled and the rate is the emails received in the
 * window); runs already started may finish afterwards, for a bounded while, before the next case.
 */
export async function benchThroughput(ctx: BenchContext): Promise<BenchRow[]> {
  const { app, services } = ctx;
  const { sendCustomers: size, sendWindowMs: windowMs } = ctx.sizes;
  await app.publish(sendJourney(journeyId));
  await seedCustomers(app.db, { prefix: 'sd', count: size, tags: ['send'] });

  // Bare first: the pool in this process, the SMTP server in its own.
  const pool = nodemailer.createTransport({ pool: true, url: services.endpoints.smtp.url, maxConnections: 5 });
  let mark = services.sink.receipts.length;
  const bareStart = wallMs();
  await Promise.all(Array.from({ length: size }, (_, i) => pool.sendMail({ from: 'Bench <bench@waymark.local>', ...bareEmail(`bare-send-${i}@bare-send.test`, ctx.emailBytes) })));
  await until(() => services.sink.since(mark, '@bare-send.test').length >= size, 'the bare emails', 10 * 60_000);
  const bareLast = Math.max(...services.sink.since(mark, '@bare-send.test').map((r) => r.at));
  pool.close();

  mark = services.sink.receipts.length;
  const received = () => services.sink.since(mark, '@bench.test').filter((r) => r.to.startsWith('sd-'));
  const journeyStart = wallMs();
  const launch = await runCampaign(app, journeyId, { tags: ['send'] }, windowMs);
  const windowEnd = journeyStart + windowMs;
  const remaining = windowEnd - wallMs();
  if (!launch.cancelled) {
    // Every run started within the window: wait for their emails until it closes.
    const all = until(() => received().length >= size, 'the journey emails', Math.max(0, remaining), 250).catch(() => undefined);
    await all;
  }
  const inWindow = received().filter((r) => r.at <= windowEnd);
  const complete = inWindow.length >= size;
  const journeyRate = complete ? perSecond(size, Math.max(...inWindow.map((r) => r.at)) - journeyStart) : perSecond(inWindow.length, windowMs);
  const firstAt = inWindow.length > 0 ? Math.min(...inWindow.map((r) => r.at)) - journeyStart : NaN;
  note(`throughput: ${inWindow.length} journey emails in the window (first ${Math.round(firstAt)} ms after the launch request); letting started runs finish`);
  // Let runs already started send (bounded), so they do not weigh on the next case.
  await until(() => received().length >= launch.progress.started, 'started runs to send', ctx.sizes.sendDrainMs, 500).catch(() => undefined);
  await sleep(500);

  const bareRate = perSecond(size, bareLast - bareStart);
  const measured = complete ? 'launch to last email' : `${inWindow.length.toLocaleString('en')} emails in the first ${windowMs / 1000} s, then cancelled`;
  return [
    {
      case: `send throughput: emails/s, ${size.toLocaleString('en')}-customer campaign, ${measured} (baseline: bare nodemailer pool)`,
      value: round(journeyRate),
      unit: 'emails/s',
      baseline: round(bareRate),
      goal: '≥ 0.8 × baseline',
      ok: journeyRate >= 0.8 * bareRate,
    },
  ];
}
