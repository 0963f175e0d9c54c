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
  /** Email only, optional: the MJML source the HTML part is compiled from (the API compiles it on save). */
  mjml: z.string().max(200_000).optional(),
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

/** What every Aliyun promotional (marketing) SMS must end with: how the recipient refuses more. */
export const aliyunPromotionalSuffix = '拒收请回复R';

/** Aliyun template variables as its templates write them: `${name}`. */
const aliyunVariable = /\$\{([A-Za-z0-9_]+)\}/g;

/** The `${name}` variables of an Aliyun template's content, in order of first use. */
export function aliyunTemplateVariables(content: string): string[] {
  return [...new Set([...content.matchAll(aliyunVariable)].map((m) => m[1] ?? ''))];
}

const aliyunCommon = {
  /** The approved signature (签名), 2–12 characters; Aliyun prints it as 【signName】. */
  signName: z.string().min(2, 'an Aliyun sign name has 2 to 12 characters').max(12, 'an Aliyun sign name has 2 to 12 characters'),
  /** The approved template's code, e.g. `SMS_154950909`. */
  templateCode: z.string().regex(/^SMS_[0-9]{1,20}$/, 'an Aliyun template code looks like SMS_154950909'),
  /** Each `${name}` of the content: a Handlebars source rendered per customer (`{{customer.name}}`). */
  params: z
    .record(z.string().regex(/^[A-Za-z0-9_]{1,32}$/, 'Aliyun variable names are letters, digits and _'), z.string().max(500))
    .default({}),
};
const aliyunContent = z.string().min(1).max(500);

/**
 * How an SMS template is sent through Aliyun SMS (阿里云短信): the approved sign name and
 * template (its code, and its content as approved, with `${name}` variables) and each variable's
 * Handlebars source. A promotional template's content must end with 「拒收请回复R」.
 */
export const AliyunSmsTemplate = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('notification'), ...aliyunCommon, content: aliyunContent }),
  z.object({
    kind: z.literal('promotional'),
    ...aliyunCommon,
    content: aliyunContent.regex(/拒收请回复R$/, `a promotional Aliyun template must end with 「${aliyunPromotionalSuffix}」`),
  }),
]);
export type AliyunSmsTemplate = z.infer<typeof AliyunSmsTemplate>;

/**
 * A rule between an Aliyun template's fields that a schema cannot state: every `${name}` of the
 * content needs a variable in `params`. The first variable without one, or null.
 */
export function missingAliyunParam(aliyun: AliyunSmsTemplate): string | null {
  return aliyunTemplateVariables(aliyun.content).find((name) => aliyun.params[name] === undefined) ?? null;
}

/** Versions by locale: at least one. */
const versions = <T extends z.ZodType>(version: T) =>
  z
    .record(Locale, version)
    .refine((locales) => Object.keys(locales).length > 0, 'add at least one language')
    .meta({ minProperties: 1 });

/** A message template with its versions by locale (`en`, `zh-CN`…). Email needs subject, html and text; SMS a body. */
export const MessageTemplate = z.discriminatedUnion('channel', [
  MessageTemplateMeta.extend({ channel: z.literal('email'), id: TemplateId, locales: versions(EmailVersion) }),
  MessageTemplateMeta.extend({ channel: z.literal('sms'), id: TemplateId, locales: versions(SmsVersion), aliyun: AliyunSmsTemplate.optional() }),
]);
export type MessageTemplate = z.infer<typeof MessageTemplate>;

/** The compiler's view of a set of templates: channel and locales by id. */
export function templateCatalogue(templates: readonly MessageTemplate[]): NonNullable<CompileContext['templates']> {
  return Object.fromEntries(templates.map((t) => [t.id, { channel: t.channel, locales: Object.keys(t.locales) }]));
}
