import { describe, expect, it } from 'vitest';
import { builtinTemplateCatalogue, loadBuiltinJourneys } from '../../store/builtins.ts';
import { compile } from '../compile/compile.ts';
import type { JourneyDefinition } from '../definition.ts';
import { splitBucket } from '../nodes/split.ts';
import { consentOf, customer } from '../testing/fixtures.ts';
import type { ScriptedEvent, SimCustomer } from './cohort.ts';
import { behaviourByStage, generateCohort, neverResponds } from './cohort.ts';
import { simulate } from './simulate.ts';

/** Monday 6 January 2025, 00:00 UTC: the simulations' day 0. */
const START = Date.UTC(2025, 0, 6);

const definitions = new Map<string, JourneyDefinition>();
for (const graph of loadBuiltinJourneys()) {
  const result = compile(graph, { templates: builtinTemplateCatalogue() });
  if (result.ok) definitions.set(graph.id, result.value);
}

function journey(id: string): JourneyDefinition {
  const definition = definitions.get(id);
  if (!definition) throw new Error(`built-in journey ${id} does not compile`);
  return definition;
}

function person(id: string, overrides: Parameters<typeof customer>[0], script: ScriptedEvent[] = []): SimCustomer {
  return { profile: customer({ id, ...overrides }), behaviour: neverResponds, script };
}

/** Simulates one customer and returns what happened to them. */
function story(journeyId: string, who: SimCustomer, days = 40) {
  const report = simulate(journey(journeyId), [who], { days, seed: 1, start: START, timelines: [who.profile.id] });
  const timeline = report.timelines[0];
  return {
    report,
    actions: (timeline?.actions ?? []).filter((a) => a.outcome !== 'deferred').map((a) => `${a.kind}${a.outcome === 'failed' ? ' (failed)' : ''}`),
    day: (kind: string) => timeline?.actions.find((a) => a.kind === kind)?.day,
    completion: timeline?.completion?.reason,
  };
}

const dormant = (tier: 'high' | 'low', extra: Parameters<typeof customer>[0] = {}) => ({
  timezone: 'Europe/London',
  ...extra,
  computed: { stage: 'dormant' as const, valueTier: tier, segments: ['dormant-90d', ...(tier === 'high' ? ['high-value'] : [])] },
});

describe('the built-in journeys', () => {
  it('all compile against the built-in templates', () => {
    expect([...definitions.keys()].sort()).toEqual(['activation', 'birthday-care', 'welcome', 'win-back']);
  });
});

describe('win-back', () => {
  it('gives a dormant high-value customer who never buys an email with a coupon, an SMS after 7 days and a CS call task', () => {
    const s = story('win-back', person('vip', dormant('high')));
    expect(s.actions).toEqual(['coupon', 'email', 'sms', 'task']);
    // Day 0 starts at midnight in London: the email waits for quiet hours to end at 09:00.
    expect(s.day('email')).toBeCloseTo(9 / 24, 5);
    expect(s.day('sms')).toBeCloseTo(7 + 9 / 24, 5);
    expect(s.day('task')).toBeCloseTo(7 + 9 / 24, 5);
    expect(s.completion).toBe('exit');
    expect(s.report.conversions.converted).toBe(0);
  });

  it('exits a customer who buys on day 3 as a conversion, with nothing more sent', () => {
    const s = story('win-back', person('buyer', dormant('high'), [{ afterDays: 3, type: 'order_completed', properties: { total: 80 } }]));
    expect(s.actions).toEqual(['coupon', 'email']);
    expect(s.completion).toBe('goal');
    expect(s.report.conversions).toMatchObject({ entered: 1, converted: 1, rate: 1 });
  });

  it('does not open a CS task for ordinary customers, and still reaches them when SMS fails', () => {
    expect(story('win-back', person('regular', dormant('low'))).actions).toEqual(['coupon', 'email', 'sms']);
    const noSms = story('win-back', person('no-sms', dormant('high', { consent: consentOf(true, false) })));
    expect(noSms.actions).toEqual(['coupon', 'email', 'sms (failed)', 'task']);
  });

  it('leaves out customers who have not agreed to email (audience filter)', () => {
    const s = story('win-back', person('no-email', dormant('high', { consent: consentOf(false, true) })));
    expect(s.actions).toEqual([]);
    expect(s.report.completions).toEqual({ notEligible: 1 });
    expect(s.report.entered).toBe(0);
  });
});

describe('welcome', () => {
  const prospect = (sms: boolean) => ({ timezone: 'Asia/Shanghai', locale: 'zh-CN', consent: consentOf(true, sms), computed: { stage: 'prospect' as const, orderCount: 0, totalSpend: 0, segments: ['prospects'] } });
  const signUp: ScriptedEvent = { afterDays: 0.5, type: 'signed_up' };

  it('nudges a sign-up who agreed to SMS by SMS after the two welcome emails', () => {
    const s = story('welcome', person('p1', prospect(true), [signUp]));
    expect(s.actions).toEqual(['email', 'email', 'sms', 'update']);
    expect(s.day('sms')).toBeCloseTo(5.5, 5);
  });

  it('sends a first-order coupon by email to sign-ups without SMS consent', () => {
    expect(story('welcome', person('p2', prospect(false), [signUp])).actions).toEqual(['email', 'email', 'coupon', 'email', 'update']);
  });

  it('stops the series when the first order comes in', () => {
    const s = story('welcome', person('p3', prospect(true), [signUp, { afterDays: 1.5, type: 'order_completed' }]));
    expect(s.actions).toEqual(['email']);
    expect(s.completion).toBe('goal');
  });
});

