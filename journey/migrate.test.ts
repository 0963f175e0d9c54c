import { describe, expect, it } from 'vitest';
import { DAY } from './time.ts';
import { T0, customer, definitionOf, edge, graph, node } from './testing/fixtures.ts';
import { step } from './interpreter/step.ts';
import type { StepInput } from './interpreter/types.ts';
import { holdingSteps, migrateRun, planMigration } from './migrate.ts';

const start: StepInput = { type: 'start', runId: 'journey/win-back/c-1#abc', journeyId: 'win-back', customer: customer() };
const wait = (days: number) => ({ mode: 'duration' as const, duration: { amount: days, unit: 'days' as const } });

/** v1: trigger → email → wait 3 days (`nudge-wait`) → sms → wait 7 days (`cool-off`) → exit. */
const v1 = definitionOf(
  graph(
    [
      node({ id: 'start', kind: 'api', config: {} }),
      node({ id: 'email', kind: 'email', config: { templateId: 'winback-offer' } }),
      node({ id: 'nudge-wait', kind: 'wait', config: wait(3) }),
      node({ id: 'sms', kind: 'sms', config: { templateId: 'winback-reminder' } }),
      node({ id: 'cool-off', kind: 'wait', config: wait(7) }),
      node({ id: 'end', kind: 'exit', config: {} }),
    ],
    [edge('start', 'next', 'email'), edge('email', 'sent', 'nudge-wait'), edge('nudge-wait', 'next', 'sms'), edge('sms', 'sent', 'cool-off'), edge('cool-off', 'next', 'end')],
  ),
);

/** v2: the 3-day wait is gone; a new 1-day wait `short-wait` before a second email; `cool-off` unchanged, but now waits for an order first. */
const v2 = definitionOf(
  graph(
    [
      node({ id: 'start', kind: 'api', config: {} }),
      node({ id: 'email', kind: 'email', config: { templateId: 'winback-offer' } }),
      node({ id: 'short-wait', kind: 'wait', config: wait(1) }),
      node({ id: 'email-2', kind: 'email', config: { templateId: 'winback-reminder-mail' } }),
      node({ id: 'cool-off', kind: 'wait', config: wait(7) }),
      node({ id: 'order', kind: 'waitForEvent', config: { eventType: 'order_completed', filter: [], timeout: { amount: 2, unit: 'days' } } }),
      node({ id: 'end', kind: 'exit', config: {} }),
    ],
    [
      edge('start', 'next', 'email'),
      edge('email', 'sent', 'short-wait'),
      edge('short-wait', 'next', 'email-2'),
      edge('email-2', 'sent', 'cool-off'),
      edge('cool-off', 'next', 'order'),
      edge('order', 'event', 'end'),
      edge('order', 'timeout', 'end'),
    ],
  ),
);

function waitingAtNudge() {
  const started = step(v1, null, start, T0);
  const sent = step(v1, started.state, { type: 'actionResult', nodeId: 'email', outcome: 'ok', variables: { couponCode: 'COMEBACK-1' } }, T0);
  expect(sent.state.pending).toMatchObject({ type: 'wait', nodeId: 'nudge-wait' });
  return sent.state;
}

function waitingAtCoolOff() {
  const state = waitingAtNudge();
  const sms = step(v1, state, { type: 'timerFired', nodeId: 'nudge-wait' }, T0 + 3 * DAY);
  return step(v1, sms.state, { type: 'actionResult', nodeId: 'sms', outcome: 'ok' }, T0 + 3 * DAY).state;
}

