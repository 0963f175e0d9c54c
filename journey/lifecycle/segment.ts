import { z } from 'zod';
import { evaluateCondition, ProfileCondition } from '../condition.ts';
import type { EventTallies } from '../condition.ts';
import type { CustomerProfile } from '../customer.ts';

/**
 * Segments: named rules in the same condition language as a journey's `branch`, evaluated
 * against each customer's profile (computed fields included) on every event, by the full
 * recompute and by the daily sweep. Membership lives in `computed.segments`; joining and
 * leaving record `segment_entered` / `segment_left` events (changes.ts).
 *
 * - `eventCount` conditions are not allowed in segments: they count events seen during a
 *   journey run, which a segment evaluated outside any run does not have. `eventHistory`
 *   conditions count the customer's stored events instead; the store tallies them
 *   (store/eventHistory.ts) and passes the tallies in. Their window slides with time, so the
 *   daily run re-evaluates them even for customers who sent no event.
 * - A segment may test membership of another segment; evaluation repeats (at most 3 passes)
 *   until memberships stop changing, so "high-value AND in segment dormant" is up to date in
 *   the same evaluation.
 */

/** Lower-case letters, digits and dashes, e.g. `dormant-90d`: used in URLs and triggers. */
export const SegmentId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, e.g. dormant-90d');
export type SegmentId = z.infer<typeof SegmentId>;

/** The part of a segment a marketer edits. */
export const SegmentRule = z.object({
  name: z.string().min(1).max(120),
  description: z.string().max(500).default(''),
  // No eventCount (run events), by the schema itself, so the OpenAPI document says so too.
  condition: ProfileCondition,
});
export type SegmentRule = z.infer<typeof SegmentRule>;

export const SegmentDefinition = SegmentRule.extend({ id: SegmentId });
export type SegmentDefinition = z.infer<typeof SegmentDefinition>;

/**
 * The ids of the segments `customer` belongs to at `now`, in definition order.
 *
 * @example segmentMembership([{ id: 'dormant-90d', condition: { type: 'stage', stages: ['dormant'] }, ... }], customer, now) // ['dormant-90d']
 */
export function segmentMembership(
  definitions: readonly Pick<SegmentDefinition, 'id' | 'condition'>[],
  customer: CustomerProfile,
  now: number,
  history?: EventTallies,
): string[] {
  let current = customer.computed.segments.filter((s) => definitions.some((d) => d.id === s));
  for (let pass = 0; pass < 3; pass++) {
    const view = { ...customer, computed: { ...customer.computed, segments: current } };
    const next = definitions.filter((d) => evaluateCondition(d.condition, { customer: view, now, history })).map((d) => d.id);
    const same = next.length === current.length && next.every((s, i) => s === current[i]);
    current = next;
    if (same) break;
  }
  return current;
}

/**
 * Segments every workspace starts with; the built-in journeys and the demo data use them.
 * They can be edited or deleted like any other.
 */
export const builtinSegments: readonly SegmentDefinition[] = [
  {
    id: 'dormant-90d',
    name: 'Dormant (90+ days without a purchase)',
    description: 'Lifecycle stage dormant: no purchase for dormantDays (90 by default), not yet churned.',
    condition: { type: 'stage', stages: ['dormant'] },
  },
  {
    id: 'at-risk',
    name: 'At risk',
    description: 'Lifecycle stage at risk: later than usual for their next purchase.',
    condition: { type: 'stage', stages: ['atRisk'] },
  },
  {
    id: 'high-value-at-risk',
    name: 'High value, at risk',
    description: 'Top spenders who are at risk or dormant: a personal call from the account manager.',
    condition: {
      type: 'all',
      conditions: [
        { type: 'attribute', attribute: 'valueTier', op: 'eq', value: 'high' },
        { type: 'stage', stages: ['atRisk', 'dormant'] },
      ],
    },
  },
  {
    id: 'champions',
    name: 'Champions',
    description: 'RFM cell champions: bought recently, often, and spend the most.',
    condition: { type: 'rfm', cells: ['champions'] },
  },
  {
    id: 'nps-detractors',
    name: 'NPS detractors',
    description: 'Latest NPS answer 0–6: a customer-service follow-up.',
    condition: { type: 'attribute', attribute: 'nps', op: 'lte', value: 6 },
  },
];
