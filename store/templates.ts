import { z } from 'zod';
import type { Db, Filter } from 'mongodb';
import type { Channel } from '../journey/customer.ts';
import { MessageTemplate } from '../journey/template.ts';
import { isDuplicateKeyError, paginate, validateDocument, withId } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';

/** Message templates (email and SMS) with their language versions, validated by the core's schema. */

export const TemplateRecord = z.object({
  template: MessageTemplate,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TemplateRecord = z.infer<typeof TemplateRecord>;

type TemplateDocument = Omit<MessageTemplate, 'id'> & { _id: string; createdAt: string; updatedAt: string };

const name = 'templates';

function templates(db: Db) {
  return db.collection<TemplateDocument>(name);
}

export const templateIndexes = [{ key: { channel: 1, _id: 1 } }] as const;

function toRecord(doc: TemplateDocument): TemplateRecord {
  const { createdAt, updatedAt, ...rest } = withId(doc);
  return validateDocument(TemplateRecord, { template: rest, createdAt, updatedAt }, name, doc._id);
}

function toDocument(template: MessageTemplate, createdAt: string, updatedAt: string): TemplateDocument {
  const valid = validateDocument(MessageTemplate, template, name, template.id);
  const { id, ...rest } = valid;
  return { _id: id, ...rest, createdAt, updatedAt };
}

/** Stores a new template; null when the id is taken. */
export async function createTemplate(db: Db, template: MessageTemplate, now: Date): Promise<TemplateRecord | null> {
  const doc = toDocument(template, now.toISOString(), now.toISOString());
  try {
    await templates(db).insertOne(doc);
    return toRecord(doc);
  } catch (error) {
    if (isDuplicateKeyError(error)) return null;
    throw error;
  }
}

/** Replaces a template (all its language versions); null when unknown. */
export async function replaceTemplate(db: Db, template: MessageTemplate, now: Date): Promise<TemplateRecord | null> {
  const existing = await templates(db).findOne({ _id: template.id });
  if (existing === null) return null;
  const doc = toDocument(template, existing.createdAt, now.toISOString());
  await templates(db).replaceOne({ _id: template.id }, doc);
  return toRecord(doc);
}

/** Creates or replaces a template (built-in templates at start-up). */
export async function putTemplate(db: Db, template: MessageTemplate, now: Date): Promise<void> {
  if ((await replaceTemplate(db, template, now)) === null) await createTemplate(db, template, now);
}

/** The template `id` (the shape activities' `TemplateSource.get` expects), or null. */
export async function getTemplate(db: Db, id: string): Promise<MessageTemplate | null> {
  const doc = await templates(db).findOne({ _id: id });
  return doc === null ? null : toRecord(doc).template;
}

/** The template with its timestamps, or null. */
export async function getTemplateRecord(db: Db, id: string): Promise<TemplateRecord | null> {
  const doc = await templates(db).findOne({ _id: id });
  return doc === null ? null : toRecord(doc);
}

/** One page of templates by id, optionally of one channel. */
export async function listTemplates(db: Db, query: { channel?: Channel | undefined }, page: PageRequest): Promise<Page<TemplateRecord>> {
  const filter: Filter<TemplateDocument> = query.channel === undefined ? {} : { channel: query.channel };
  const result = await paginate(templates(db), filter, page);
  return { items: result.items.map(toRecord), nextCursor: result.nextCursor };
}

/** Deletes a template; true when there was one. */
export async function deleteTemplate(db: Db, id: string): Promise<boolean> {
  return (await templates(db).deleteOne({ _id: id })).deletedCount === 1;
}

/** What the compiler checks template references against: channel and locales of every template. */
export async function templateCatalogue(db: Db): Promise<Record<string, { channel: Channel; locales: string[] }>> {
  const docs = await templates(db).find({}, { projection: { channel: 1, locales: 1 } }).toArray();
  return Object.fromEntries(docs.map((d) => [d._id, { channel: d.channel, locales: Object.keys(d.locales) }]));
}
