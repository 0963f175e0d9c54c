import { customerContext, render } from '../activities/render.ts';
import { pickLocale } from '../activities/templates.ts';
import type { MessageRenderer } from '../api/deps.ts';

/**
 * The API's template renderer (previews, test sends): the activities' own locale fallback,
 * Handlebars setup and customer context, so a preview is exactly what a send would produce.
 */
export function activityRenderer(shopUrl: string): MessageRenderer {
  return {
    render: ({ template, locale, customer, vars, unsubscribeUrl, now }) => {
      const picked = pickLocale(template, locale, 'en');
      const context = {
        customer: customerContext(customer, now.getTime()),
        vars,
        journey: { id: 'preview', name: 'Preview' },
        shopUrl,
        unsubscribeUrl,
      };
      const part = (source: string | undefined, mode: 'html' | 'text') => (source === undefined ? undefined : render(source, context, mode));
      return {
        locale: picked.locale,
        subject: part(picked.message.subject, 'text')?.replace(/\s+/g, ' ').trim(),
        html: part(picked.message.html, 'html'),
        text: part(picked.message.text, 'text'),
        body: part(picked.message.body, 'text'),
      };
    },
  };
}
