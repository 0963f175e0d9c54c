import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile.ts';
import { step } from '../interpreter/step.ts';
import type { JourneyState, StepInput } from '../interpreter/types.ts';
import { limits } from '../limits.ts';
import { HOUR, MINUTE } from '../time.ts';
import { T0, around, chain, customer, definitionOf, node } from '../testing/fixtures.ts';
import type { StepSpec } from '../testing/fixtures.ts';
import { exitsOf, nodeRegistry } from './registry.ts';

const actions: [StepSpec, string, boolean][] = [
  [{ id: 'n', kind: 'email', config: { templateId: 'winback-offer' } }, 'sent', true],
  [{ id: 'n', kind: 'sms', config: { templateId: 'winback-reminder' } }, 'sent', true],
  [{ id: 'n', kind: 'coupon', config: { offer: { type: 'percent', percent: 20 }, expiresInDays: 14, prefix: 'BACK', variable: 'couponCode' } }, 'issued', false],
  [{ id: 'n', kind: 'task', config: { title: 'Call {{customer.name}}', body: '', queue: 'customer-care', assignee: 'accountOwner', priority: 'high', dueInHours: 48 } }, 'created', false],
  [{ id: 'n', kind: 'update', config: { operations: [{ op: 'addTag', tag: 'won-back' }] } }, 'updated', false],
  [{ id: 'n', kind: 'webhook', config: { url: 'https://example.com/hook', method: 'POST', headers: {}, body: '{}' } }, 'delivered', false],
  [{ id: 'n', kind: 'robot', config: { platform: 'wecom', token: 'sales', secret: '', format: 'text', title: '', content: 'Call {{customer.name}}', mentions: [] } }, 'sent', false],
];

const quietHours = { start: '21:00', end: '09:00' };
/** 22:00 in London: inside quiet hours. */
const lateEvening = Date.UTC(2025, 0, 6, 22);

function start(subject: StepSpec, now = T0, settings = {}) {
  const definition = definitionOf(around(subject, settings));
  const result = step(definition, null, { type: 'start', runId: 'run-1', journeyId: 'test-journey', customer: customer() }, now);
  const feed = (state: JourneyState, input: StepInput, at = now) => step(definition, state, input, at);
  return { definition, ...result, command: result.commands.at(-1), feed };
}

describe.each(actions.map(([subject, okExit, respectsQuietHours]) => ({ kind: subject.kind, subject, okExit, respectsQuietHours })))('the $kind action', ({ subject, okExit, respectsQuietHours }) => {
  it(`has a “${okExit}” exit and an optional “failed” exit`, () => {
    expect(nodeRegistry[subject.kind].category).toBe('action');
    expect(exitsOf(node(subject))).toEqual([
      { id: okExit, label: okExit },
      { id: 'failed', label: 'failed', optional: true },
    ]);
  });

  it('asks the workflow to run the activity with a deterministic idempotency key', () => {
    const { command } = start(subject);
    expect(command).toEqual({
      type: 'action',
      nodeId: 'n',
      kind: subject.kind,
      config: subject.config,
      idempotencyKey: 'run-1:n:1',
      visit: 1,
      variables: {},
      fallbackLocale: 'en',
    });
  });

  it(`follows “${okExit}” when the activity succeeds and “failed” when it fails permanently`, () => {
    const { state, feed } = start(subject);
    const ok = feed(state, { type: 'actionResult', nodeId: 'n', outcome: 'ok' });
    expect(ok.trace.map((t) => `${t.nodeId}:${t.outcome}`)).toEqual([`n:${okExit}`, 'end:entered', 'end:exit']);
    const failed = feed(state, { type: 'actionResult', nodeId: 'n', outcome: 'failed', error: 'invalid address' });
    expect(failed.trace[0]?.outcome).toBe('failed');
  });

  it(respectsQuietHours ? 'waits for the end of quiet hours, then sends with the same key' : 'ignores quiet hours', () => {
    const { command, state, feed } = start(subject, lateEvening, { quietHours });
    if (!respectsQuietHours) {
      expect(command).toMatchObject({ type: 'action', idempotencyKey: 'run-1:n:1' });
      return;
    }
    expect(command).toEqual({ type: 'wait', nodeId: 'n', until: Date.UTC(2025, 0, 7, 9), reason: 'quietHours' });
    const resumed = feed(state, { type: 'timerFired', nodeId: 'n' }, Date.UTC(2025, 0, 7, 9));
    expect(resumed.commands.at(-1)).toMatchObject({ type: 'action', idempotencyKey: 'run-1:n:1', visit: 1 });
  });
});

