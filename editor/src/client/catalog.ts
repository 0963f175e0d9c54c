import type { z } from 'zod';
import { Preview, TemplatePage } from '../../../api/wire/templates.ts';
import type { CompileContext } from '../../../journey/compile/errors.ts';
import { builtinAttributes } from '../../../journey/condition.ts';
import type { AttributeType } from '../../../journey/condition.ts';
import type { Channel } from '../../../journey/customer.ts';
import { wellKnownEvents } from '../../../journey/event.ts';
import { builtinSegments } from '../../../journey/lifecycle/segment.ts';
import { request } from './http.ts';

/** What the pickers offer and the browser compile checks references against. */
export interface Catalog {
  templates: TemplateSummary[];
  segments: SegmentSummary[];
  attributes: Array<{ name: string; type: AttributeType }>;
  events: string[];
}
export interface TemplateSummary {
  id: string;
  name: string;
  channel: Channel;
  locales: string[];
}
export interface SegmentSummary {
  id: string;
  name: string;
  description?: string | undefined;
}

const builtinSegmentSummaries: SegmentSummary[] = builtinSegments.map((s) => ({ id: s.id, name: s.name, description: s.description }));

export const emptyCatalog: Catalog = {
  templates: [],
  segments: builtinSegmentSummaries,
  attributes: Object.entries(builtinAttributes).map(([name, type]) => ({ name, type })),
  events: [...wellKnownEvents],
};

/**
 * Loads the templates; segments are the core's built-in ones (the API has no segment list yet).
 * Templates the API cannot give stay unchecked by the browser compile (the server checks them).
 */
export async function loadCatalog(): Promise<{ catalog: Catalog; context: CompileContext }> {
  const [templates] = await Promise.allSettled([request('GET', '/v1/templates?limit=500', TemplatePage)]);
  const templateList: TemplateSummary[] =
    templates.status === 'fulfilled' ? templates.value.items.map(({ template: t }) => ({ id: t.id, name: t.name, channel: t.channel, locales: Object.keys(t.locales) })) : [];
  const catalog: Catalog = { ...emptyCatalog, templates: templateList };
  const context: CompileContext = {
    ...(templates.status === 'fulfilled' ? { templates: Object.fromEntries(templateList.map((t) => [t.id, { channel: t.channel, locales: t.locales }])) } : {}),
  };
  return { catalog, context };
}

export type TemplatePreview = z.infer<typeof Preview>;

/** A template rendered for the built-in sample customer in a locale. */
export function previewTemplate(templateId: string, locale: string): Promise<TemplatePreview> {
  return request('POST', `/v1/templates/${encodeURIComponent(templateId)}/preview`, Preview, { locale, vars: { couponCode: 'COMEBACK-7KQ2M9' } });
}
