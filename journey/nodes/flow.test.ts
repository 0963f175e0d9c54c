import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile.ts';
import type { Condition } from '../condition.ts';
import type { CustomerProfile } from '../customer.ts';
import { step } from '../interpreter/step.ts';
import type { Command, JourneyState } from '../interpreter/types.ts';
import { DAY, HOUR } from '../time.ts';
import { T0, around, customer, definitionOf } from '../testing/fixtures.ts';
import type { StepSpec } from '../testing/fixtures.ts';
import type { JourneySettings } from '../settings.ts';
import { nodeRegistry } from './registry.ts';
import { splitBucket } from './split.ts';
import type { WaitConfig } from './wait.ts';

/** Starts a run of `around(subject)` and returns the last command and the subject's trace. */
function enter(subject: StepSpec, options: { customer?: CustomerProfile; now?: number; settings?: Partial<JourneySettings> } = {}) {
  const definition = definitionOf(around(subject, options.settings));
  const result = step(definition, null, { type: 'start', runId: 'run-1', journeyId: 'test-journey', customer: options.customer ?? customer() }, options.now ?? T0);
  const taken = result.trace.filter((t) => t.nodeId === subject.id && t.outcome !== 'entered').map((t) => t.outcome);
  return { definition, state: result.state, command: result.commands.at(-1), taken };
}

const iso = (ms: number | undefined) => new Date(ms ?? 0).toISOString();