describe('sends deferred by frequency caps', () => {
  const email: StepSpec = { id: 'n', kind: 'email', config: { templateId: 'hello' } };

  it('wait until the given time and retry the same send', () => {
    const { state, feed } = start(email);
    const deferred = feed(state, { type: 'actionResult', nodeId: 'n', outcome: 'deferred', until: T0 + 20 * HOUR });
    expect(deferred.commands).toEqual([{ type: 'wait', nodeId: 'n', until: T0 + 20 * HOUR, reason: 'deferred' }]);
    const retry = feed(deferred.state, { type: 'timerFired', nodeId: 'n' }, T0 + 20 * HOUR);
    expect(retry.commands.at(-1)).toMatchObject({ type: 'action', idempotencyKey: 'run-1:n:1' });
  });

  it('never retry sooner than a minute, and give up on the failed path after too many deferrals', () => {
    let { state } = start(email);
    const { feed } = start(email);
    const first = feed(state, { type: 'actionResult', nodeId: 'n', outcome: 'deferred', until: T0 - HOUR });
    expect(first.commands[0]).toMatchObject({ until: T0 + MINUTE });
    for (let i = 0; i < limits.deferralsPerSend; i++) {
      state = feed(state, { type: 'actionResult', nodeId: 'n', outcome: 'deferred', until: T0 + HOUR }).state;
      state = feed(state, { type: 'timerFired', nodeId: 'n' }).state;
    }
    const last = feed(state, { type: 'actionResult', nodeId: 'n', outcome: 'deferred', until: T0 + HOUR });
    expect(last.trace[0]?.outcome).toBe('failed');
  });
});

describe('action results', () => {
  it('make a coupon code available to later messages', () => {
    const definition = definitionOf(
      chain([
        { id: 'start', kind: 'api', config: {} },
        { id: 'coupon', kind: 'coupon', config: { offer: { type: 'amount', amount: 10, currency: 'USD' }, expiresInDays: 7, prefix: 'GIFT', variable: 'couponCode' } },
        { id: 'mail', kind: 'email', config: { templateId: 'gift' } },
      ]),
    );
    const started = step(definition, null, { type: 'start', runId: 'r', journeyId: 'j', customer: customer() }, T0);
    const next = step(definition, started.state, { type: 'actionResult', nodeId: 'coupon', outcome: 'ok', variables: { couponCode: 'GIFT-7KQ2' } }, T0);
    expect(next.commands.at(-1)).toMatchObject({ type: 'action', kind: 'email', variables: { couponCode: 'GIFT-7KQ2' } });
  });

  it('apply profile updates to the run’s snapshot, so later branches see them', () => {
    const update: StepSpec = { id: 'n', kind: 'update', config: { operations: [{ op: 'addTag', tag: 'vip' }, { op: 'setStage', stage: 'wonBack' }, { op: 'setAttribute', attribute: 'plan', value: 'gold' }] } };
    const { state, feed } = start(update);
    const after = feed(state, { type: 'actionResult', nodeId: 'n', outcome: 'ok' }).state.customer;
    expect(after.tags).toContain('vip');
    expect(after.computed.stage).toBe('wonBack');
    expect(after.attributes.plan).toBe('gold');
  });

  it('end the run as failed when the failed exit is not connected', () => {
    const definition = definitionOf(chain([{ id: 'start', kind: 'api', config: {} }, { id: 'sms', kind: 'sms', config: { templateId: 'x' } }]));
    const started = step(definition, null, { type: 'start', runId: 'r', journeyId: 'j', customer: customer() }, T0);
    const failed = step(definition, started.state, { type: 'actionResult', nodeId: 'sms', outcome: 'failed', error: 'no consent' }, T0);
    expect(failed.commands).toEqual([{ type: 'complete', reason: 'failed', nodeId: 'sms' }]);
  });
});

