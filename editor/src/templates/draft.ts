import type { Channel } from '../../../journey/customer.ts';
import { TemplateId } from '../../../journey/template.ts';
import type { LocalizedMessage } from '../../../journey/template.ts';
import type { FieldError, TemplateDraft } from '../client/templates.ts';

/** The parts a channel's language version has, in the order the studio shows them. */
export const partsOf = { email: ['subject', 'html', 'text'], sms: ['body'] } as const satisfies Record<Channel, ReadonlyArray<keyof LocalizedMessage>>;
export type Part = (typeof partsOf)[Channel][number] | 'mjml';

/** The parts the studio shows for a version: an email written in MJML shows its MJML instead of the HTML. */
export function shownParts(channel: Channel, version: LocalizedMessage | undefined): Part[] {
  if (channel === 'sms') return [...partsOf.sms];
  return version?.mjml === undefined ? [...partsOf.email] : ['subject', 'mjml', 'text'];
}

const mjmlStarter = `<mjml>
  <mj-body background-color="#f5f6f8">
    <mj-section background-color="#ffffff">
      <mj-column>
        <mj-text font-size="16px">Hi {{customer.firstName}},</mj-text>
        <mj-text>Use code <strong>{{vars.couponCode}}</strong> at checkout.</mj-text>
        <mj-button href="{{unsubscribeUrl}}" background-color="#ffffff" color="#6b7280">Unsubscribe</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

/**
 * Switches a version to MJML (the server compiles it into the HTML part on save and preview) or
 * back to plain HTML (the last compiled HTML stays).
 */
export function withMjml(template: TemplateDraft, locale: string, on: boolean): TemplateDraft {
  const { mjml: _mjml, ...version } = template.locales[locale] ?? {};
  return { ...template, locales: { ...template.locales, [locale]: on ? { ...version, mjml: mjmlStarter } : version } };
}

/** Languages the studio offers to add (any other BCP 47 tag can be typed). */
export const commonLocales = ['en', 'zh-CN', 'zh-TW', 'ja', 'ko', 'fr', 'de', 'es', 'pt-BR'] as const;

const starters: Record<'en' | 'zh-CN', Record<Channel, LocalizedMessage>> = {
  en: {
    email: {
      subject: '{{customer.firstName}}, a gift for you',
      html: '<p>Hi {{customer.firstName}},</p>\n<p>Use code <strong>{{vars.couponCode}}</strong> at checkout.</p>\n<p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p>',
      text: 'Hi {{customer.firstName}},\n\nUse code {{vars.couponCode}} at checkout.\n\nUnsubscribe: {{unsubscribeUrl}}',
    },
    sms: { body: 'Hi {{customer.firstName}}, use {{vars.couponCode}} for 20% off.' },
  },
  'zh-CN': {
    email: {
      subject: '{{customer.firstName}}，送您一份礼物',
      html: '<p>{{customer.firstName}}，您好！</p>\n<p>结账时输入优惠码 <strong>{{vars.couponCode}}</strong>。</p>\n<p><a href="{{unsubscribeUrl}}">退订</a></p>',
      text: '{{customer.firstName}}，您好！\n\n结账时输入优惠码 {{vars.couponCode}}。\n\n退订：{{unsubscribeUrl}}',
    },
    sms: { body: '{{customer.firstName}}，优惠码 {{vars.couponCode}} 享八折。回复 TD 退订' },
  },
};

/** A new template of a channel with one version to start from, in the UI's language (English otherwise). */
export function newTemplate(channel: Channel, locale = 'en'): TemplateDraft {
  const language = locale === 'zh-CN' ? 'zh-CN' : 'en';
  return { id: '', channel, name: '', locales: { [language]: { ...starters[language][channel] } } };
}

/**
 * A copy to save under a new id: the same versions, the id and name marked as a copy.
 *
 * @example duplicateOf(offer).id // 'offer-copy'
 */
export function duplicateOf(template: TemplateDraft): TemplateDraft {
  return { ...structuredClone(template), id: `${template.id}-copy`.slice(0, 64), name: `${template.name} (copy)`.slice(0, 120) };
}

/** The template with one part of one language version replaced. */
export function withPart(template: TemplateDraft, locale: string, part: Part, value: string): TemplateDraft {
  return { ...template, locales: { ...template.locales, [locale]: { ...template.locales[locale], [part]: value } } };
}

/** Adds an empty version in `locale` (nothing when it exists). */
export function withLocale(template: TemplateDraft, locale: string): TemplateDraft {
  if (Object.hasOwn(template.locales, locale)) return template;
  const empty = Object.fromEntries(partsOf[template.channel].map((p) => [p, '']));
  return { ...template, locales: { ...template.locales, [locale]: empty } };
}

/** Removes a version; the last one stays (a template needs a language). */
export function withoutLocale(template: TemplateDraft, locale: string): TemplateDraft {
  const { [locale]: _removed, ...rest } = template.locales;
  return Object.keys(rest).length === 0 ? template : { ...template, locales: rest };
}

/**
 * What the live preview sends: a new template may not have a valid id or name yet, and the
 * preview does not need them.
 */
export function previewable(template: TemplateDraft): TemplateDraft {
  const id = TemplateId.safeParse(template.id).success ? template.id : 'draft-preview';
  return { ...template, id, name: template.name.trim() || 'Draft' };
}

/** The error of one part of one version from a refused preview or save (`…locales.<locale>.<part>`). */
export function errorOf(errors: readonly FieldError[], locale: string, part: Part): FieldError | undefined {
  const suffix = `.locales.${locale}.${part}`;
  return errors.find((e) => e.path.endsWith(suffix));
}
