import { z } from 'zod';
import type { CheckContext } from '../compile/errors.ts';
import { refusesPersonalisation } from '../consent.ts';
import type { Consent } from '../consent.ts';
import type { Channel } from '../customer.ts';

/**
 * PIPL Art. 24 on a message step (email, SMS): a step marked `personalised` is marketing
 * decided or worded from the customer's profile (RFM offers, recommendations). A customer who
 * refused personalised marketing (`refusesPersonalisation`) gets the step's non-personalised
 * variant, or, without one, skips the step (the run goes on; its history says
 * `notPersonalised`).
 */
export const PersonalisationFields = {
  /** This message is personalised marketing (PIPL Art. 24): refusers get the variant or nothing. */
  personalised: z.boolean().optional(),
  /** Sent instead to customers who refused personalised marketing; left out, they skip the step. */
  nonPersonalisedTemplateId: z.string().max(128).optional(),
};

export interface PersonalisedMessage {
  templateId: string;
  personalised?: boolean | undefined;
  nonPersonalisedTemplateId?: string | undefined;
}

/** What the interpreter records for a step skipped because the customer refused personalisation. */
export const notPersonalised = 'notPersonalised';

/**
 * The message config for this customer: as drawn, the non-personalised variant, or `null` to
 * skip the step.
 *
 * @example messageFor({ templateId: 'vip-offer', personalised: true, nonPersonalisedTemplateId: 'newsletter' }, refuser) // { …, templateId: 'newsletter' }
 */
export function messageFor<C extends PersonalisedMessage>(config: C, customer: { consent: Consent }): C | null {
  if (config.personalised !== true || !refusesPersonalisation(customer)) return config;
  const variant = config.nonPersonalisedTemplateId;
  return variant === undefined || variant === '' ? null : { ...config, templateId: variant };
}

/** Checks the variant template like the step's own. */
export function checkPersonalisation(config: PersonalisedMessage, ctx: CheckContext, channel: Channel): void {
  if (config.nonPersonalisedTemplateId) ctx.checkTemplate(config.nonPersonalisedTemplateId, channel, 'nonPersonalisedTemplateId');
}
