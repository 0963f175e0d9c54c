import { describe, expect, it } from 'vitest';
import type { CustomerEvent } from '../event.ts';
import { limits } from '../limits.ts';
import { DAY, HOUR } from '../time.ts';
import { T0, consentOf, customer, definitionOf, edge, graph, node } from '../testing/fixtures.ts';
import { step } from './step.ts';
import { JourneyState } from './types.ts';
import type { StepInput } from './types.ts';

const goal = { eventType: 'order_completed', filter: [], windowDays: 30 };
const order = (at: number): CustomerEvent => ({ type: 'order_completed', customerId: 'cust-1', at: new Date(at).toISOString(), properties: {} });
const start: StepInput = { type: 'start', runId: 'journey/win-back/cust-1', journeyId: 'win-back', customer: customer() };

/** trigger → email → wait 7 days → sms → exit, with a 30-day purchase goal. */
const winBack = definitionOf(
  graph(
    [
      node({ id: 'start', kind: 'segment', config: { segment: 'dormant-90d' } }),
      node({ id: 'email', kind: 'email', config: { templateId: 'winback-offer' } }),
      node({ id: 'wait', kind: 'wait', config: { mode: 'duration', duration: { amount: 7, unit: 'days' } } }),
      node({ id: 'sms', kind: 'sms', config: { templateId: 'winback-reminder' } }),
      node({ id: 'end', kind: 'exit', config: {} }),
    ],
    [edge('start', 'next', 'email'), edge('email', 'sent', 'wait'), edge('wait', 'next', 'sms'), edge('sms', 'sent', 'end')],
    { goal, quietHours: { start: '21:00', end: '09:00' } },
  ),
);

function waitingAtWait() {
  const started = step(winBack, null, start, T0);
  return step(winBack, started.state, { type: 'actionResult', nodeId: 'email', outcome: 'ok' }, T0);
}

describe('step', () => {
  it('runs a customer through the journey, one blocking command at a time', () => {
    const started = step(winBack, null, start, T0);
    expect(started.commands).toEqual([expect.objectContaining({ type: 'action', kind: 'email', idempotencyKey: 'journey/win-back/cust-1:email:1' })]);
    const waiting = step(winBack, started.state, { type: 'actionResult', nodeId: 'email', outcome: 'ok' }, T0);
    expect(waiting.commands).toEqual([{ type: 'wait', nodeId: 'wait', until: T0 + 7 * DAY, reason: 'duration' }]);
    const sms = step(winBack, waiting.state, { type: 'timerFired', nodeId: 'wait' }, T0 + 7 * DAY);
    expect(sms.commands).toEqual([expect.objectContaining({ type: 'action', kind: 'sms', idempotencyKey: 'journey/win-back/cust-1:sms:1' })]);
    const done = step(winBack, sms.state, { type: 'actionResult', nodeId: 'sms', outcome: 'ok' }, T0 + 7 * DAY);
    expect(done.commands).toEqual([{ type: 'complete', reason: 'exit', nodeId: 'end' }]);
    expect(done.state.history.map((h) => `${h.nodeId}:${h.outcome}`)).toEqual([
      'start:entered', 'start:next', 'email:entered', 'email:acting', 'email:sent', 'wait:entered', 'wait:waiting',
      'wait:next', 'sms:entered', 'sms:acting', 'sms:sent', 'end:entered', 'end:exit',
    ]);
  });

  it.each([
    ['while waiting on a timer', () => waitingAtWait().state],
    ['while an email is being sent', () => step(winBack, null, start, T0).state],
    ['while a send waits for quiet hours to end', () => step(winBack, null, start, Date.UTC(2025, 0, 6, 23)).state],
  ])('exits with the goal from any step: %s', (_name, state) => {
    const result = step(winBack, state(), { type: 'eventReceived', event: order(T0 + DAY) }, T0 + DAY);
    expect(result.commands).toEqual([expect.objectContaining({ type: 'complete', reason: 'goal' })]);
    expect(result.state.completion?.reason).toBe('goal');
  });

  it('does not count a goal event after the goal window', () => {
    const state = waitingAtWait().state;
    const late = step(winBack, state, { type: 'eventReceived', event: order(T0 + 31 * DAY) }, T0 + 31 * DAY);
    expect(late.commands).toEqual([state.pending]);
  });

  it('ignores stale timers and results for other steps, keeping the pending command', () => {
    const { state } = waitingAtWait();
    for (const input of [
      { type: 'timerFired', nodeId: 'email' },
      { type: 'actionResult', nodeId: 'sms', outcome: 'ok' },
      { type: 'eventReceived', event: { ...order(T0), type: 'login' } },
      { type: 'start', runId: 'again', journeyId: 'win-back', customer: customer() },
    ] as const) {
      const result = step(winBack, state, input, T0 + HOUR);
      expect(result.commands).toEqual([{ type: 'wait', nodeId: 'wait', until: T0 + 7 * DAY, reason: 'duration' }]);
      expect(result.trace).toEqual([]);
    }
  });

  it('stops on cancel and then answers every input with the same completion', () => {
    const cancelled = step(winBack, waitingAtWait().state, { type: 'cancel' }, T0 + HOUR);
    expect(cancelled.commands).toEqual([{ type: 'complete', reason: 'cancelled', nodeId: 'wait' }]);
    const after = step(winBack, cancelled.state, { type: 'timerFired', nodeId: 'wait' }, T0 + 7 * DAY);
    expect(after.commands).toEqual(cancelled.commands);
  });

  it('refuses a run that does not begin with start', () => {
    expect(() => step(winBack, null, { type: 'timerFired', nodeId: 'wait' }, T0)).toThrow(/must begin with a "start"/);
  });

  it('ends at once for customers outside the audience filter', () => {
    const filtered = definitionOf(
      graph([node({ id: 'start', kind: 'api', config: {} }), node({ id: 'end', kind: 'exit', config: {} })], [edge('start', 'next', 'end')], {
        audienceFilter: { type: 'consent', channel: 'email', granted: true },
      }),
    );
    const result = step(filtered, null, { ...start, customer: customer({ consent: consentOf(false, true) }) }, T0);
    expect(result.commands).toEqual([{ type: 'complete', reason: 'notEligible', nodeId: 'start' }]);
  });

  it('keeps state small, valid JSON that survives continue-as-new', () => {
    const { state } = waitingAtWait();
    const carried = JourneyState.parse(JSON.parse(JSON.stringify(state)));
    const a = step(winBack, state, { type: 'timerFired', nodeId: 'wait' }, T0 + 7 * DAY);
    const b = step(winBack, carried, { type: 'timerFired', nodeId: 'wait' }, T0 + 7 * DAY);
    expect(b).toEqual(a);
    expect(JSON.stringify(state).length).toBeLessThan(3000);
  });
});

