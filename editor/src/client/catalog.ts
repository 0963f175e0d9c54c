import type { z } from 'zod';
import { SegmentList } from '../../../api/wire/lifecycle.ts';
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
 * Loads the templates and the segments (built-in and saved in the segment builder), so triggers,
 * branches and campaign audiences offer every segment. What the API cannot give stays unchecked
 * by the browser compile (the server checks it).
 */
export async function loadCatalog(): Promise<{ catalog: Catalog; context: CompileContext }> {
  const [templates, segments] = await Promise.allSettled([request('GET', '/v1/templates?limit=500', TemplatePage), request('GET', '/v1/segments', SegmentList)]);
  const templateList: TemplateSummary[] =
    templates.status === 'fulfilled' ? templates.value.items.map(({ template: t }) => ({ id: t.id, name: t.name, channel: t.channel, locales: Object.keys(t.locales) })) : [];
  const saved: SegmentSummary[] = segments.status === 'fulfilled' ? segments.value.items.map((s) => ({ id: s.id, name: s.name, description: s.description || undefined })) : [];
  const segmentList = [...saved, ...builtinSegmentSummaries.filter((b) => !saved.some((s) => s.id === b.id))];
  const catalog: Catalog = { ...emptyCatalog, templates: templateList, segments: segmentList };
  const context: CompileContext = {
    ...(templates.status === 'fulfilled' ? { templates: Object.fromEntries(templateList.map((t) => [t.id, { channel: t.channel, locales: t.locales }])) } : {}),
    ...(segments.status === 'fulfilled' ? { segments: segmentList.map((s) => s.id) } : {}),
  };
  return { catalog, context };
}

export type TemplatePreview = z.infer<typeof Preview>;

/** A template rendered for the built-in sample customer in a locale. */
export function previewTemplate(templateId: string, locale: string): Promise<TemplatePreview> {
  return request('POST', `/v1/templates/${encodeURIComponent(templateId)}/preview`, Preview, { locale, vars: { couponCode: 'COMEBACK-7KQ2M9' } });
}
