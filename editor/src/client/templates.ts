import type { z } from 'zod';
import { Problem } from '../../../api/wire/common.ts';
import type { FieldError as WireFieldError } from '../../../api/wire/common.ts';
import { Preview, TemplatePage, TemplateRecord, TemplateUsage, TestSendResult } from '../../../api/wire/templates.ts';
import type { Channel } from '../../../journey/customer.ts';
import type { LocalizedMessage } from '../../../journey/template.ts';
import { ApiError, request } from './http.ts';

/** Message templates (`/v1/templates`): list, get, save, live preview, usage and test sends. */
export type TemplateRecord = z.infer<typeof TemplateRecord>;
export type TemplatePreview = z.infer<typeof Preview>;
export type TemplateUsage = z.infer<typeof TemplateUsage>;
export type FieldError = WireFieldError;

/** A template as the studio edits it: any part may still be empty; the server checks on save. */
export interface TemplateDraft {
  id: string;
  channel: Channel;
  name: string;
  description?: string | undefined;
  locales: Record<string, LocalizedMessage>;
}

/** What the preview renders with: the sample or a stored customer, a locale, run variables. */
export interface PreviewOptions {
  customerId?: string | undefined;
  locale?: string | undefined;
  vars: Record<string, string>;
}

const id = (templateId: string) => encodeURIComponent(templateId);
const omitEmpty = (o: PreviewOptions) => ({ vars: o.vars, ...(o.customerId ? { customerId: o.customerId } : {}), ...(o.locale ? { locale: o.locale } : {}) });

export const templatesApi = {
  list: async () => (await request('GET', '/v1/templates?limit=500', TemplatePage)).items,
  get: (templateId: string) => request('GET', `/v1/templates/${id(templateId)}`, TemplateRecord),
  create: (template: TemplateDraft) => request('POST', '/v1/templates', TemplateRecord, template),
  replace: (template: TemplateDraft) => request('PUT', `/v1/templates/${id(template.id)}`, TemplateRecord, template),
  /** Renders the template as edited (nothing saved), with the sending code. */
  preview: (template: TemplateDraft, options: PreviewOptions) => request('POST', '/v1/templates/preview', Preview, { template, ...omitEmpty(options) }),
  usage: (templateId: string) => request('GET', `/v1/templates/${id(templateId)}/usage`, TemplateUsage),
  testSend: (templateId: string, to: string, options: PreviewOptions) => request('POST', `/v1/templates/${id(templateId)}/test-send`, TestSendResult, { to, ...omitEmpty(options) }),
};

/** The per-field errors of a refused call (template syntax errors carry line and column). */
export function fieldErrorsOf(error: unknown): FieldError[] {
  if (!(error instanceof ApiError)) return [];
  const problem = Problem.safeParse(error.body);
  return problem.success ? (problem.data.errors ?? []) : [];
}
