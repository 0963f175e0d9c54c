// The forecast converts lunar (农历) date triggers and waits as runs do: with the runtime's own
// conversion (activities/lunar.ts), across a leap month.
import { describe, expect, it } from 'vitest';
import { lunarToSolar } from '../../activities/lunar.ts';
import { compile } from '../compile/compile.ts';
import type { JourneyDefinition } from '../definition.ts';
import type { JourneyGraph } from '../graph.ts';
import { customer } from '../testing/fixtures.ts';
import { neverResponds } from './cohort.ts';
import type { SimCustomer } from './cohort.ts';
import { forecastPath } from './path.ts';
import { simulate } from './simulate.ts';

const shanghai = (t: number | undefined) => (t === undefined ? undefined : new Date(t + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' '));

function journey(trigger: JourneyGraph['nodes'][number], wait?: JourneyGraph['nodes'][number]): JourneyDefinition {
  const nodes = [trigger, ...(wait ? [wait] : []), { id: 'done', kind: 'exit', position: { x: 0, y: 200 }, config: {} }];
  const graph = {
    schemaVersion: 1,
    id: 'lunar-care',
    name: 'Lunar birthday care',
    settings: { defaultLocale: 'zh-CN', timezone: 'Asia/Shanghai', reEntry: { policy: 'never' }, frequencyCaps: [] },
    nodes,
    edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i]?.id ?? '', sourceHandle: 'next', target: node.id })),
  } as JourneyGraph;
  const result = compile(graph);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

// 闰六月初十 (leap 6th month, day 10): lunar 2025 has a leap 6th month, so it is 3 August 2025.
const cohort: SimCustomer[] = [{ profile: customer({ id: 'mei', timezone: 'Asia/Shanghai', attributes: { lunarBirthday: 'lunar-leap-06-10' } }), behaviour: neverResponds }];
const options = { days: 300, seed: 1, start: Date.UTC(2025, 0, 6), timelines: ['mei'], calendar: lunarToSolar };

describe('lunar dates in the forecast', () => {
  it('a lunar birthday trigger enters on the solar date runs use (a leap-month birthday in a leap year)', () => {
    const definition = journey({ id: 'trigger', kind: 'date', position: { x: 0, y: 0 }, config: { attribute: 'lunarBirthday', offsetDays: -1, localTime: '10:00' } });
    const report = simulate(definition, cohort, options);
    expect(report.entered).toBe(1);
    expect(shanghai(report.timelines[0]?.steps[0]?.at)).toBe('2025-08-02 10:00');
    // Without the calendar a lunar date never comes up, as before.
    expect(simulate(definition, cohort, { ...options, calendar: undefined }).entered).toBe(0);
  });

  it('a wait until the lunar birthday ends on that solar date', () => {
    const definition = journey(
      { id: 'trigger', kind: 'api', position: { x: 0, y: 0 }, config: {} },
      { id: 'until-birthday', kind: 'wait', position: { x: 0, y: 100 }, config: { mode: 'dateAttribute', attribute: 'lunarBirthday', offsetDays: 0, localTime: '09:00', yearly: true } },
    );
    // From June: the nearest anniversary, as a run picks it, is this August's (last year's was in July 2024).
    const report = simulate(definition, cohort, { ...options, start: Date.UTC(2025, 5, 2) });
    const left = report.timelines[0]?.steps.find((step) => step.nodeId === 'until-birthday' && step.outcome === 'next');
    expect(shanghai(left?.at)).toBe('2025-08-03 09:00');
  });

  it('a real customer’s path converts their lunar birthday too', () => {
    const definition = journey({ id: 'trigger', kind: 'date', position: { x: 0, y: 0 }, config: { attribute: 'lunarBirthday', offsetDays: -1, localTime: '10:00' } });
    const profile = cohort[0]!.profile;
    const path = forecastPath(definition, profile, { start: options.start, days: 300, calendar: lunarToSolar });
    expect(path.entered).toBe(true);
    expect(shanghai(path.steps[0]?.at)).toBe('2025-08-02 10:00');
    expect(forecastPath(definition, profile, { start: options.start, days: 300 }).entered).toBe(false);
  });
});
