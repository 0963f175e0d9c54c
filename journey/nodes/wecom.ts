import { z } from 'zod';
import { MINUTE } from '../time.ts';
import { actionCommand, actionSteps } from './action.ts';
import { defineNode } from './spec.ts';
import { TaskConfig } from './task.ts';

/**
 * The profile attributes the WeCom outreach step reads: the staff member who owns the customer
 * in WeCom (their `userid`, 客户负责人) and the customer's `external_userid` (外部联系人).
 */
export const WECOM_OWNER_ATTRIBUTE = 'wecomOwner';
export const WECOM_EXTERNAL_USER_ATTRIBUTE = 'wecomExternalUserId';

/** WeCom lets a task's creator remind the staff member at most this often per 24 hours. */
export const WECOM_REMINDERS_PER_DAY = 3;

/** How the step ended, as its activity reports it in the `wecomOutcome` variable. */
const outcomes = ['sent', 'notConfirmed', 'capped'] as const;
const wecomOutcomes: readonly string[] = outcomes;
export const WecomOutcome = z.enum(outcomes);
export type WecomOutcome = z.infer<typeof WecomOutcome>;

export const WecomConfig = z.object({
  /** A Handlebars text the owner sends from their own WeCom, e.g. `{{customer.firstName}}，您好…`. */
  content: z.string().min(1, 'write the message').max(4000),
  /** How long the owner has to confirm the send before the step escalates. */
  deadlineHours: z.number().positive().max(24 * 14).default(48),
  /** How often the run asks WeCom whether the owner sent it. */
  checkEveryMinutes: z.number().int().min(5).max(24 * 60).default(60),
  /** Remind the owner when it is still unsent this long after the task (and after the last reminder); WeCom allows 3 a day. */
  remindEveryHours: z.number().min(24 / WECOM_REMINDERS_PER_DAY, `WeCom allows ${WECOM_REMINDERS_PER_DAY} reminders a day: remind every 8 hours or less often`).max(24 * 7).default(8),
  /** The customer-service task opened when the owner did not confirm in time. */
  escalation: TaskConfig.default({
    title: 'WeCom message to {{customer.name}} not sent by their owner',
    body: '',
    queue: 'customer-care',
    assignee: 'accountOwner',
    priority: 'normal',
    dueInHours: 24,
  }),
});
export type WecomConfig = z.infer<typeof WecomConfig>;

/** What the workflow hands the `wecomOutreach` activity, once per check (the same key each time). */
export const WecomCommand = actionCommand('wecom', WecomConfig);

/** Checks at most this many times: a deadline of 14 days checked every 5 minutes, with room. */
const MAX_CHECKS = 5000;

/**
 * A 1:1 message through WeCom customer contact (客户联系): a mass-send task for the customer's
 * owner (`externalcontact/add_msg_template`), which the owner confirms in WeCom. The run waits on
 * durable timers between checks of the send result; the activity reminds the owner (at most 3 a
 * day), and past the deadline opens a CS task. Exits: sent, not confirmed, capped (the customer
 * already had a mass message in WeCom's period).
 */
export const wecomNode = defineNode(WecomConfig)({
  kind: 'wecom',
  displayName: 'WeCom 1:1 message',
  description: 'Asks the customer’s owner in WeCom to send them a message, reminds them, and opens a CS task when it is not sent in time.',
  category: 'action',
  defaults: () => WecomConfig.parse({ content: '{{customer.firstName}}, we have something for you' }),
  exits: () => [
    { id: 'sent', label: 'sent' },
    { id: 'notConfirmed', label: 'not confirmed', optional: true },
    { id: 'capped', label: 'capped', optional: true },
    { id: 'failed', label: 'failed', optional: true },
  ],
  summary: (c) => `WeCom 1:1 message, confirmed within ${c.deadlineHours} h`,
  pauses: () => true,
  check(c, ctx) {
    if (c.checkEveryMinutes * MINUTE > c.deadlineHours * 60 * MINUTE) {
      ctx.error('INVALID_CONFIG', `${ctx.name}: check at least once before the deadline (${c.deadlineHours} h).`, { path: 'checkEveryMinutes' });
    }
  },
  action: { activity: 'wecomOutreach', retry: 'effect', simulate: 'notify', variables: true },
  // Each check is the same action (same key); `deferred` waits on a timer until the next one.
  ...actionSteps<WecomConfig>({
    okExit: 'sent',
    quietHours: false,
    command: (config, base) => ({ ...base, kind: 'wecom', config }),
    // Workflow code: the shared zod schemas are frozen there, so a lookup instead of parsing.
    exitOf: (variables) => {
      const named = variables?.['wecomOutcome'];
      return named !== undefined && wecomOutcomes.includes(named) ? named : undefined;
    },
    maxDeferrals: MAX_CHECKS,
  }),
});
