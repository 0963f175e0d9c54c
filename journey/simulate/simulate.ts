import { eventMatches } from '../condition.ts';
import type { AttributeValue, CustomerProfile } from '../customer.ts';
import type { JourneyDefinition } from '../definition.ts';
import type { CustomerEvent } from '../event.ts';
import { createRandom } from '../hash.ts';
import { own } from '../ids.ts';
import { step } from '../interpreter/step.ts';
import type { StepInput, StepResult } from '../interpreter/types.ts';
import { lunarAnniversariesIn } from '../lunar.ts';
import type { LunarCalendar } from '../lunar.ts';
import { dateTriggerTime } from '../nodes/trigger-date.ts';
import { DAY } from '../time.ts';
import { localParts } from '../timezone.ts';
import type { SimCustomer } from './cohort.ts';
import { EventQueue } from './queue.ts';
import type { SimulationReport } from './report.ts';
import { countTrace, emptyReport, rate } from './report.ts';
import type { QueueItem, SimRun, World } from './world.ts';
import { perform, scheduleEvent, scheduleLogin, schedulePurchase, scheduleTimer } from './world.ts';

export interface SimulationOptions {
  days: number;
  seed: number;
  /** Virtual start (epoch ms); defaults to Monday 2025-01-06 00:00 UTC so results never depend on today. */
  start?: number;
  /** Customer ids whose step-by-step story to include in `timelines`. */
  timelines?: readonly string[];
  /**
   * The lunar calendar (农历) for lunar date attributes (`lunar-MM-DD`) in date triggers and waits,
   * converted as runs convert them (`lunarToSolar` in activities/lunar.ts); without one a lunar
   * date never comes up in the forecast.
   */
  calendar?: LunarCalendar;
}

const DEFAULT_START = Date.UTC(2025, 0, 6);

/** The profile as a run holds it: with the solar dates of its lunar date attributes over the forecast's years. */
function withLunarAnniversaries(profile: CustomerProfile, start: number, options: SimulationOptions): CustomerProfile {
  if (options.calendar === undefined) return profile;
  const first = localParts(start, 'UTC').year - 1;
  const years = Array.from({ length: localParts(start + options.days * DAY, 'UTC').year - first + 2 }, (_, i) => first + i);
  const lunarAnniversaries = lunarAnniversariesIn(profile.attributes, years, options.calendar);
  // The run's customer is a `JourneyCustomer`, which carries these; the sends read the rest.
  return lunarAnniversaries === undefined ? profile : ({ ...profile, lunarAnniversaries } as CustomerProfile);
}

/** When a customer enters, for triggers that do not wait for an event; null if never. */
function entryTime(world: World, run: SimRun, index: number, calendar: LunarCalendar | undefined): number | null {
  const trigger = own(world.definition.nodes, world.definition.entryNodeId);
  const segments = run.profile.computed.segments;
  if (trigger?.kind === 'segment') return segments.includes(trigger.config.segment) ? world.start : null;
  if (trigger?.kind === 'audience') {
    // Campaign launch: members start one after another at the configured rate.
    return segments.includes(trigger.config.segment) ? world.start + (index / trigger.config.sendRatePerMinute) * 60_000 : null;
  }
  if (trigger?.kind === 'date') {
    // From the year before: a lunar date's year is the lunar one (its 12th month falls in January).
    for (let year = localParts(world.start, 'UTC').year - 1; year <= localParts(world.end, 'UTC').year; year++) {
      const at = dateTriggerTime(trigger.config, run.profile, year, world.definition.settings.timezone, calendar);
      if (at !== null && at >= world.start && at <= world.end) return at;
    }
    return null;
  }
  return trigger?.kind === 'api' ? world.start : null;
}

/** Feeds the interpreter's commands back into the world until the run blocks or ends. */
function drive(world: World, run: SimRun, first: StepResult, now: number, labels: Record<string, string | undefined>): void {
  let result = first;
  for (let guard = 0; guard < 10_000; guard++) {
    run.state = result.state;
    countTrace(world.report, result.trace, labels);
    run.timeline?.steps.push(...result.trace);
    const command = result.commands[result.commands.length - 1];
    if (!command) return;
    switch (command.type) {
      case 'wait':
      case 'waitForEvent':
        scheduleTimer(world, run, Math.max(command.until, now), command.nodeId);
        return;
      case 'complete':
        run.done = true;
        world.report.completions[command.reason] = (world.report.completions[command.reason] ?? 0) + 1;
        if (run.timeline) run.timeline.completion = { at: now, day: (now - world.start) / DAY, reason: command.reason };
        return;
      case 'action': {
        const outcome = perform(world, run, command, now);
        run.timeline?.actions.push({ at: now, day: (now - world.start) / DAY, nodeId: command.nodeId, kind: command.kind, outcome: outcome.outcome });
        const input: StepInput = { type: 'actionResult', nodeId: command.nodeId, ...outcome };
        result = step(world.definition, run.state, input, now);
        break;
      }
    }
  }
}

