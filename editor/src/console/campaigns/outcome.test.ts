import { describe, expect, test } from 'vitest';
import type { JourneyDefinition } from '../../../../journey/definition.ts';
import type { Campaign } from '../../client/campaigns.ts';
import type { Coupon, Message } from '../../client/ledger.ts';
import { campaignOutcome, targetsLapsed } from './outcome.ts';

const launchedAt = '2026-11-01T00:00:00.000Z';
const campaign = { id: 'cmp_1', name: 'Win back', journeyId: 'wb', version: 1, audience: { segments: ['dormant-90d'] }, audienceCount: 100, ratePerSecond: 1, status: 'completed', createdBy: 'ops', createdAt: launchedAt, updatedAt: launchedAt } as Campaign;

const node = (id: string, kind: string, config: Record<string, unknown>) => ({ id, kind, position: { x: 0, y: 0 }, config });
const definition = {
  schemaVersion: 1,
  id: 'wb',
  name: 'Win back',
  settings: { defaultLocale: 'en', timezone: 'UTC', goal: { eventType: 'order_completed', filter: [], windowDays: 30 } },
  entryNodeId: 'start',
  nodes: {
    start: node('start', 'audience', { segment: 'dormant-90d', sendRatePerMinute: 60 }),
    split: node('split', 'split', { arms: [{ id: 'a', label: 'A', weight: 90 }], holdout: { weight: 10 } }),
    email: node('email', 'email', { templateId: 'winback-offer' }),
  },
  wiring: { start: { next: 'split' }, split: { a: 'email' } },
  trackedEvents: [],
} as unknown as JourneyDefinition;

const message = (channel: 'email' | 'sms', status: string, createdAt = '2026-11-02T00:00:00.000Z') => ({ channel, status, createdAt }) as Message;
const coupon = (status: string, issuedAt = '2026-11-02T00:00:00.000Z') => ({ status, issuedAt }) as Coupon;

describe('a campaign’s outcome', () => {
  const stats = [
    { nodeId: 'start', entered: 1000, waiting: 0, exited: 1000, converted: 150 },
    { nodeId: 'split', entered: 1000, waiting: 0, exited: 1000, converted: 150 },
    { nodeId: 'email', entered: 900, waiting: 0, exited: 900, converted: 144 },
  ];
  const outcome = campaignOutcome(
    campaign,
    definition,
    stats,
    [message('email', 'delivered'), message('email', 'opened'), message('email', 'bounced'), message('sms', 'sent'), message('email', 'delivered', '2026-10-01T00:00:00.000Z')],
    [coupon('redeemed'), coupon('issued'), coupon('redeemed', '2026-10-01T00:00:00.000Z')],
  );

  test('counts messages per channel and coupons since the launch only', () => {
    expect(outcome.channels).toEqual({ email: { sent: 2, delivered: 2, failed: 1 }, sms: { sent: 1, delivered: 0, failed: 0 } });
    expect([outcome.couponsIssued, outcome.couponsRedeemed]).toEqual([2, 1]);
  });

  test('conversions and the win-back rate of a lapsed audience with a purchase goal', () => {
    expect([outcome.entered, outcome.converted, outcome.conversionRate]).toEqual([1000, 150, 0.15]);
    expect(outcome.winBackRate).toBe(0.15);
    expect(campaignOutcome({ ...campaign, audience: { stages: ['active'] } }, definition, stats, [], []).winBackRate).toBeNull();
  });

  test('lift of the treated arm over whoever the split held out', () => {
    expect(outcome.lift?.treated).toEqual({ n: 900, converted: 144 });
    expect(outcome.lift?.holdout).toEqual({ n: 100, converted: 6 });
    expect(outcome.lift?.absolute).toBeCloseTo(0.16 - 0.06, 5);
    expect(outcome.lift?.significant).toBe(true);
  });

  test('who counts as lapsed', () => {
    expect(targetsLapsed({ stages: ['dormant'] })).toBe(true);
    expect(targetsLapsed({ minDaysSinceLastPurchase: 90 })).toBe(true);
    expect(targetsLapsed({ segments: ['vip'] })).toBe(false);
  });
});
