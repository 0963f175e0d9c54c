import { z } from 'zod';
import { Channel, CustomerId, CustomerProfile, Email, Locale, Phone } from '../../journey/customer.ts';
import { MessageTemplate, TemplateId } from '../../journey/template.ts';
import { PageQuery, pageOf } from './common.ts';

/** A message template with a version per locale. */
export const Template = MessageTemplate.meta({ id: 'MessageTemplate' });

export const TemplateRecord = z
  .object({ template: Template, createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() })
  .meta({ id: 'TemplateRecord' });
export const TemplatePage = pageOf(TemplateRecord).meta({ id: 'TemplatePage' });
export const TemplateQuery = PageQuery.extend({ channel: Channel.optional() });
export const TemplateParams = z.strictObject({ id: TemplateId });

/** Run variables a preview or test send fills in, e.g. `{ couponCode: 'WB-7KQ2M9' }`. */
const Vars = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/), z.string().max(1000));

const PreviewOptions = z.strictObject({
  locale: Locale.optional().describe('defaults to the customer’s locale'),
  customerId: CustomerId.optional().describe('render for this stored customer'),
  sample: CustomerProfile.partial().optional().describe('or for this sample profile (merged over the built-in sample)'),
  vars: Vars.default({}),
});

export const PreviewRequest = PreviewOptions.default({ vars: {} }).meta({ id: 'PreviewRequest' });

/** A preview of a template as edited, before it is saved (the template studio's live preview). */
export const DraftPreviewRequest = PreviewOptions.omit({ sample: true })
  .extend({ template: Template.describe('the template as edited; nothing is saved') })
  .meta({ id: 'DraftPreviewRequest', description: 'Renders for the built-in sample customer or a stored one (`customerId`).' });

export const Preview = z
  .object({
    channel: Channel,
    locale: z.string(),
    subject: z.string().optional(),
    html: z.string().optional(),
    text: z.string().optional(),
    body: z.string().optional(),
    sms: z
      .object({ encoding: z.enum(['GSM-7', 'UCS-2']), characters: z.number().int(), segments: z.number().int() })
      .optional()
      .describe('how the SMS is billed'),
  })
  .meta({ id: 'Preview' });

export const TestSendRequest = z
  .strictObject({
    to: z.union([Email, Phone]).describe('an email address or an E.164 number, matching the template’s channel'),
    locale: Locale.optional(),
    customerId: CustomerId.optional(),
    vars: Vars.default({}),
  })
  .meta({ id: 'TestSendRequest' });

export const TestSendResult = z
  .object({ channel: Channel, to: z.string(), locale: z.string(), providerId: z.string() })
  .meta({ id: 'TestSendResult' });

const TemplateStepRef = z.object({ nodeId: z.string(), label: z.string().optional() });

/** Where a template is used: journeys (not archived) and their steps that send it. */
export const TemplateUsage = z
  .object({
    templateId: TemplateId,
    journeys: z.array(
      z.object({
        journeyId: z.string(),
        name: z.string(),
        status: z.enum(['draft', 'published', 'paused', 'archived']),
        liveSteps: z.array(TemplateStepRef).describe('steps of the latest published version that send it'),
        draftSteps: z.array(TemplateStepRef).describe('steps of the draft that send it'),
        waiting: z.number().int().nonnegative().describe('customers of the live journey waiting at a step from which a sending step can be reached'),
      }),
    ),
    waiting: z.number().int().nonnegative().describe('the sum over journeys: customers who may still receive this template'),
  })
  .meta({ id: 'TemplateUsage' });
