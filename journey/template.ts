import { z } from 'zod';
import { Channel, Locale } from './customer.ts';
import type { CompileContext } from './compile/errors.ts';

/** A template's `meta.json`: which channel it is for and what marketers call it. */
export const MessageTemplateMeta = z.object({
  channel: Channel,
  name: z.string().min(1).max(120),
  description: z.string().max(500).optional(),
});
export type MessageTemplateMeta = z.infer<typeof MessageTemplateMeta>;

/** One language version: Handlebars sources (`{{customer.name}}`, `{{vars.couponCode}}`, `{{unsubscribeUrl}}`). */
export const LocalizedMessage = z.object({
  subject: z.string().max(300).optional(),
  html: z.string().max(200_000).optional(),
  text: z.string().max(100_000).optional(),
  body: z.string().max(2_000).optional(),
});
export type LocalizedMessage = z.infer<typeof LocalizedMessage>;

export const TemplateId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'use lower-case letters, digits and -');

/** An email version needs a subject, an HTML and a text part. */
const needs = (part: string) => `an email version needs a ${part}`;
const EmailVersion = LocalizedMessage.extend({
  subject: z.string({ error: needs('subject') }).min(1, needs('subject')).max(300),
  html: z.string({ error: needs('html part') }).min(1, needs('html part')).max(200_000),
  text: z.string({ error: needs('text part') }).min(1, needs('text part')).max(100_000),
});
/** An SMS version needs a body. */
const SmsVersion = LocalizedMessage.extend({ body: z.string({ error: 'an SMS version needs a body' }).min(1, 'an SMS version needs a body').max(2_000) });

/** Versions by locale: at least one. */
const versions = <T extends z.ZodType>(version: T) =>
  z
    .record(Locale, version)
    .refine((locales) => Object.keys(locales).length > 0, 'add at least one language')
    .meta({ minProperties: 1 });

/** A message template with its versions by locale (`en`, `zh-CN`…). Email needs subject, html and text; SMS a body. */
export const MessageTemplate = z.discriminatedUnion('channel', [
  MessageTemplateMeta.extend({ channel: z.literal('email'), id: TemplateId, locales: versions(EmailVersion) }),
  MessageTemplateMeta.extend({ channel: z.literal('sms'), id: TemplateId, locales: versions(SmsVersion) }),
]);
export type MessageTemplate = z.infer<typeof MessageTemplate>;

/** The compiler's view of a set of templates: channel and locales by id. */
export function templateCatalogue(templates: readonly MessageTemplate[]): NonNullable<CompileContext['templates']> {
  return Object.fromEntries(templates.map((t) => [t.id, { channel: t.channel, locales: Object.keys(t.locales) }]));
}
