import { z } from 'zod';
import { actionCommand, actionExits, actionSteps } from './action.ts';
import { OnCap } from '../caps.ts';
import { checkPersonalisation, messageFor, PersonalisationFields } from './personalisation.ts';
import { defineNode } from './spec.ts';

export const SmsConfig = z.object({
  /** A message template with a `body` in every locale the journey needs. */
  templateId: z.string().max(128),
  ...PersonalisationFields,
  /** When a shared frequency cap has no room: wait for it (left out), or skip to the `failed` exit. */
  onCap: OnCap.optional(),
});
export type SmsConfig = z.infer<typeof SmsConfig>;

/** What the workflow hands the `sendSms` activity. */
export const SmsCommand = actionCommand('sms', SmsConfig);

/** Sends a text message from a template, only to customers who gave SMS consent. */
export const smsNode = defineNode(SmsConfig)({
  kind: 'sms',
  displayName: 'Send SMS',
  description: 'Sends a text message from a template to customers who agreed to SMS, outside quiet hours.',
  category: 'action',
  defaults: () => ({ templateId: '' }),
  exits: () => actionExits('sent', 'sent'),
  summary: (c) => `SMS ${c.templateId}`,
  check(c, ctx) {
    ctx.checkTemplate(c.templateId, 'sms', 'templateId');
    checkPersonalisation(c, ctx, 'sms');
  },
  action: { activity: 'sendSms', retry: 'message', simulate: 'sms' },
  ...actionSteps<SmsConfig>({ okExit: 'sent', quietHours: true, variant: messageFor, command: (config, base) => ({ ...base, kind: 'sms', config }) }),
});
