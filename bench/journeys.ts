// The benchmark journeys, as small graphs built in code and published through the API.
import type { z } from 'zod';
import { JourneyGraph } from '../journey/index.ts';
import type { GraphEdge } from '../journey/index.ts';

/** A step as the editor would send it: config defaults may be left out. */
type Step = Omit<z.input<typeof JourneyGraph>['nodes'][number], 'position'>;

/**
 * A journey graph from steps and `[source, handle, target]` links; positions are laid out in a
 * column. Parsed by the graph schema, so defaults are filled in as the editor would.
 */
export function journey(id: string, name: string, steps: Step[], links: Array<[string, string, string]>): JourneyGraph {
  const nodes = steps.map((s, i) => ({ ...s, position: { x: 0, y: i * 120 } }));
  const edges: GraphEdge[] = links.map(([source, sourceHandle, target]) => ({ id: `${source}:${sourceHandle}`, source, sourceHandle, target }));
  return JourneyGraph.parse({ schemaVersion: 1, id, name, nodes, edges, settings: {} });
}

const audience: Step = { id: 'trigger', kind: 'audience', config: { segment: 'dormant-90d', sendRatePerMinute: 6000 } };
const done: Step = { id: 'done', kind: 'exit', config: {} };
const email: Step = { id: 'email', kind: 'email', config: { templateId: 'welcome' } };

/** Case 1: a campaign journey whose runs start and wait 30 days (a durable timer). */
export const launchJourney = (id: string) =>
  journey(id, 'Bench: launch, then wait', [audience, { id: 'wait', kind: 'wait', config: { mode: 'duration', duration: { amount: 30, unit: 'days' } } }, done], [
    ['trigger', 'next', 'wait'],
    ['wait', 'next', 'done'],
  ]);

/** Case 2: wait up to 30 days for `order_completed`, then email (timeout: leave). */
export const orderThenEmailJourney = (id: string) =>
  journey(
    id,
    'Bench: wait for an order, then email',
    [audience, { id: 'wait-order', kind: 'waitForEvent', config: { eventType: 'order_completed', timeout: { amount: 30, unit: 'days' } } }, email, done, { id: 'gave-up', kind: 'exit', config: {} }],
    [
      ['trigger', 'next', 'wait-order'],
      ['wait-order', 'event', 'email'],
      ['wait-order', 'timeout', 'gave-up'],
      ['email', 'sent', 'done'],
    ],
  );

/** Case 3: email at once. */
export const sendJourney = (id: string) =>
  journey(id, 'Bench: email at once', [audience, email, done], [
    ['trigger', 'next', 'email'],
    ['email', 'sent', 'done'],
  ]);

/** Case 6: one step of each kind between an API trigger and an exit, and the bare trigger → exit. */
export function stepJourneys(webhookUrl: string): Array<{ kind: string; graph: JourneyGraph }> {
  const short = { amount: 0.02, unit: 'minutes' } as const; // 1.2 s: the smallest wait worth a timer
  const steps: Array<{ kind: string; step: Step | null; exit: string }> = [
    { kind: 'none (trigger → exit)', step: null, exit: '' },
    { kind: 'email', step: email, exit: 'sent' },
    { kind: 'sms', step: { id: 'sms', kind: 'sms', config: { templateId: 'winback-reminder' } }, exit: 'sent' },
    { kind: 'coupon', step: { id: 'coupon', kind: 'coupon', config: { offer: { type: 'percent', percent: 10 }, expiresInDays: 14, prefix: 'BENCH', variable: 'couponCode' } }, exit: 'issued' },
    { kind: 'task', step: { id: 'task', kind: 'task', config: { title: 'Call {{customer.name}}', body: 'Benchmark task', dueInHours: 24 } }, exit: 'created' },
    { kind: 'update', step: { id: 'update', kind: 'update', config: { operations: [{ op: 'addTag', tag: 'bench-step' }] } }, exit: 'updated' },
    { kind: 'webhook', step: { id: 'webhook', kind: 'webhook', config: { url: webhookUrl, body: '{"text":"{{customer.name}}"}' } }, exit: 'delivered' },
    { kind: 'wait (1.2 s)', step: { id: 'wait', kind: 'wait', config: { mode: 'duration', duration: short } }, exit: 'next' },
    { kind: 'waitForEvent (timeout 1.2 s)', step: { id: 'wfe', kind: 'waitForEvent', config: { eventType: 'order_completed', timeout: short } }, exit: 'timeout' },
    {
      kind: 'branch',
      step: { id: 'branch', kind: 'branch', config: { conditions: [{ id: 'vip', label: 'VIP', condition: { type: 'attribute', attribute: 'plan', op: 'eq', value: 'gold' } }] } },
      exit: 'else',
    },
    { kind: 'split', step: { id: 'split', kind: 'split', config: { arms: [{ id: 'a', label: 'A', weight: 100 }] } }, exit: 'a' },
  ];
  return steps.map(({ kind, step, exit }, i) => {
    const id = `bench-step-${i}`;
    const trigger: Step = { id: 'trigger', kind: 'api', config: {} };
    if (step === null) return { kind, graph: journey(id, `Bench step: ${kind}`, [trigger, done], [['trigger', 'next', 'done']]) };
    const links: Array<[string, string, string]> = [
      ['trigger', 'next', step.id],
      [step.id, exit, 'done'],
    ];
    if (step.kind === 'branch') links.push([step.id, 'vip', 'done']);
    if (step.kind === 'waitForEvent') links.push([step.id, 'event', 'done']);
    return { kind, graph: journey(id, `Bench step: ${kind}`, [trigger, step, done], links) };
  });
}

/** The win-back campaign: a coupon, the win-back email with its code, then 7 days' wait for an order. */
export const winBackJourney = (id: string) =>
  journey(
    id,
    'Bench: win-back (coupon, email, 7 days for an order)',
    [
      audience,
      { id: 'coupon', kind: 'coupon', config: { offer: { type: 'percent', percent: 20 }, expiresInDays: 14, prefix: 'COMEBACK', variable: 'couponCode' } },
      { id: 'email', kind: 'email', config: { templateId: 'winback-offer' } },
      { id: 'wait-order', kind: 'waitForEvent', config: { eventType: 'order_completed', timeout: { amount: 7, unit: 'days' } } },
      done,
    ],
    [
      ['trigger', 'next', 'coupon'],
      ['coupon', 'issued', 'email'],
      ['email', 'sent', 'wait-order'],
      ['wait-order', 'event', 'done'],
      ['wait-order', 'timeout', 'done'],
    ],
  );
