import { z } from 'zod';
import { actionCommand, actionExits, actionSteps } from './action.ts';
import { OnCap } from '../caps.ts';
import { checkPersonalisation, messageFor, PersonalisationFields } from './personalisation.ts';
import { defineNode } from './spec.ts';

export const EmailConfig = z.object({
  /** A message template with `subject`, `html` and `text` in every locale the journey needs. */
  templateId: z.string().max(128),
  ...PersonalisationFields,
  /** When a shared frequency cap has no room: wait for it (left out), or skip to the `failed` exit. */
  onCap: OnCap.optional(),
});
export type EmailConfig = z.infer<typeof EmailConfig>;

/** What the workflow hands the `sendEmail` activity. */
export const EmailCommand = actionCommand('email', EmailConfig);

/** Sends an email from a template in the customer's language (falling back to the journey's default locale). */
export const emailNode = defineNode(EmailConfig)({
  kind: 'email',
  displayName: 'Send email',
  description: 'Sends an email from a template, in the customer’s language, outside quiet hours.',
  category: 'action',
  defaults: () => ({ templateId: '' }),
  exits: () => actionExits('sent', 'sent'),
  summary: (c) => `Email ${c.templateId}`,
  check(c, ctx) {
    ctx.checkTemplate(c.templateId, 'email', 'templateId');
    checkPersonalisation(c, ctx, 'email');
  },
  action: { activity: 'sendEmail', retry: 'message', simulate: 'email' },
  ...actionSteps<EmailConfig>({ okExit: 'sent', quietHours: true, variant: messageFor, command: (config, base) => ({ ...base, kind: 'email', config }) }),
});