describe('activation', () => {
  const newCustomer = (id: string) => person(id, { timezone: 'UTC', computed: { stage: 'new', orderCount: 1, totalSpend: 60, segments: ['new-customers'] } });
  const inArm = (from: number, to: number) => {
    for (let i = 0; ; i++) if (splitBucket('activation', 'ab-test', `n-${i}`) >= from && splitBucket('activation', 'ab-test', `n-${i}`) < to) return newCustomer(`n-${i}`);
  };

  it('waits for a weekday late morning, then sends tips and an SMS nudge to the tips arm', () => {
    const s = story('activation', inArm(0, 45));
    expect(s.actions).toEqual(['email', 'sms']);
    expect(s.day('email')).toBeCloseTo(10 / 24, 5);
    expect(s.day('sms')).toBeCloseTo(3 + 10 / 24, 5);
  });

  it('gives the coupon arm a second-order coupon by email', () => {
    expect(story('activation', inArm(45, 90)).actions).toEqual(['coupon', 'email']);
  });

  it('sends nothing to the holdout group but keeps them for the 21-day goal window', () => {
    const s = story('activation', inArm(90, 100));
    expect(s.actions).toEqual([]);
    expect(s.completion).toBe('holdout');
    expect(s.report.conversions.arms).toEqual([expect.objectContaining({ arm: 'holdout', holdout: true, entered: 1 })]);
  });

  it('reports conversion per arm against the holdout for a whole cohort', () => {
    const cohort = generateCohort({ size: 6000, seed: 5, start: START });
    const report = simulate(journey('activation'), cohort, { days: 60, seed: 5, start: START });
    const rate = (arm: string) => report.conversions.arms.find((a) => a.arm === arm)?.rate ?? 0;
    expect(report.conversions.arms.map((a) => a.arm)).toEqual(['coupon', 'holdout', 'tips']);
    expect(rate('coupon')).toBeGreaterThan(rate('holdout'));
    // A few buy (and so leave as converted) while waiting for the weekday window, before the split.
    const split = report.conversions.arms.reduce((sum, a) => sum + a.entered, 0);
    expect(split).toBeLessThanOrEqual(report.conversions.entered);
    expect(split).toBeGreaterThan(0.95 * report.conversions.entered);
  });
});

describe('birthday care', () => {
  const birthday = (tier: 'high' | 'low', sms: boolean) => ({
    birthday: '1988-01-20',
    timezone: 'America/New_York',
    consent: consentOf(true, sms),
    accountOwner: 'am-3',
    computed: { stage: 'active' as const, valueTier: tier, segments: [] },
  });

  it('gives high-value customers a coupon, a card from their account manager and a team-chat heads-up, then a greeting on the day', () => {
    const s = story('birthday-care', person('vip', birthday('high', true)));
    expect(s.actions).toEqual(['coupon', 'task', 'webhook', 'email', 'update']);
    // Three days before at 10:00 New York time (15:00 UTC), greeting on the day at 09:00 (14:00 UTC).
    expect(s.day('coupon')).toBeCloseTo(11 + 15 / 24, 5);
    expect(s.day('email')).toBeCloseTo(14 + 14 / 24, 5);
  });

  it('sends the gift code by SMS to other subscribers', () => {
    expect(story('birthday-care', person('sub', birthday('low', true))).actions).toEqual(['coupon', 'sms', 'email', 'update']);
    expect(story('birthday-care', person('plain', birthday('low', false))).actions).toEqual(['coupon', 'email', 'update']);
  });
});

describe('simulate', () => {
  it('gives the same forecast for the same seed, and a different one for another seed', () => {
    const cohort = generateCohort({ size: 1500, seed: 9, start: START });
    const a = simulate(journey('win-back'), cohort, { days: 45, seed: 9, start: START });
    const b = simulate(journey('win-back'), cohort, { days: 45, seed: 9, start: START });
    const c = simulate(journey('win-back'), cohort, { days: 45, seed: 10, start: START });
    expect(b).toEqual(a);
    expect(c.purchases).not.toBe(a.purchases);
  });

  it('counts entered and exited per step, messages per channel, coupons and tasks', () => {
    const cohort = generateCohort({ size: 2000, seed: 3, start: START });
    const report = simulate(journey('win-back'), cohort, { days: 30, seed: 3, start: START });
    const coupon = report.perNode.coupon;
    expect(coupon?.entered).toBe(report.entered);
    expect(report.coupons.issued).toBe(coupon?.exits.issued);
    expect(report.messages.email.sent).toBe(report.perNode.email?.exits.sent);
    expect(report.messages.email.failed).toBe(report.perNode.email?.exits.failed ?? 0);
    expect(report.tasks.created).toBe(report.perNode['call-task']?.entered);
    expect(report.perNode['high-value']?.exits).toEqual({ high: report.tasks.created, else: (report.perNode['high-value']?.entered ?? 0) - report.tasks.created });
    expect(behaviourByStage.dormant.purchasePerDay).toBeLessThan(behaviourByStage.active.purchasePerDay);
  });
});