/**
 * Forecasts a journey: runs the real interpreter for a cohort of synthetic customers on a
 * virtual, event-driven clock (no ticking), with behaviour drawn from a seeded random source.
 * The same definition, cohort and seed always give the same report.
 *
 * Conversions are counted the way analytics attribute them: a goal event within the goal
 * window after entry, also after the run ended, so split arms and the holdout compare fairly.
 *
 * @example
 * const cohort = generateCohort({ size: 10_000, seed: 1, start });
 * const report = simulate(definition, cohort, { days: 90, seed: 1, start });
 * report.conversions.rate; // e.g. 0.0841
 */
export function simulate(definition: JourneyDefinition, cohort: readonly SimCustomer[], options: SimulationOptions): SimulationReport {
  const start = options.start ?? DEFAULT_START;
  const world: World = {
    definition,
    queue: new EventQueue<QueueItem>(),
    random: createRandom(options.seed),
    report: emptyReport(definition.id, { customers: cohort.length, days: options.days, seed: options.seed, start }),
    start,
    end: start + options.days * DAY,
  };
  const labels = Object.fromEntries(Object.values(definition.nodes).map((n) => [n.id, n.label]));
  const trigger = own(definition.nodes, definition.entryNodeId);
  const triggerEvent = trigger?.kind === 'event' ? trigger.config : null;
  const goal = definition.settings.goal;
  const goalWindow = goal ? goal.windowDays * DAY : 0;
  const waitedFor = Object.values(definition.nodes).flatMap((n) => (n.kind === 'waitForEvent' ? [n.config.eventType] : []));
  const relevant = new Set([...definition.trackedEvents, ...waitedFor, ...(goal ? [goal.eventType] : [])]);
  const logins = relevant.has('login');
  // Purchases before entry only matter when a purchase is what makes customers enter.
  const purchasesFromStart = triggerEvent?.eventType === 'order_completed';
  const timelineIds = new Set(options.timelines ?? []);
  /** Still worth simulating: in the run, or inside the window where a purchase counts as a conversion. */
  const active = (run: SimRun, at: number) => run.entered && (!run.done || (goal !== undefined && run.convertedAt === null && at <= run.enteredAt + goalWindow));

  const runs: SimRun[] = cohort.map((sim, index) => {
    const run: SimRun = {
      sim,
      profile: withLunarAnniversaries(sim.profile, start, options),
      state: null,
      entered: false,
      enteredAt: 0,
      convertedAt: null,
      done: false,
      timerToken: 0,
      purchaseToken: 0,
      couponUntil: 0,
      sends: { email: [], sms: [] },
    };
    if (timelineIds.has(sim.profile.id)) run.timeline = { customerId: sim.profile.id, steps: [], actions: [], events: [] };
    const enterAt = entryTime(world, run, index, options.calendar);
    if (enterAt !== null) world.queue.push({ at: enterAt, kind: 'enter', run });
    for (const scripted of sim.script ?? []) scheduleEvent(world, run, start + scripted.afterDays * DAY, scripted.type, scripted.properties);
    if (triggerEvent && triggerEvent.eventType !== 'order_completed' && triggerEvent.eventType !== 'login' && !sim.script?.some((e) => e.type === triggerEvent.eventType)) {
      // Everyone in the cohort does the trigger event on day one, unless a script says when.
      scheduleEvent(world, run, start + world.random() * DAY, triggerEvent.eventType);
    }
    if (purchasesFromStart) schedulePurchase(world, run, start);
    if (triggerEvent?.eventType === 'login') scheduleLogin(world, run, start);
    return run;
  });

  const begin = (run: SimRun, at: number, event?: CustomerEvent) => {
    const input: StepInput = { type: 'start', runId: `sim/${definition.id}/${run.profile.id}`, journeyId: definition.id, customer: run.profile, ...(event ? { event } : {}) };
    const first = step(definition, null, input, at);
    if (first.state.completion?.reason === 'notEligible') {
      run.state = first.state;
      countTrace(world.report, first.trace, labels);
      world.report.completions.notEligible = (world.report.completions.notEligible ?? 0) + 1;
      return;
    }
    run.entered = true;
    run.enteredAt = at;
    if (!purchasesFromStart) schedulePurchase(world, run, at);
    if (logins && triggerEvent?.eventType !== 'login') scheduleLogin(world, run, at);
    drive(world, run, first, at, labels);
  };

  const onEvent = (run: SimRun, at: number, type: string, properties: Record<string, AttributeValue>) => {
    if (type === 'order_completed') {
      world.report.purchases++;
      const c = run.profile.computed;
      const total = typeof properties.total === 'number' ? properties.total : 0;
      run.profile = { ...run.profile, computed: { ...c, orderCount: c.orderCount + 1, totalSpend: c.totalSpend + total, lastPurchaseAt: new Date(at).toISOString() } };
    }
    run.timeline?.events.push({ at, day: (at - start) / DAY, type });
    const wanted = (!run.entered && triggerEvent?.eventType === type) || (run.entered && (relevant.has(type) || type === 'order_completed'));
    if (!wanted) return;
    const event: CustomerEvent = { type, customerId: run.profile.id, at: new Date(at).toISOString(), properties };
    if (!run.entered && run.state === null && triggerEvent && eventMatches(triggerEvent.eventType, triggerEvent.filter, event)) {
      begin(run, at, event);
      return;
    }
    if (!run.entered) return;
    if (goal && run.convertedAt === null && at <= run.enteredAt + goalWindow && eventMatches(goal.eventType, goal.filter, event)) run.convertedAt = at;
    if (run.state && !run.done) drive(world, run, step(definition, run.state, { type: 'eventReceived', event, customer: run.profile }, at), at, labels);
  };

  for (let item = world.queue.pop(); item !== undefined; item = world.queue.pop()) {
    const { run, at } = item;
    switch (item.kind) {
      case 'enter':
        if (run.state === null) begin(run, at);
        break;
      case 'timer':
        if (!run.done && run.state && item.token === run.timerToken) {
          drive(world, run, step(definition, run.state, { type: 'timerFired', nodeId: item.nodeId }, at), at, labels);
        }
        break;
      case 'rateChange':
        if (item.token === run.purchaseToken && (purchasesFromStart || active(run, at))) schedulePurchase(world, run, at);
        break;
      case 'loginClock':
        if (!run.entered && run.state !== null) break; // not eligible
        onEvent(run, at, 'login', {});
        if (!run.entered || active(run, at)) scheduleLogin(world, run, at);
        break;
      case 'purchaseClock':
        if (item.token !== run.purchaseToken) break;
        onEvent(run, at, 'order_completed', { total: 50 });
        if (purchasesFromStart || active(run, at)) schedulePurchase(world, run, at);
        break;
      case 'event':
        onEvent(run, at, item.type, item.properties);
        break;
    }
  }
  return finishReport(world, runs);
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function finishReport(world: World, runs: readonly SimRun[]): SimulationReport {
  const report = world.report;
  const arms = new Map<string, { splitNodeId: string; arm: string; entered: number; converted: number }>();
  for (const run of runs) {
    if (run.timeline) report.timelines.push(run.timeline);
    if (!run.state || !run.entered) continue;
    const converted = run.convertedAt !== null;
    if (!run.done) report.stillRunning++;
    report.conversions.entered++;
    if (converted) report.conversions.converted++;
    for (const [splitNodeId, arm] of Object.entries(run.state.arms)) {
      const key = `${splitNodeId}\u0000${arm}`;
      const stats = arms.get(key) ?? { splitNodeId, arm, entered: 0, converted: 0 };
      stats.entered++;
      if (converted) stats.converted++;
      arms.set(key, stats);
    }
  }
  report.entered = report.conversions.entered;
  report.conversions.rate = rate(report.conversions.converted, report.conversions.entered);
  report.conversions.arms = [...arms.values()]
    .map((a) => ({ ...a, holdout: a.arm === 'holdout', rate: rate(a.converted, a.entered) }))
    .sort((a, b) => (a.splitNodeId === b.splitNodeId ? compareText(a.arm, b.arm) : compareText(a.splitNodeId, b.splitNodeId)));
  return report;
}