describe('loops', () => {
  /** A weekly reminder: wait 7 days → email → back to the wait. */
  const weekly = definitionOf(
    graph(
      [
        node({ id: 'start', kind: 'api', config: {} }),
        node({ id: 'wait', kind: 'wait', config: { mode: 'duration', duration: { amount: 7, unit: 'days' } } }),
        node({ id: 'email', kind: 'email', config: { templateId: 'weekly' } }),
      ],
      [edge('start', 'next', 'wait'), edge('wait', 'next', 'email'), edge('email', 'sent', 'wait')],
    ),
  );

  it('give every visit of a step its own idempotency key', () => {
    let state = step(weekly, null, start, T0).state;
    const keys: string[] = [];
    for (let week = 1; week <= 3; week++) {
      const fired = step(weekly, state, { type: 'timerFired', nodeId: 'wait' }, T0 + week * 7 * DAY);
      const command = fired.commands.at(-1);
      if (command?.type === 'action') keys.push(command.idempotencyKey);
      state = step(weekly, fired.state, { type: 'actionResult', nodeId: 'email', outcome: 'ok' }, T0 + week * 7 * DAY).state;
    }
    expect(keys).toEqual(['journey/win-back/cust-1:email:1', 'journey/win-back/cust-1:email:2', 'journey/win-back/cust-1:email:3']);
    expect(state.history.length).toBeLessThanOrEqual(limits.history);
  });

  it('end with loopLimit after too many visits of one step', () => {
    let result = step(weekly, null, start, T0);
    let inputs = 0;
    while (result.state.status === 'running' && inputs < 4 * limits.visitsPerNode) {
      const command = result.commands.at(-1);
      const input: StepInput = command?.type === 'action' ? { type: 'actionResult', nodeId: command.nodeId, outcome: 'ok' } : { type: 'timerFired', nodeId: 'wait' };
      result = step(weekly, result.state, input, T0 + inputs * DAY);
      inputs++;
    }
    expect(result.state.completion?.reason).toBe('loopLimit');
    expect(result.state.visits.wait).toBe(limits.visitsPerNode + 1);
    expect(result.state.history.length).toBe(limits.history);
  });
});

describe('event counts', () => {
  const definition = definitionOf(
    graph(
      [
        node({ id: 'start', kind: 'api', config: {} }),
        node({ id: 'wait', kind: 'wait', config: { mode: 'duration', duration: { amount: 3, unit: 'days' } } }),
        node({ id: 'b', kind: 'branch', config: { conditions: [{ id: 'active', label: 'Active', condition: { type: 'eventCount', eventType: 'login', op: 'gte', count: 2, withinDays: 7 } }] } }),
        node({ id: 'end', kind: 'exit', config: {} }),
      ],
      [edge('start', 'next', 'wait'), edge('wait', 'next', 'b'), edge('b', 'active', 'end'), edge('b', 'else', 'end')],
    ),
  );
  const login = (at: number): StepInput => ({ type: 'eventReceived', event: { type: 'login', customerId: 'cust-1', at: new Date(at).toISOString(), properties: {} } });

  it.each([
    [2, 'active'],
    [1, 'else'],
  ])('with %i logins during the wait the branch takes %s', (count, exit) => {
    let state = step(definition, null, start, T0).state;
    for (let i = 0; i < count; i++) state = step(definition, state, login(T0 + (i + 1) * HOUR), T0 + (i + 1) * HOUR).state;
    const fired = step(definition, state, { type: 'timerFired', nodeId: 'wait' }, T0 + 3 * DAY);
    expect(fired.trace.find((t) => t.nodeId === 'b' && t.outcome !== 'entered')?.outcome).toBe(exit);
  });
});
