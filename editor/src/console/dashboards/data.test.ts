import { describe, expect, test } from 'vitest';
import type { JourneyDefinition } from '../../../../journey/definition.ts';
import type { Customer } from '../../client/customers.ts';
import type { StoredEvent } from '../../client/events.ts';
import { customer } from '../testing/fixtures.ts';
import { churnHistogram, journeyFunnel, rfmGrid, stageDistribution, stageHistory } from './data.ts';

const c = (id: string, computed: Record<string, unknown>, createdAt = '2026-01-01T00:00:00.000Z'): Customer =>
  customer({ id, createdAt, computed: { orderCount: 0, totalSpend: 0, segments: [], ...computed } }) as unknown as Customer;
const now = Date.parse('2026-11-20T12:00:00Z');

describe('dashboard numbers', () => {
  const customers = [
    c('a', { stage: 'active', rfm: { recency: 5, frequency: 5, monetary: 5, cell: 'champions' }, totalSpend: 900, churnRisk: 0.05, valueTier: 'high' }),
    c('b', { stage: 'dormant', rfm: { recency: 1, frequency: 5, monetary: 5, cell: 'cantLose' }, totalSpend: 700, churnRisk: 0.95, valueTier: 'high' }),
    c('d', { stage: 'dormant', rfm: { recency: 1, frequency: 1, monetary: 1, cell: 'lost' }, totalSpend: 30, churnRisk: 0.9, valueTier: 'low' }),
    c('p', { stage: 'prospect' }, '2026-11-19T08:00:00.000Z'),
  ];

  test('stage distribution, RFM cells with revenue, churn risk by value tier', () => {
    expect(stageDistribution(customers)).toMatchObject({ active: 1, dormant: 2, prospect: 1, churned: 0 });
    expect(rfmGrid(customers).filter((x) => x.customers > 0)).toEqual([
      { cell: 'champions', customers: 1, revenue: 900 },
      { cell: 'cantLose', customers: 1, revenue: 700 },
      { cell: 'lost', customers: 1, revenue: 30 },
    ]);
    const bins = churnHistogram(customers);
    expect(bins[0]).toMatchObject({ high: 1, low: 0 });
    expect(bins[9]).toMatchObject({ high: 1, low: 1 });
  });

  test('the stage history undoes later stage changes and customers created later', () => {
    const events = [{ id: 'e', type: 'stage_changed', customerId: 'b', at: '2026-11-18T10:00:00.000Z', properties: { from: 'atRisk', to: 'dormant' }, receivedAt: '' }] as StoredEvent[];
    const history = stageHistory(customers, events, 4, now);
    expect(history.map((h) => h.day)).toEqual(['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
    expect(history[0]).toMatchObject({ atRisk: 1, dormant: 1, prospect: 0, active: 1 });
    expect(history[1]).toMatchObject({ atRisk: 0, dormant: 2, prospect: 0 });
    expect(history[3]).toMatchObject({ atRisk: 0, dormant: 2, prospect: 1 });
  });

  test('a journey funnel follows the wiring from the trigger and ends with conversions', () => {
    const node = (id: string, kind: string, label: string) => ({ id, kind, label, position: { x: 0, y: 0 }, config: {} });
    const definition = {
      entryNodeId: 't',
      nodes: { t: node('t', 'segment', 'Dormant'), e: node('e', 'email', 'Send email'), w: node('w', 'waitForEvent', 'Wait'), x: node('x', 'exit', 'Done') },
      wiring: { t: { next: 'e' }, e: { sent: 'w' }, w: { event: 'x', timeout: 'x' } },
    } as unknown as JourneyDefinition;
    const funnel = journeyFunnel(definition, [
      { nodeId: 't', entered: 100, waiting: 0, exited: 100, converted: 20 },
      { nodeId: 'e', entered: 98, waiting: 0, exited: 98, converted: 20 },
    ]);
    expect(funnel.steps.map((s) => [s.label, s.entered])).toEqual([['Dormant', 100], ['Send email', 98], ['Wait', 0]]);
    expect(funnel.converted).toBe(20);
  });
});