describe('wait', () => {
  const waits: [string, WaitConfig, number][] = [
    ['7 days', { mode: 'duration', duration: { amount: 7, unit: 'days' } }, T0 + 7 * DAY],
    ['90 minutes', { mode: 'duration', duration: { amount: 90, unit: 'minutes' } }, T0 + 90 * 60_000],
    ['until the next weekday 09:00–11:00 in London (Tuesday)', { mode: 'timeWindow', from: '09:00', to: '11:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] }, Date.UTC(2025, 0, 7, 9)],
    ['until 09:00 on the birthday, in the customer’s timezone', { mode: 'dateAttribute', attribute: 'birthday', offsetDays: 0, localTime: '09:00', yearly: true }, Date.UTC(2025, 0, 9, 9)],
    ['until two days before a custom date', { mode: 'dateAttribute', attribute: 'renewal', offsetDays: -2, localTime: '10:00', yearly: false }, Date.UTC(2025, 1, 1, 10)],
  ];
  it.each(waits)('waits %s', (_name, config, until) => {
    const person = customer({ birthday: '1990-01-09', attributes: { renewal: '2025-02-03' } });
    const { command } = enter({ id: 'w', kind: 'wait', config }, { customer: person });
    expect(command).toMatchObject({ type: 'wait', nodeId: 'w' });
    expect(iso(command?.type === 'wait' ? command.until : 0)).toBe(iso(until));
  });

  const instant: [string, WaitConfig][] = [
    ['inside the time window', { mode: 'timeWindow', from: '11:00', to: '13:00', days: ['mon'] }],
    ['a birthday that was yesterday', { mode: 'dateAttribute', attribute: 'birthday', offsetDays: 0, localTime: '09:00', yearly: true }],
    ['no such date on the profile', { mode: 'dateAttribute', attribute: 'renewal', offsetDays: 0, localTime: '09:00', yearly: false }],
  ];
  it.each(instant)('continues at once when %s', (_name, config) => {
    const { command, taken } = enter({ id: 'w', kind: 'wait', config }, { customer: customer({ birthday: '1990-01-05' }) });
    expect(taken).toEqual(['next']);
    expect(command).toMatchObject({ type: 'complete', reason: 'exit' });
  });

  it('rejects non-positive waits and empty weekday lists with the step named', () => {
    const zero = compile(around({ id: 'w', kind: 'wait', label: 'Cool off', config: { mode: 'duration', duration: { amount: -1, unit: 'hours' } } }));
    const noDays = compile(around({ id: 'w', kind: 'wait', config: { mode: 'timeWindow', from: '09:00', to: '10:00', days: [] } }));
    expect(zero.ok ? [] : zero.errors).toEqual([expect.objectContaining({ nodeId: 'w', code: 'WAIT_NOT_POSITIVE', message: '“Cool off” waits -1 hours: enter a wait longer than zero.' })]);
    expect(noDays.ok ? [] : noDays.errors.map((e) => e.code)).toEqual(['WAIT_NO_DAYS']);
  });

  it('rejects an invalid timezone on a time window', () => {
    const result = compile(around({ id: 'w', kind: 'wait', config: { mode: 'timeWindow', from: '09:00', to: '10:00', days: ['mon'], timezone: 'Europe/Atlantis' } }));
    expect(result.ok ? [] : result.errors.map((e) => [e.code, e.nodeId, e.path])).toEqual([['INVALID_TIMEZONE', 'w', 'nodes[1].config.timezone']]);
  });
});

describe('waitForEvent', () => {
  const spec: StepSpec = { id: 'wfe', kind: 'waitForEvent', config: { eventType: 'order_completed', filter: [{ property: 'total', op: 'gte', value: 20 }], timeout: { amount: 3, unit: 'days' } } };
  const resume = (state: JourneyState, input: Parameters<typeof step>[2], now = T0 + HOUR) => step(enter(spec).definition, state, input, now);
  const order = (total: number) => ({ type: 'order_completed', customerId: 'cust-1', at: new Date(T0 + HOUR).toISOString(), properties: { total } });

  it('waits for the event with its filter and a timeout', () => {
    expect(enter(spec).command).toEqual({ type: 'waitForEvent', nodeId: 'wfe', eventType: 'order_completed', filter: [{ property: 'total', op: 'gte', value: 20 }], until: T0 + 3 * DAY });
  });

  it.each([
    ['a matching event takes the `event` exit', { type: 'eventReceived', event: order(25) }, 'event'],
    ['the timeout takes the `timeout` exit', { type: 'timerFired', nodeId: 'wfe' }, 'timeout'],
  ] as const)('%s', (_name, input, exit) => {
    const { trace } = resume(enter(spec).state, input);
    expect(trace.find((t) => t.nodeId === 'wfe')?.outcome).toBe(exit);
  });

  it('ignores events that do not pass the filter, and stale timers', () => {
    const { state } = enter(spec);
    for (const input of [{ type: 'eventReceived', event: order(5) }, { type: 'timerFired', nodeId: 'other' }] as const) {
      const result = resume(state, input);
      expect(result.commands).toEqual([state.pending]);
      expect(result.trace).toEqual([]);
    }
  });
});

describe('branch', () => {
  const branch = (conditions: { id: string; condition: Condition }[]): StepSpec => ({
    id: 'b',
    kind: 'branch',
    config: { conditions: conditions.map((c) => ({ ...c, label: c.id })) },
  });
  const vip: Condition = { type: 'attribute', attribute: 'valueTier', op: 'eq', value: 'high' };
  const atRisk: Condition = { type: 'stage', stages: ['atRisk'] };

  it.each([
    ['the first matching condition wins', customer({ computed: { stage: 'atRisk', valueTier: 'high' } }), 'vip'],
    ['the second when the first does not match', customer({ computed: { stage: 'atRisk', valueTier: 'low' } }), 'risk'],
    ['else when nothing matches', customer({ computed: { stage: 'active' } }), 'else'],
  ])('%s', (_name, person, exit) => {
    expect(enter(branch([{ id: 'vip', condition: vip }, { id: 'risk', condition: atRisk }]), { customer: person }).taken).toEqual([exit]);
  });

  it('has one exit per condition plus else, and rejects duplicate ids', () => {
    const config = { conditions: [{ id: 'a', label: 'A', condition: vip }, { id: 'a', label: 'A again', condition: atRisk }] };
    expect(nodeRegistry.branch.exits(config).map((e) => e.id)).toEqual(['a', 'a', 'else']);
    const result = compile(around({ id: 'b', kind: 'branch', config: { conditions: [{ id: 'else', label: 'Else?', condition: vip }] } }));
    expect(result.ok ? [] : result.errors.map((e) => e.code)).toContain('DUPLICATE_EXIT_ID');
  });
});

describe('split', () => {
  const ab: StepSpec = { id: 's', kind: 'split', config: { arms: [{ id: 'a', label: 'A', weight: 45 }, { id: 'b', label: 'B', weight: 45 }], holdout: { weight: 10 } } };

  it('sends each customer to the same arm every time, by a stable hash', () => {
    for (const id of ['c-1', 'c-2', 'c-3']) {
      const first = enter(ab, { customer: customer({ id }) }).taken;
      expect(enter(ab, { customer: customer({ id }) }).taken).toEqual(first);
    }
  });

  it('divides customers by weight, with the holdout share held back', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const bucket = splitBucket('test-journey', 's', `c-${i}`);
      const arm = bucket < 45 ? 'a' : bucket < 90 ? 'b' : 'holdout';
      counts[arm] = (counts[arm] ?? 0) + 1;
    }
    expect(counts.a).toBeGreaterThan(1650);
    expect(counts.b).toBeGreaterThan(1650);
    expect(counts.holdout).toBeGreaterThan(300);
    expect(counts.holdout).toBeLessThan(500);
  });

  it('keeps holdout customers in the run until the goal window closes, sending nothing', () => {
    const held = Array.from({ length: 200 }, (_, i) => customer({ id: `c-${i}` })).find((c) => splitBucket('test-journey', 's', c.id) >= 90);
    const { command, state } = enter(ab, { customer: held, settings: { goal: { eventType: 'order_completed', filter: [], windowDays: 14 } } });
    expect(command).toEqual({ type: 'wait', nodeId: 's', until: T0 + 14 * DAY, reason: 'holdout' });
    expect(state.arms).toEqual({ s: 'holdout' });
    const without = enter(ab, { customer: held });
    expect(without.command).toMatchObject({ type: 'complete', reason: 'holdout' });
  });

  it.each([
    [[50, 40], undefined, '“Test” splits A 50% + B 40% = 90%: the weights must add up to 100%.'],
    [[50, 40], 20, '“Test” splits A 50% + B 40% + holdout 20% = 110%: the weights must add up to 100%.'],
  ])('rejects weights %j with holdout %s', (weights, holdout, message) => {
    const config = { arms: weights.map((weight, i) => ({ id: `arm${i}`, label: i === 0 ? 'A' : 'B', weight })), ...(holdout ? { holdout: { weight: holdout } } : {}) };
    const result = compile(around({ id: 's', kind: 'split', label: 'Test', config }));
    expect(result.ok ? [] : result.errors).toEqual([expect.objectContaining({ nodeId: 's', code: 'SPLIT_WEIGHTS_NOT_100', message })]);
  });
});

describe('exit', () => {
  it('ends the run with reason exit and has no exits', () => {
    const command: Command | undefined = enter({ id: 'x', kind: 'exit', config: {} }).command;
    expect(command).toEqual({ type: 'complete', reason: 'exit', nodeId: 'x' });
    expect(nodeRegistry.exit.exits({})).toEqual([]);
  });
});
