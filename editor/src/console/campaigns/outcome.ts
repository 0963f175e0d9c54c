import type { JourneyDefinition } from '../../../../journey/definition.ts';
import { liftAgainstHoldout } from '../../../../journey/lifecycle/lift.ts';
import type { Lift } from '../../../../journey/lifecycle/lift.ts';
import type { Campaign } from '../../client/campaigns.ts';
import type { NodeStats } from '../../client/journeys.ts';
import type { Coupon, Message } from '../../client/ledger.ts';

/** Sent, delivered and failed messages of one channel. */
export interface ChannelCounts {
  sent: number;
  delivered: number;
  failed: number;
}

/** What a campaign achieved, from its journey's numbers since the launch. */
export interface CampaignOutcome {
  channels: { email: ChannelCounts; sms: ChannelCounts };
  couponsIssued: number;
  couponsRedeemed: number;
  entered: number;
  converted: number;
  conversionRate: number | null;
  /** Conversions of lapsed (dormant or churned) entrants when the goal is a purchase; else null. */
  winBackRate: number | null;
  /** Treated arms against the holdout; null without a holdout or before anyone entered both. */
  lift: (Lift & { treated: { n: number; converted: number }; holdout: { n: number; converted: number } }) | null;
}

const sentStatuses = new Set(['sent', 'delivered', 'opened', 'clicked']);
const deliveredStatuses = new Set(['delivered', 'opened', 'clicked']);
const failedStatuses = new Set(['failed', 'undelivered', 'bounced']);

function channelCounts(messages: readonly Message[], channel: 'email' | 'sms'): ChannelCounts {
  const of = messages.filter((m) => m.channel === channel);
  return {
    sent: of.filter((m) => sentStatuses.has(m.status)).length,
    delivered: of.filter((m) => deliveredStatuses.has(m.status)).length,
    failed: of.filter((m) => failedStatuses.has(m.status)).length,
  };
}

/** True when the audience are lapsed customers (dormant or churned, or a dormant segment). */
export function targetsLapsed(audience: Campaign['audience']): boolean {
  return (
    (audience.stages?.some((s) => s === 'dormant' || s === 'churned') ?? false) ||
    (audience.segments?.some((s) => /dormant|churn|lapsed/.test(s)) ?? false) ||
    (audience.minDaysSinceLastPurchase ?? 0) >= 60
  );
}

/**
 * Holdout against the treated arms of the journey's first split with a holdout. Node numbers
 * count runs that visited a step, so the arms are the steps each arm leads to and the holdout
 * is whoever reached the split but none of them.
 */
function holdoutLift(definition: JourneyDefinition, stats: ReadonlyMap<string, NodeStats>): CampaignOutcome['lift'] {
  for (const [nodeId, node] of Object.entries(definition.nodes)) {
    if (node.kind !== 'split' || node.config.holdout === undefined) continue;
    const split = stats.get(nodeId);
    if (!split) return null;
    const targets = new Set(node.config.arms.flatMap((arm) => definition.wiring[nodeId]?.[arm.id] ?? []));
    let n = 0;
    let converted = 0;
    for (const target of targets) {
      n += stats.get(target)?.entered ?? 0;
      converted += stats.get(target)?.converted ?? 0;
    }
    const holdout = { n: Math.max(0, split.entered - n), converted: Math.max(0, split.converted - converted) };
    const lift = liftAgainstHoldout(converted, n, holdout.converted, holdout.n);
    return lift === null ? null : { ...lift, treated: { n, converted }, holdout };
  }
  return null;
}

/**
 * A campaign's outcome: messages and coupons of its journey since the launch, conversions
 * and lift from the journey's step numbers.
 *
 * @example campaignOutcome(campaign, definition, stats, messages, coupons).channels.email.delivered // 412
 */
export function campaignOutcome(
  campaign: Campaign,
  definition: JourneyDefinition,
  nodeStats: readonly NodeStats[],
  messages: readonly Message[],
  coupons: readonly Coupon[],
): CampaignOutcome {
  const since = campaign.createdAt;
  const ours = messages.filter((m) => m.createdAt >= since);
  const issued = coupons.filter((c) => c.issuedAt >= since);
  const stats = new Map(nodeStats.map((s) => [s.nodeId, s]));
  const entry = stats.get(definition.entryNodeId);
  const entered = entry?.entered ?? 0;
  const converted = entry?.converted ?? 0;
  const conversionRate = entered === 0 ? null : converted / entered;
  const purchaseGoal = definition.settings.goal?.eventType === 'order_completed';
  return {
    channels: { email: channelCounts(ours, 'email'), sms: channelCounts(ours, 'sms') },
    couponsIssued: issued.length,
    couponsRedeemed: issued.filter((c) => c.status === 'redeemed').length,
    entered,
    converted,
    conversionRate,
    winBackRate: purchaseGoal && targetsLapsed(campaign.audience) ? conversionRate : null,
    lift: holdoutLift(definition, stats),
  };
}
