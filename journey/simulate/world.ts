import { hasConsent } from '../consent.ts';
import type { AttributeValue, Channel, CustomerProfile } from '../customer.ts';
import type { JourneyDefinition } from '../definition.ts';
import { stableHash } from '../hash.ts';
import type { Random } from '../hash.ts';
import type { ActionCommand, JourneyState } from '../interpreter/types.ts';
import { actionSpecOf } from '../nodes/registry.ts';
import { applyUpdate } from '../nodes/update.ts';
import { DAY, HOUR, MINUTE } from '../time.ts';
import type { SimCustomer } from './cohort.ts';
import type { EventQueue } from './queue.ts';
import type { CustomerTimeline, SimulationReport } from './report.ts';

export type QueueItem =
  | { at: number; kind: 'enter'; run: SimRun }
  | { at: number; kind: 'timer'; run: SimRun; token: number; nodeId: string }
  | { at: number; kind: 'event'; run: SimRun; type: string; properties: Record<string, AttributeValue> }
  | { at: number; kind: 'purchaseClock' | 'rateChange' | 'loginClock'; run: SimRun; token: number };

/** One synthetic customer in the virtual world. */
export interface SimRun {
  sim: SimCustomer;
  profile: CustomerProfile;
  state: JourneyState | null;
  entered: boolean;
  enteredAt: number;
  /** First goal event within the goal window after entry, whether or not the run was still going. */
  convertedAt: number | null;
  done: boolean;
  timerToken: number;
  purchaseToken: number;
  couponUntil: number;
  sends: Record<Channel, number[]>;
  timeline?: CustomerTimeline;
}

/** The virtual world a simulation runs in: one clock, one queue, one seeded random source. */
export interface World {
  definition: JourneyDefinition;
  queue: EventQueue<QueueItem>;
  random: Random;
  report: SimulationReport;
  start: number;
  end: number;
}

/** Exponentially distributed delay with the given mean (memoryless, as arrivals are). */
export function delay(world: World, mean: number): number {
  return -Math.log(1 - world.random()) * mean;
}

function push(world: World, item: QueueItem): void {
  if (item.at <= world.end) world.queue.push(item);
}

/** Schedules the customer's next spontaneous purchase (boosted while a coupon is valid). */
export function schedulePurchase(world: World, run: SimRun, now: number): void {
  const token = ++run.purchaseToken;
  const daily = run.sim.behaviour.purchasePerDay;
  if (daily <= 0) return;
  const boosted = now < run.couponUntil;
  const perDay = -Math.log(1 - Math.min(daily, 0.999)) * (boosted ? run.sim.behaviour.couponBoost : 1);
  const at = now + delay(world, DAY / perDay);
  if (boosted && at > run.couponUntil) push(world, { at: run.couponUntil, kind: 'rateChange', run, token });
  else push(world, { at, kind: 'purchaseClock', run, token });
}

/** Schedules the next login when the journey cares about logins. */
export function scheduleLogin(world: World, run: SimRun, now: number): void {
  const perDay = run.sim.behaviour.loginsPerDay;
  if (perDay > 0) push(world, { at: now + delay(world, DAY / perDay), kind: 'loginClock', run, token: 0 });
}

/** Queues a customer event (an open, a click, a purchase) at `at`. */
export function scheduleEvent(world: World, run: SimRun, at: number, type: string, properties: Record<string, AttributeValue> = {}): void {
  push(world, { at, kind: 'event', run, type, properties });
}

/** Queues the firing of the run's current timer; older timers become stale by token. */
export function scheduleTimer(world: World, run: SimRun, at: number, nodeId: string): void {
  push(world, { at, kind: 'timer', run, token: ++run.timerToken, nodeId });
}

function reachable(profile: CustomerProfile, channel: Channel): string | null {
  if (!hasConsent(profile, channel)) return `no ${channel} consent`;
  if (channel === 'email' ? !profile.email : !profile.phone) return `no ${channel === 'email' ? 'email address' : 'phone number'}`;
  return null;
}

function send(world: World, run: SimRun, channel: Channel, now: number): ActionOutcome {
  const stats = world.report.messages[channel];
  const problem = reachable(run.profile, channel);
  if (problem) {
    stats.failed++;
    return { outcome: 'failed', error: problem };
  }
  for (const cap of world.definition.settings.frequencyCaps) {
    if (cap.channel !== channel) continue;
    const window = cap.periodHours * HOUR;
    const recent = run.sends[channel].filter((t) => t > now - window);
    const [oldest] = recent;
    if (oldest !== undefined && recent.length >= cap.max) {
      stats.deferred++;
      return { outcome: 'deferred', until: oldest + window };
    }
  }
  run.sends[channel] = [...run.sends[channel].slice(-20), now];
  stats.sent++;
  const b = run.sim.behaviour;
  let clickedAt: number | null = null;
  if (channel === 'email' && world.random() < b.emailOpenRate) {
    const openedAt = now + delay(world, 4 * HOUR);
    stats.opened++;
    scheduleEvent(world, run, openedAt, 'email_opened');
    if (world.random() < b.emailClickRate) clickedAt = openedAt + delay(world, 10 * MINUTE);
  } else if (channel === 'sms' && world.random() < b.smsClickRate) {
    clickedAt = now + delay(world, 30 * MINUTE);
  }
  if (clickedAt !== null) {
    stats.clicked++;
    if (channel === 'email') scheduleEvent(world, run, clickedAt, 'email_clicked');
    if (world.random() < b.clickToPurchase) scheduleEvent(world, run, clickedAt + delay(world, HOUR), 'order_completed', { total: 60 });
  }
  return { outcome: 'ok' };
}

/** What a simulated activity answers: the same three outcomes real activities give. */
export type ActionOutcome =
  | { outcome: 'ok'; variables?: Record<string, string> }
  | { outcome: 'failed'; error: string }
  | { outcome: 'deferred'; until: number };

/**
 * What the activity for an action command would do in the virtual world, as the kind's registry
 * entry says (`action.simulate`): a send on a modelled channel, a coupon, a task, a profile
 * update, or a notification to another system that is only counted.
 */
export function perform(world: World, run: SimRun, command: ActionCommand, now: number): ActionOutcome {
  const how = actionSpecOf(command.kind).simulate;
  switch (how) {
    case 'email':
    case 'sms':
      return send(world, run, how, now);
    case 'coupon': {
      if (command.kind !== 'coupon') break;
      world.report.coupons.issued++;
      run.couponUntil = now + command.config.expiresInDays * DAY;
      schedulePurchase(world, run, now);
      const code = stableHash(command.idempotencyKey).toString(36).toUpperCase().padStart(7, '0');
      return { outcome: 'ok', variables: { [command.config.variable]: command.config.prefix ? `${command.config.prefix}-${code}` : code } };
    }
    case 'task':
      world.report.tasks.created++;
      if (world.random() < run.sim.behaviour.taskToPurchase) scheduleEvent(world, run, now + world.random() * 3 * DAY, 'order_completed', { total: 120 });
      return { outcome: 'ok' };
    case 'update':
      if (command.kind !== 'update') break;
      world.report.updates++;
      run.profile = applyUpdate(run.profile, command.config.operations);
      return { outcome: 'ok' };
    case 'notify':
      world.report.webhooks++;
      return { outcome: 'ok' };
  }
  throw new Error(`the simulator models ${how} from its own config, not from a ${command.kind} step`);
}
