import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { JourneyGraph, MessageTemplate, MessageTemplateMeta, templateCatalogue } from '../journey/index.ts';
import type { CompileContext, LocalizedMessage } from '../journey/index.ts';

/**
 * The built-in journeys (welcome, activation, win-back, birthday care) and their message
 * templates, read from the repository's `templates/` folder and validated with the core's schemas.
 */

const root = fileURLToPath(new URL('../templates/', import.meta.url));
const journeysDir = join(root, 'journeys');
const messagesDir = join(root, 'messages');

/** The built-in journey ids, in the order the gallery shows them. */
export const builtinJourneyIds = ['welcome', 'activation', 'win-back', 'birthday-care'] as const;

/**
 * The workspace's language (`WAYMARK_LANGUAGE`): which version of the built-ins a new
 * workspace gets. `zh-CN` (简体中文): the journeys' names, step labels, task and chat texts in
 * Chinese, the templates' names too, Chinese the default message language, Asia/Shanghai the
 * fallback time zone and coupons in CNY (`templates/journeys/zh-CN/`, `meta.zh-CN.json`).
 */
export const WorkspaceLanguage = z.enum(['en', 'zh-CN']);
export type WorkspaceLanguage = z.infer<typeof WorkspaceLanguage>;

/** A built-in file is missing or does not match its schema; names the file and the field. */
export class BuiltinLoadError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'BuiltinLoadError';
  }
}

function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${String(p)}` : String(p)), '') || '(root)';
}

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BuiltinLoadError(file, error instanceof Error ? error.message : String(error));
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new BuiltinLoadError(file, result.error.issues.map((i) => `${pathOf(i)}: ${i.message}`).join('; '));
  }
  return result.data;
}

/** Loads and validates the four built-in journeys as editor graphs, in the workspace's language. */
export function loadBuiltinJourneys(language: WorkspaceLanguage = 'en'): JourneyGraph[] {
  const dir = language === 'en' ? journeysDir : join(journeysDir, language);
  return builtinJourneyIds.map((id) => readJson(join(dir, `${id}.json`), JourneyGraph));
}

const parts = ['subject', 'html', 'text', 'body'] as const;

function readLocale(dir: string): LocalizedMessage {
  const message: LocalizedMessage = {};
  for (const part of parts) {
    const file = join(dir, `${part}.hbs`);
    if (existsSync(file)) message[part] = readFileSync(file, 'utf8');
  }
  return message;
}

const TranslatedMeta = MessageTemplateMeta.pick({ name: true, description: true });

/**
 * Loads every message template under `templates/messages/<id>/` (meta.json, one folder per
 * locale, and an SMS template's `aliyun.json`); in another workspace language its name and
 * description from `meta.<language>.json`.
 */
export function loadBuiltinTemplates(language: WorkspaceLanguage = 'en'): MessageTemplate[] {
  const ids = readdirSync(messagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return ids.map((id) => {
    const dir = join(messagesDir, id);
    const translated = join(dir, `meta.${language}.json`);
    const meta = { ...readJson(join(dir, 'meta.json'), MessageTemplateMeta), ...(language !== 'en' && existsSync(translated) ? readJson(translated, TranslatedMeta) : {}) };
    const locales = Object.fromEntries(
      readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => [entry.name, readLocale(join(dir, entry.name))]),
    );
    // An SMS template's Aliyun part (sign name, template code, variables), when it has one.
    const aliyunFile = join(dir, 'aliyun.json');
    const aliyun: unknown = existsSync(aliyunFile) ? JSON.parse(readFileSync(aliyunFile, 'utf8')) : undefined;
    const result = MessageTemplate.safeParse({ ...meta, id, locales, ...(aliyun === undefined ? {} : { aliyun }) });
    if (!result.success) throw new BuiltinLoadError(dir, result.error.issues.map((i) => `${pathOf(i)}: ${i.message}`).join('; '));
    return result.data;
  });
}

let catalogue: NonNullable<CompileContext['templates']> | undefined;

/** The compiler's view of the built-in templates (channel and locales by id), read once. */
export function builtinTemplateCatalogue(): NonNullable<CompileContext['templates']> {
  catalogue ??= templateCatalogue(loadBuiltinTemplates());
  return catalogue;
}
