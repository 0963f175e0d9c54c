import { z } from 'zod';
import type { ActionCommand } from '../interpreter/types.ts';
import { limits } from '../limits.ts';
import { MINUTE } from '../time.ts';
import { effectiveTimezone, nextAllowedTime } from '../timezone.ts';
import { notPersonalised } from './personalisation.ts';
import type { Effects, ExitSpec, NodeOutcome, ResumeInput, RunContext } from './spec.ts';

const actionFields = {
  type: z.literal('action'),
  nodeId: z.string(),
  /** `runId:nodeId:visit`: the ledger's unique key, so a retried send is never sent twice. */
  idempotencyKey: z.string(),
  visit: z.number().int().positive(),
  /** Run variables such as `couponCode`, for templates (`{{vars.couponCode}}`). */
  variables: z.record(z.string(), z.string()),
  /** The journey's default locale, used when a template lacks the customer's locale. */
  fallbackLocale: z.string(),
};

/**
 * The command an action kind blocks on: the shared fields, its kind and its config. Each action
 * kind's file declares its own; the registry gathers them into `ActionCommand`.
 */
export function actionCommand<const K extends string, S extends z.ZodType>(kind: K, config: S) {
  return z.object({ ...actionFields, kind: z.literal(kind), config });
}

/** The fields every action command shares; each action kind adds its `kind` and `config`. */
export interface ActionBase {
  type: 'action';
  nodeId: string;
  idempotencyKey: string;
  visit: number;
  variables: Record<string, string>;
  fallbackLocale: string;
}

/**
 * The key a side effect is recorded under: the same run, step and visit never act twice,
 * however often the activity is retried or the workflow replayed.
 *
 * @example idempotencyKey('journey/win-back/c-42', 'email-1', 1) // 'journey/win-back/c-42:email-1:1'
 */
export function idempotencyKey(runId: string, nodeId: string, visit: number): string {
  return `${runId}:${nodeId}:${visit}`;
}

/** An action's exits: its success exit and an optional `failed` exit for permanent failures. */
export function actionExits(okExit: string, okLabel: string): ExitSpec[] {
  return [
    { id: okExit, label: okLabel },
    { id: 'failed', label: 'failed', optional: true },
  ];
}

interface ActionOptions<C> {
  okExit: string;
  /** Email and SMS respect quiet hours; tasks, coupons, updates and webhooks do not. */
  quietHours: boolean;
  /**
   * The config for this customer (e.g. a message's non-personalised variant, PIPL Art. 24), or
   * `null` to skip the step: it takes its ok exit without acting, recorded as `notPersonalised`.
   */
  variant?(config: C, customer: RunContext['state']['customer']): C | null;
  command(config: C, base: ActionBase): ActionCommand;
  /** Extra effects of a successful action, e.g. an update applied to the customer snapshot. */
  onOk?(config: C, ctx: RunContext): Effects;
  /** A kind with several success exits picks one from its result's variables (else `okExit`). */
  exitOf?(variables: Record<string, string> | undefined): string | undefined;
  /** How often the activity may answer `deferred` before the step fails (default `limits.deferralsPerSend`). */
  maxDeferrals?: number;
}

/**
 * The interpreter steps shared by all actions: quiet hours before sends, the action command
 * with its idempotency key, and the outcomes (ok, failed, deferred by frequency caps).
 */
export function actionSteps<C>(options: ActionOptions<C>) {
  function act(drawn: C, ctx: RunContext): NodeOutcome {
    const config = options.variant ? options.variant(drawn, ctx.state.customer) : drawn;
    if (config === null) return { type: 'follow', exit: options.okExit, recordAs: notPersonalised };
    if (options.quietHours) {
      const settings = ctx.definition.settings;
      const timezone = effectiveTimezone(ctx.state.customer.timezone, settings.timezone);
      const until = nextAllowedTime(ctx.now, timezone, settings.quietHours);
      if (until > ctx.now) return { type: 'block', command: { type: 'wait', nodeId: ctx.nodeId, until, reason: 'quietHours' } };
    }
    const base: ActionBase = {
      type: 'action',
      nodeId: ctx.nodeId,
      idempotencyKey: idempotencyKey(ctx.state.runId, ctx.nodeId, ctx.visit),
      visit: ctx.visit,
      variables: ctx.state.variables,
      fallbackLocale: ctx.definition.settings.defaultLocale,
    };
    return { type: 'block', command: options.command(config, base) };
  }

  function resume(config: C, ctx: RunContext, input: ResumeInput): NodeOutcome {
    switch (input.type) {
      case 'timerFired':
        // Quiet hours over or a deferral elapsed: try the same send again (same visit, same key).
        return act(config, ctx);
      case 'eventReceived':
        return { type: 'ignore' };
      case 'actionResult':
        switch (input.outcome) {
          case 'ok': {
            const extra = options.onOk?.(config, ctx) ?? {};
            const variables = input.variables ? { ...input.variables, ...extra.variables } : extra.variables;
            return { type: 'follow', exit: options.exitOf?.(input.variables) ?? options.okExit, effects: { ...extra, ...(variables ? { variables } : {}) } };
          }
          case 'failed':
            return { type: 'follow', exit: 'failed' };
          case 'deferred': {
            if (ctx.deferrals >= (options.maxDeferrals ?? limits.deferralsPerSend)) return { type: 'follow', exit: 'failed' };
            // Never retry sooner than a minute, whatever the activity says, so a cap cannot spin.
            const until = Math.max(input.until, ctx.now + MINUTE);
            return { type: 'block', command: { type: 'wait', nodeId: ctx.nodeId, until, reason: 'deferred' }, deferrals: ctx.deferrals + 1 };
          }
        }
    }
  }

  return { enter: act, resume };
}
