import { describe, expect, it } from 'vitest';
import type { Condition, EventHistoryCondition } from './condition.ts';
import { compareValue, evaluateCondition, eventHistoryConditions, eventHistoryCounts, eventHistoryKey, eventMatches, ProfileCondition } from './condition.ts';
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

  describe('event history (segments)', () => {
    const webTwice = ProfileCondition.parse({ type: 'eventHistory', eventType: 'order_completed', atLeast: 2, withinDays: 30, where: [{ property: 'channel', op: 'eq', value: 'web' }] }) as EventHistoryCondition;
    const key = eventHistoryKey(webTwice);

    it('compares the tally with at least N; "did not" is fewer than N, so no events at all matches', () => {
      expect(evaluateCondition(webTwice, { customer: vip, now: T0, history: { [key]: 2 } })).toBe(true);
      expect(evaluateCondition(webTwice, { customer: vip, now: T0, history: { [key]: 1 } })).toBe(false);
      expect(evaluateCondition({ ...webTwice, did: false }, { customer: vip, now: T0, history: {} })).toBe(true);
      expect(evaluateCondition({ ...webTwice, did: false }, { customer: vip, now: T0, history: { [key]: 3 } })).toBe(false);
    });

    it('refuses to guess when nobody tallied the events', () => {
      expect(() => evaluateCondition(webTwice, { customer: vip, now: T0 })).toThrow(/event tallies/);
    });

    it('counts an event inside the window whose properties pass', () => {
      expect(eventHistoryCounts(webTwice, T0 - 29 * DAY, { channel: 'WEB' }, T0)).toBe(true);
      expect(eventHistoryCounts(webTwice, T0 - 31 * DAY, { channel: 'web' }, T0)).toBe(false);
      expect(eventHistoryCounts(webTwice, T0 - DAY, { channel: 'app' }, T0)).toBe(false);
      expect(eventHistoryCounts(webTwice, T0 - DAY, {}, T0)).toBe(false);
    });

    it('tallies once per distinct count, whatever the threshold or direction', () => {
      const other = { ...webTwice, atLeast: 5, did: false };
      expect(eventHistoryKey(other)).toBe(key);
      expect(eventHistoryConditions([webTwice, { type: 'any', conditions: [other, { type: 'tag', tag: 'vip', present: true }] }])).toHaveLength(1);
      expect(eventHistoryKey({ ...webTwice, withinDays: 7 })).not.toBe(key);
    });

    it('is a segment condition only, with its numbers and operators checked', () => {
      const valid = { type: 'eventHistory', eventType: 'login', withinDays: 7 };
      expect(ProfileCondition.parse(valid)).toMatchObject({ did: true, atLeast: 1, where: [] });
      for (const [bad, path] of [
        [{ ...valid, withinDays: 0 }, 'withinDays'],
        [{ ...valid, atLeast: 0 }, 'atLeast'],
        [{ ...valid, where: [{ property: 'x', op: 'contains', value: 'a' }] }, 'op'],
      ] as const) {
        const result = ProfileCondition.safeParse(bad);
        expect(result.success).toBe(false);
        expect(result.error?.issues.map((i) => i.path.at(-1))).toContain(path);
      }
    });
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
