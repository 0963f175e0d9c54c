import type { LocalizedMessage, MessageTemplate } from '../journey/index.ts';
import { permanent } from './errors.ts';

/** Where message templates come from (built-ins from templates/, custom ones from MongoDB). */
export interface TemplateSource {
  get(templateId: string): Promise<MessageTemplate | null>;
}

/** A template source over a fixed list (built-in templates, tests). */
export function staticTemplates(templates: readonly MessageTemplate[]): TemplateSource {
  const byId = new Map(templates.map((t) => [t.id, t]));
  return { get: async (id) => byId.get(id) ?? null };
}

/**
 * A source that remembers what `source` answered for `ttlMs` (a miss too), and asks once for
 * concurrent sends of the same template: a campaign sends the same few templates thousands of
 * times. An edit made in the console reaches sends within `ttlMs`.
 *
 * @example const templates = cachedTemplates(fromMongo, 5_000);
 */
export function cachedTemplates(source: TemplateSource, ttlMs: number, now: () => number = Date.now): TemplateSource {
  const entries = new Map<string, { at: number; value: Promise<MessageTemplate | null> }>();
  return {
    get(id) {
      const hit = entries.get(id);
      if (hit !== undefined && now() - hit.at < ttlMs) return hit.value;
      const value = source.get(id);
      entries.set(id, { at: now(), value });
      // A failed read is not remembered: the next send asks again.
      value.catch(() => entries.delete(id));
      return value;
    },
  };
}

/**
 * The language version of a template for a customer: their exact locale (`zh-CN`), then their
 * language (`zh`, or another `zh-*`), then the journey's default locale, then English, then any.
 *
 * @example pickLocale(template, 'zh-TW', 'en') // the `zh-CN` version when there is no zh-TW or zh
 */
export function pickLocale(template: MessageTemplate, locale: string, fallbackLocale: string): { locale: string; message: LocalizedMessage } {
  const locales = Object.keys(template.locales);
  const language = locale.split('-')[0]?.toLowerCase() ?? '';
  const candidates = [
    locales.find((l) => l.toLowerCase() === locale.toLowerCase()),
    locales.find((l) => l.toLowerCase() === language),
    locales.find((l) => l.toLowerCase().split('-')[0] === language),
    locales.find((l) => l === fallbackLocale),
    locales.find((l) => l === 'en'),
    locales[0],
  ];
  for (const candidate of candidates) {
    const message = candidate === undefined ? undefined : template.locales[candidate];
    if (candidate !== undefined && message !== undefined) return { locale: candidate, message };
  }
  throw permanent('TemplateError', `template ${template.id} has no language versions`);
}

/** Loads a template for a channel, or fails for good (a deleted or mistyped template). */
export async function loadTemplate(source: TemplateSource, templateId: string, channel: MessageTemplate['channel']): Promise<MessageTemplate> {
  const template = await source.get(templateId);
  if (template === null) throw permanent('TemplateError', `message template ${templateId} does not exist`);
  if (template.channel !== channel) throw permanent('TemplateError', `template ${templateId} is an ${template.channel} template, not ${channel}`);
  return template;
}