describe('message template checks', () => {
  const templates = {
    'winback-offer': { channel: 'email' as const, locales: ['en', 'zh-CN'] },
    'winback-reminder': { channel: 'sms' as const, locales: ['zh-CN'] },
  };
  it.each([
    ['a known template in the default locale', { id: 'n', kind: 'email', config: { templateId: 'winback-offer' } }, null, null],
    ['a missing template', { id: 'n', kind: 'email', label: 'Send win-back email', config: { templateId: 'winback-ofer' } }, 'TEMPLATE_NOT_FOUND', '“Send win-back email” uses the template “winback-ofer”, which does not exist: choose another template or create it. Did you mean “winback-offer”?'],
    ['an SMS template in an email step', { id: 'n', kind: 'email', config: { templateId: 'winback-reminder' } }, 'TEMPLATE_WRONG_CHANNEL', null],
    ['a template without the default locale', { id: 'n', kind: 'sms', label: 'Remind', config: { templateId: 'winback-reminder' } }, 'TEMPLATE_LOCALE_MISSING', '“Remind” uses “winback-reminder”, which has no “en” version (the journey’s default language): add that translation.'],
    ['no template chosen', { id: 'n', kind: 'sms', config: { templateId: '' } }, 'TEMPLATE_NOT_FOUND', 'Send SMS “n” has no message template: choose one.'],
  ] as const)('%s', (_name, subject, code, message) => {
    const result = compile(around(subject), { templates });
    if (code === null) return expect(result.ok).toBe(true);
    expect(result.ok ? [] : result.errors).toEqual([
      expect.objectContaining({ nodeId: 'n', code, path: 'nodes[1].config.templateId', ...(message ? { message } : {}) }),
    ]);
  });
});

describe('the robot step’s checks', () => {
  const robot = (config: Record<string, unknown>): StepSpec => ({ id: 'n', kind: 'robot', config: { platform: 'wecom', token: 'sales', secret: '', format: 'text', title: '', content: 'Hi', mentions: [], ...config } });
  const problems = (config: Record<string, unknown>) => {
    const result = compile(around(robot(config)));
    return result.ok ? [] : result.errors.map((e) => `${e.code} ${e.path ?? ''}: ${e.message}`);
  };

  it.each([
    ['a WeCom text over 2,048 bytes', { content: '好'.repeat(683) }, 'nodes[1].config.content', 'at most 2048 bytes'],
    ['a secret on a WeCom robot', { secret: 'x' }, 'nodes[1].config.secret', 'no signing secret'],
    ['a DingTalk markdown message without a title', { platform: 'dingtalk', format: 'markdown' }, 'nodes[1].config.title', 'needs a title'],
    ['a token that is not one', { token: 'https://oapi.dingtalk.com/robot/send?access_token=abc' }, 'nodes[1].config.token', 'webhook address'],
  ])('refuses %s, naming the field', (_name, config, path, words) => {
    expect(problems(config)).toEqual([expect.stringMatching(new RegExp(`^INVALID_CONFIG ${path.replace(/[.[\]]/g, '\\$&')}: .*${words}`))]);
  });

  it('accepts a WeCom text of exactly 2,048 bytes and a signed Feishu markdown card', () => {
    expect(problems({ content: 'a'.repeat(2048) })).toEqual([]);
    expect(problems({ platform: 'feishu', secret: 's', format: 'markdown', title: 'VIP', content: '**{{customer.name}}**' })).toEqual([]);
  });
});
