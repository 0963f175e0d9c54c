import { z } from 'zod';
import { Channel } from './customer.ts';
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

/** A message template with its versions by locale (`en`, `zh-CN`…). Email needs subject, html and text; SMS a body. */
export const MessageTemplate = MessageTemplateMeta.extend({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'use lower-case letters, digits and -'),
  locales: z.record(z.string().min(2).max(35), LocalizedMessage),
}).superRefine((template, ctx) => {
  const needed = template.channel === 'email' ? (['subject', 'html', 'text'] as const) : (['body'] as const);
  for (const [locale, message] of Object.entries(template.locales)) {
    for (const part of needed) {
      if (!message[part]) ctx.addIssue({ code: 'custom', path: ['locales', locale, part], message: `the ${locale} version needs a ${part}` });
    }
  }
  if (Object.keys(template.locales).length === 0) ctx.addIssue({ code: 'custom', path: ['locales'], message: 'add at least one language' });
});
export type MessageTemplate = z.infer<typeof MessageTemplate>;

/** The compiler's view of a set of templates: channel and locales by id. */
export function templateCatalogue(templates: readonly MessageTemplate[]): NonNullable<CompileContext['templates']> {
  return Object.fromEntries(templates.map((t) => [t.id, { channel: t.channel, locales: Object.keys(t.locales) }]));
}
