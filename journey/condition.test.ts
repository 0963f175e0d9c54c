import { describe, expect, it } from 'vitest';
import type { Condition } from './condition.ts';
import { compareValue, evaluateCondition, eventMatches } from './condition.ts';
import { DAY } from './time.ts';
import { T0, consentOf, customer } from './testing/fixtures.ts';

const vip = customer({
  attributes: { plan: 'gold', seats: 12 },
  tags: ['beta'],
  consent: consentOf(true, false),
  computed: { stage: 'atRisk', valueTier: 'high', rfm: { recency: 2, frequency: 5, monetary: 5, cell: 'cantLose' }, segments: ['high-value'], lastPurchaseAt: new Date(T0 - 50 * DAY).toISOString() },
});

describe('evaluateCondition', () => {
  const cases: [string, Condition, boolean][] = [
    ['custom attribute equals', { type: 'attribute', attribute: 'plan', op: 'eq', value: 'GOLD' }, true],
    ['custom attribute greater than', { type: 'attribute', attribute: 'seats', op: 'gt', value: 10 }, true],
    ['missing attribute does not exist', { type: 'attribute', attribute: 'nickname', op: 'exists' }, false],
    ['built-in value tier', { type: 'attribute', attribute: 'valueTier', op: 'eq', value: 'high' }, true],
    ['days since last purchase', { type: 'attribute', attribute: 'daysSinceLastPurchase', op: 'gte', value: 45 }, true],
    ['attribute in a list', { type: 'attribute', attribute: 'plan', op: 'in', value: ['silver', 'gold'] }, true],
    ['segment member', { type: 'segment', segment: 'high-value', member: true }, true],
    ['not in segment', { type: 'segment', segment: 'dormant-90d', member: false }, true],
    ['lifecycle stage', { type: 'stage', stages: ['atRisk', 'dormant'] }, true],
    ['RFM cell', { type: 'rfm', cells: ['champions'] }, false],
    ['tag present', { type: 'tag', tag: 'beta', present: true }, true],
    ['SMS consent not given', { type: 'consent', channel: 'sms', granted: true }, false],
    ['all of: high value and at risk', { type: 'all', conditions: [{ type: 'stage', stages: ['atRisk'] }, { type: 'segment', segment: 'high-value', member: true }] }, true],
    ['any of: none match', { type: 'any', conditions: [{ type: 'stage', stages: ['new'] }, { type: 'rfm', cells: ['lost'] }] }, false],
  ];
  it.each(cases)('%s', (_name, condition, expected) => {
    expect(evaluateCondition(condition, { customer: vip, now: T0 })).toBe(expected);
  });

  it('counts events inside the window only', () => {
    const eventTimes = { login: [T0 - 10 * DAY, T0 - 2 * DAY, T0 - DAY] };
    const twoThisWeek: Condition = { type: 'eventCount', eventType: 'login', op: 'gte', count: 2, withinDays: 7 };
    expect(evaluateCondition(twoThisWeek, { customer: vip, now: T0, eventTimes })).toBe(true);
    expect(evaluateCondition({ ...twoThisWeek, withinDays: 1.5 }, { customer: vip, now: T0, eventTimes })).toBe(false);
  });

  it('does not treat an attribute named like an Object method as present', () => {
    expect(evaluateCondition({ type: 'attribute', attribute: 'constructor', op: 'exists' }, { customer: vip, now: T0 })).toBe(false);
  });
});

describe('event filters', () => {
  const event = { type: 'order_completed', customerId: 'c', at: new Date(T0).toISOString(), properties: { total: 80, currency: 'USD' } };
  it('match type and every property filter', () => {
    expect(eventMatches('order_completed', [{ property: 'total', op: 'gte', value: 50 }], event)).toBe(true);
    expect(eventMatches('order_completed', [{ property: 'total', op: 'gte', value: 100 }], event)).toBe(false);
    expect(eventMatches('login', [], event)).toBe(false);
  });
  it('compare dates by time', () => {
    expect(compareValue('2025-02-01', 'gt', '2025-01-31T23:00:00Z')).toBe(true);
  });
});
