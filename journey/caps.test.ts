import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitrate, capNote, claimStaleAfter, goesFirst, yieldRecheck } from './caps.ts';
import type { CapClaim, CapSlot } from './caps.ts';
import type { FrequencyCap, JourneyPriority } from './settings.ts';
import { DAY, HOUR } from './time.ts';

const now = Date.parse('2026-03-02T09:00:00Z');
const oneSmsADay: FrequencyCap[] = [{ channel: 'sms', max: 1, periodHours: 24 }];

function claim(key: string, priority: JourneyPriority, fields: Partial<CapClaim> = {}): CapClaim {
  return { key, since: now - HOUR, dueAt: now, journeyId: `j-${key}`, journeyName: `Journey ${key}`, priority, ...fields };
}

describe('arbitrate: frequency caps shared across journeys', () => {
  it('grants a send while the cap has room', () => {
    expect(arbitrate(claim('a', 'low'), oneSmsADay, { slots: [], claims: [] }, now)).toEqual({ type: 'grant' });
  });

  it('a full cap makes any priority wait until its oldest slot leaves the window, naming the journey that holds it', () => {
    const slot: CapSlot = { key: 'x', at: now - 2 * HOUR, journeyId: 'flash', journeyName: 'Flash sale', priority: 'low' };
    const verdict = arbitrate(claim('a', 'critical'), oneSmsADay, { slots: [slot], claims: [] }, now);
    expect(verdict).toEqual({ type: 'wait', reason: 'full', until: now - 2 * HOUR + DAY, by: { journeyId: 'flash', journeyName: 'Flash sale', priority: 'low' } });
    if (verdict.type === 'wait') expect(capNote(verdict, 'waited', now)).toMatchObject({ detail: 'capped by journey Flash sale, priority low', until: new Date(now + 22 * HOUR).toISOString() });
    // A slot that left the window counts no more.
    expect(arbitrate(claim('a', 'low'), oneSmsADay, { slots: [{ ...slot, at: now - DAY }], claims: [] }, now)).toEqual({ type: 'grant' });
  });

  it('the last slot goes to the higher-priority send that is due: the lower one yields, the higher one is granted', () => {
    const high = claim('h', 'high');
    const low = claim('l', 'low', { since: now - 2 * HOUR }); // older, but lower
    const claims = [high, low];
    const lowVerdict = arbitrate(low, oneSmsADay, { slots: [], claims }, now);
    expect(lowVerdict).toMatchObject({ type: 'wait', reason: 'yield', until: now + yieldRecheck, by: { journeyName: 'Journey h', priority: 'high' } });
    expect(arbitrate(high, oneSmsADay, { slots: [], claims }, now)).toEqual({ type: 'grant' });
    // With room for both, nobody yields.
    expect(arbitrate(low, [{ channel: 'sms', max: 2, periodHours: 24 }], { slots: [], claims }, now)).toEqual({ type: 'grant' });
  });

  it('equal priorities go first come, first served; a claim not due yet or gone stale holds nothing back', () => {
    const first = claim('a', 'normal', { since: now - 2 * HOUR });
    const second = claim('b', 'normal', { since: now - HOUR });
    expect(arbitrate(second, oneSmsADay, { slots: [], claims: [first, second] }, now)).toMatchObject({ type: 'wait', reason: 'yield' });
    expect(arbitrate(first, oneSmsADay, { slots: [], claims: [first, second] }, now)).toEqual({ type: 'grant' });
    const later = claim('h', 'critical', { dueAt: now + HOUR });
    const gone = claim('g', 'critical', { dueAt: now - claimStaleAfter - 1 });
    expect(arbitrate(second, oneSmsADay, { slots: [], claims: [later, gone] }, now)).toEqual({ type: 'grant' });
  });

  it('under concurrent claims, decided one at a time in any order: never more sends than the cap, and the highest-priority claims get the slots', () => {
    const priority = fc.constantFrom<JourneyPriority>('low', 'normal', 'high', 'critical');
    fc.assert(
      fc.property(
        fc.array(fc.record({ priority, minutesAgo: fc.integer({ min: 0, max: 600 }) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        (wanted, max, order) => {
          const caps: FrequencyCap[] = [{ channel: 'sms', max, periodHours: 24 }];
          const claims = wanted.map((w, i) => claim(`k${i}`, w.priority, { since: now - w.minutesAgo * 60_000 }));
          // The cap book: each decision sees every grant made before it (the compare-and-set).
          const granted: CapSlot[] = [];
          // Sends decide in an arbitrary interleaving; one that yields asks again later.
          for (let round = 0; round < order.length; round += 1) {
            const open = claims.filter((c) => !granted.some((g) => g.key === c.key));
            const next = open[(order[round] ?? 0) % Math.max(1, open.length)];
            if (next === undefined) break;
            const pending = open.filter((c) => c.key !== next.key);
            const verdict = arbitrate(next, caps, { slots: granted, claims: pending }, now);
            if (verdict.type === 'grant') granted.push({ key: next.key, at: now, priority: next.priority });
          }
          expect(granted.length).toBeLessThanOrEqual(max);
          // Nobody outside the `max` best claims ever got a slot, whatever the order.
          const best = [...claims].sort((a, b) => (goesFirst(a, b) ? -1 : 1)).slice(0, max).map((c) => c.key);
          for (const g of granted) expect(best).toContain(g.key);
        },
      ),
      { numRuns: 300 },
    );
  });
});
