import { describe, expect, test } from 'vitest';
import type { JourneyDefinition } from '../../../../journey/definition.ts';
import { RfmCell } from '../../../../journey/customer.ts';
import { journeyFunnel, rfmGrid, stageCounts, stageHistory } from './data.ts';

describe('dashboard numbers', () => {
  test('every stage and RFM cell is drawn, those nobody is in at 0', () => {
    expect(stageCounts({ active: 1, dormant: 2 })).toEqual({ prospect: 0, new: 0, active: 1, atRisk: 0, dormant: 2, churned: 0, wonBack: 0 });
    const grid = rfmGrid({ rfmCells: { champions: 1, lost: 2 }, rfmRevenue: { champions: 900, lost: 30.5 } });
    expect(grid.map((x) => x.cell)).toEqual([...RfmCell.options]);
    expect(grid.filter((x) => x.customers > 0)).toEqual([
      { cell: 'champions', customers: 1, revenue: 900 },
      { cell: 'lost', customers: 2, revenue: 30.5 },
    ]);
  });

  test('the stage history is the days the daily run counted, oldest first', () => {
    const history = stageHistory({
      days: [
        { day: '2026-11-18', at: '2026-11-18T03:00:00.000Z', customers: 2, stages: { atRisk: 1, active: 1 } },
        { day: '2026-11-20', at: '2026-11-20T12:00:00.000Z', customers: 3, stages: { dormant: 2, prospect: 1 } },
      ],
    });
    expect(history.map((h) => h.day)).toEqual(['2026-11-18', '2026-11-20']);
    expect(history[0]).toMatchObject({ atRisk: 1, active: 1, dormant: 0 });
    expect(history[1]).toMatchObject({ atRisk: 0, dormant: 2, prospect: 1 });
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
