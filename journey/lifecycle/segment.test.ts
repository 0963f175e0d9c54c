import { describe, expect, it } from 'vitest';
import { CustomerProfile } from '../customer.ts';
import type { ComputedProfile } from '../customer.ts';
import { lifecycleEventId, lifecycleEvents } from './changes.ts';
import { builtinSegments, SegmentDefinition, segmentMembership } from './segment.ts';

const now = Date.parse('2025-06-01T08:00:00Z');
const profile = (computed: Partial<ComputedProfile>) =>
  CustomerProfile.parse({ id: 'c1', computed: { stage: 'active', orderCount: 3, totalSpend: 300, segments: [], ...computed } });

describe('segment membership', () => {
  const definitions = SegmentDefinition.array().parse([
    ...builtinSegments,
    { id: 'vip-dormant', name: 'VIP dormant', condition: { type: 'all', conditions: [{ type: 'segment', segment: 'dormant-90d' }, { type: 'tag', tag: 'vip' }] } },
  ]);

  it.each([
    { computed: { stage: 'dormant' as const }, segments: ['dormant-90d'] },
    { computed: { stage: 'atRisk' as const, valueTier: 'high' as const }, segments: ['at-risk', 'high-value-at-risk'] },
    { computed: { stage: 'active' as const, rfm: { recency: 5, frequency: 5, monetary: 5, cell: 'champions' as const } }, segments: ['champions'] },
    { computed: { nps: 3 }, segments: ['nps-detractors'] },
    { computed: { nps: 9 }, segments: [] },
  ])('puts $computed in $segments', ({ computed, segments }) => {
    expect(segmentMembership(definitions, profile(computed), now)).toEqual(segments);
  });

  it('resolves segments built on other segments in the same evaluation', () => {
    const customer = { ...profile({ stage: 'dormant' }), tags: ['vip'] };
    expect(segmentMembership(definitions, customer, now)).toEqual(['dormant-90d', 'vip-dormant']);
  });

  it('drops memberships of segments that no longer exist', () => {
    expect(segmentMembership(definitions, profile({ segments: ['deleted-one'] }), now)).toEqual([]);
  });

  it('rejects event counts and bad ids', () => {
    const bad = SegmentDefinition.safeParse({
      id: 'Bad Id',
      name: 'x',
      condition: { type: 'eventCount', eventType: 'login', op: 'gte', count: 1, withinDays: 7 },
    });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['condition.type', 'id']);
    expect(bad.error?.issues[0]?.message).toMatch(/only branches can use it/);
  });
});

describe('lifecycle change events', () => {
  it('records stage, cell and segment changes with ids unique per customer, change and day', () => {
    const events = lifecycleEvents(
      'c1',
      { stage: 'atRisk', cell: null, segments: ['at-risk'] },
      { stage: 'dormant', cell: 'hibernating', segments: ['dormant-90d'] },
      now,
    );
    expect(events).toEqual([
      { id: 'lc:2025-06-01:stage:dormant:c1', type: 'stage_changed', customerId: 'c1', at: '2025-06-01T08:00:00.000Z', properties: { from: 'atRisk', to: 'dormant' } },
      { id: 'lc:2025-06-01:rfm:hibernating:c1', type: 'rfm_changed', customerId: 'c1', at: '2025-06-01T08:00:00.000Z', properties: { from: null, to: 'hibernating' } },
      { id: 'lc:2025-06-01:seg+:dormant-90d:c1', type: 'segment_entered', customerId: 'c1', at: '2025-06-01T08:00:00.000Z', properties: { segment: 'dormant-90d' } },
      { id: 'lc:2025-06-01:seg-:at-risk:c1', type: 'segment_left', customerId: 'c1', at: '2025-06-01T08:00:00.000Z', properties: { segment: 'at-risk' } },
    ]);
  });

  it('records nothing when nothing changed', () => {
    const same = { stage: 'active' as const, cell: 'loyal' as const, segments: ['x'] };
    expect(lifecycleEvents('c1', same, same, now)).toEqual([]);
  });

  it('keeps ids within 128 characters', () => {
    const long = 'x'.repeat(128);
    const id = lifecycleEventId('2025-06-01', 'stage:dormant', long);
    expect(id.length).toBeLessThanOrEqual(128);
    expect(id).not.toBe(lifecycleEventId('2025-06-02', 'stage:dormant', long));
  });
});