describe('planMigration', () => {
  const versions = new Map([[1, v1]]);
  const counts = [
    { version: 1, nodeId: 'nudge-wait', waiting: 40 },
    { version: 1, nodeId: 'cool-off', waiting: 12 },
  ];

  it('keeps a step that is still there and asks for a target for a removed one', () => {
    const { rows, issues } = planMigration(versions, v2, counts, {});
    expect(rows).toEqual([
      expect.objectContaining({ nodeId: 'nudge-wait', waiting: 40, kind: 'wait', target: null, issue: expect.objectContaining({ code: 'TARGET_REQUIRED' }) }),
      expect.objectContaining({ nodeId: 'cool-off', waiting: 12, target: 'cool-off', keepsWaiting: true, issue: null }),
    ]);
    expect(issues).toEqual([expect.objectContaining({ code: 'TARGET_REQUIRED', nodeId: 'nudge-wait', message: expect.stringContaining('“nudge-wait”') })]);
  });

  it('accepts a waiting step as target and refuses others, naming the step', () => {
    expect(planMigration(versions, v2, counts, { 'nudge-wait': 'short-wait' }).issues).toEqual([]);
    expect(planMigration(versions, v2, counts, { 'nudge-wait': 'email-2' }).issues).toEqual([
      expect.objectContaining({ code: 'TARGET_CANNOT_WAIT', nodeId: 'nudge-wait', target: 'email-2', message: expect.stringContaining('Send email “email-2”') }),
    ]);
    expect(planMigration(versions, v2, counts, { 'nudge-wait': 'nowhere' }).issues).toEqual([expect.objectContaining({ code: 'TARGET_UNKNOWN', target: 'nowhere' })]);
    expect(planMigration(versions, v2, counts, { 'nudge-wait': 'order', ghost: 'order' }).issues).toEqual([expect.objectContaining({ code: 'SOURCE_UNKNOWN', nodeId: 'ghost' })]);
  });

  it('lists the steps a customer can be moved to', () => {
    expect(holdingSteps(v2)).toEqual(['short-wait', 'cool-off', 'order']);
  });
});

describe('migrateRun', () => {
  it('moves a customer from a removed step into the mapped one: a new wait from the move, variables kept', () => {
    const state = waitingAtNudge();
    const moved = migrateRun(v1, v2, state, { 'nudge-wait': 'short-wait' }, T0 + DAY);
    if (moved.outcome !== 'moved') throw new Error('not moved');
    expect(moved.result.state.pending).toEqual({ type: 'wait', nodeId: 'short-wait', until: T0 + 2 * DAY, reason: 'duration' });
    expect(moved.result.state.variables).toEqual({ couponCode: 'COMEBACK-1' });
    expect(moved.result.state.history.slice(-3).map((h) => `${h.nodeId}:${h.outcome}`)).toEqual(['nudge-wait:moved', 'short-wait:entered', 'short-wait:waiting']);
    // It continues under v2: the next send is v2's, keyed by the same run id.
    const next = step(v2, moved.result.state, { type: 'timerFired', nodeId: 'short-wait' }, T0 + 2 * DAY);
    expect(next.commands).toEqual([expect.objectContaining({ kind: 'email', nodeId: 'email-2', idempotencyKey: 'journey/win-back/c-1#abc:email-2:1' })]);
  });

  it('keeps the remaining wait of an unchanged step, then follows the new wiring', () => {
    const state = waitingAtCoolOff();
    const moved = migrateRun(v1, v2, state, {}, T0 + 5 * DAY);
    if (moved.outcome !== 'moved') throw new Error('not moved');
    expect(moved.result.state.pending).toEqual(state.pending);
    const next = step(v2, moved.result.state, { type: 'timerFired', nodeId: 'cool-off' }, T0 + 10 * DAY);
    expect(next.commands).toEqual([expect.objectContaining({ type: 'waitForEvent', nodeId: 'order' })]);
  });

  it('gives a reused step id the next visit, so a step sent before is never keyed the same again', () => {
    const state = waitingAtCoolOff();
    // v3 reuses the id `sms` (sent at visit 1 under v1) for a new message after a wait.
    const v3 = definitionOf(
      graph(
        [
          node({ id: 'start', kind: 'api', config: {} }),
          node({ id: 'hold', kind: 'wait', config: wait(1) }),
          node({ id: 'sms', kind: 'sms', config: { templateId: 'another-text' } }),
          node({ id: 'end', kind: 'exit', config: {} }),
        ],
        [edge('start', 'next', 'hold'), edge('hold', 'next', 'sms'), edge('sms', 'sent', 'end')],
      ),
    );
    const moved = migrateRun(v1, v3, state, { 'cool-off': 'hold' }, T0 + 4 * DAY);
    if (moved.outcome !== 'moved') throw new Error('not moved');
    const next = step(v3, moved.result.state, { type: 'timerFired', nodeId: 'hold' }, T0 + 5 * DAY);
    expect(next.commands).toEqual([expect.objectContaining({ nodeId: 'sms', idempotencyKey: 'journey/win-back/c-1#abc:sms:2' })]);
  });

  it('skips a run that ended and one whose step has no target', () => {
    const state = waitingAtNudge();
    expect(migrateRun(v1, v2, state, {}, T0)).toEqual({ outcome: 'skipped', reason: 'noTarget' });
    const ended = step(v1, state, { type: 'cancel' }, T0).state;
    expect(migrateRun(v1, v2, ended, { 'nudge-wait': 'short-wait' }, T0)).toEqual({ outcome: 'skipped', reason: 'ended' });
  });
});
