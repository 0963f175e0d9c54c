import { z } from 'zod';
import type { Db, Filter } from 'mongodb';
import { JourneyDefinition } from '../journey/definition.ts';
import type { CustomerEvent } from '../journey/event.ts';
import { JourneyGraph } from '../journey/graph.ts';
import { triggerEnters, triggerRoutesOf } from '../journey/nodes/registry.ts';
import { isDuplicateKeyError, paginate, validateDocument, withId } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';

/**
 * Journeys: a mutable draft (the editor's graph) per journey, and immutable published
 * versions (the compiled definition a run receives by value, plus the graph it came from).
 */

export const JourneyStatus = z.enum(['draft', 'published', 'paused', 'archived']);
export type JourneyStatus = z.infer<typeof JourneyStatus>;

/** How the latest version lets customers in; kept beside the journey so routing is one find. */
export const JourneyEntry = z.object({
  kind: z.string(),
  eventType: z.string().optional(),
  segment: z.string().optional(),
});
export type JourneyEntry = z.infer<typeof JourneyEntry>;

export const JourneyRecord = z.object({
  id: z.string(),
  name: z.string(),
  status: JourneyStatus,
  draft: JourneyGraph,
  /** 0 until the first publish. */
  latestVersion: z.number().int().nonnegative(),
  entry: JourneyEntry.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type JourneyRecord = z.infer<typeof JourneyRecord>;

export const JourneyVersionRecord = z.object({
  journeyId: z.string(),
  version: z.number().int().positive(),
  note: z.string().max(2000),
  definition: JourneyDefinition,
  graph: JourneyGraph,
  publishedAt: z.iso.datetime(),
  /** The API key's name, and its role (versions published before it was kept have none). */
  publishedBy: z.string(),
  publisherRole: z.string().optional(),
  /** Set on a rollback: the earlier version whose definition this one republished. */
  rollbackOf: z.number().int().positive().optional(),
});
export type JourneyVersionRecord = z.infer<typeof JourneyVersionRecord>;

/** A published version as runs receive it. */
export interface PublishedJourney {
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
}

interface JourneyDocument extends Omit<JourneyRecord, 'id'> {
  _id: string;
}
interface VersionDocument extends JourneyVersionRecord {
  _id: string;
}

function journeys(db: Db) {
  return db.collection<JourneyDocument>('journeys');
}
function versions(db: Db) {
  return db.collection<VersionDocument>('journeyVersions');
}

export const journeyIndexes = [{ key: { status: 1, 'entry.kind': 1, 'entry.eventType': 1 } }] as const;
export const journeyVersionIndexes = [{ key: { journeyId: 1, version: 1 }, unique: true }] as const;

function toJourney(doc: JourneyDocument): JourneyRecord {
  return validateDocument(JourneyRecord, withId(doc), 'journeys', doc._id);
}
function toVersion(doc: VersionDocument): JourneyVersionRecord {
  const { _id, ...rest } = doc;
  return validateDocument(JourneyVersionRecord, rest, 'journeyVersions', _id);
}

/** The trigger of a compiled definition, in the terms routing needs. */
export function entryOf(definition: JourneyDefinition): JourneyEntry {
  const node = definition.nodes[definition.entryNodeId];
  if (node === undefined) return { kind: 'none' };
  return { kind: node.kind, ...triggerRoutesOf(node) };
}

/** Creates a journey with its first draft; null when the id is taken. */
export async function createJourney(db: Db, graph: JourneyGraph, now: Date): Promise<JourneyRecord | null> {
  const at = now.toISOString();
  const record = validateDocument(
    JourneyRecord,
    { id: graph.id, name: graph.name, status: 'draft', draft: graph, latestVersion: 0, createdAt: at, updatedAt: at },
    'journeys',
    graph.id,
  );
  const { id: _omit, ...rest } = record;
  try {
    await journeys(db).insertOne({ _id: record.id, ...rest });
    return record;
  } catch (error) {
    if (isDuplicateKeyError(error)) return null;
    throw error;
  }
}

/** The journey `id`, or null. */
export async function getJourney(db: Db, id: string): Promise<JourneyRecord | null> {
  const doc = await journeys(db).findOne({ _id: id });
  return doc === null ? null : toJourney(doc);
}

/** One page of journeys by id. */
export async function listJourneys(db: Db, query: { status?: JourneyStatus | undefined }, page: PageRequest): Promise<Page<JourneyRecord>> {
  const filter: Filter<JourneyDocument> = query.status === undefined ? {} : { status: query.status };
  const result = await paginate(journeys(db), filter, page);
  return { items: result.items.map(toJourney), nextCursor: result.nextCursor };
}

/** Replaces the draft of a journey that is not archived; null when unknown or archived. */
export async function saveDraft(db: Db, id: string, graph: JourneyGraph, now: Date): Promise<JourneyRecord | null> {
  const draft = validateDocument(JourneyGraph, graph, 'journeys', id);
  const doc = await journeys(db).findOneAndUpdate(
    { _id: id, status: { $ne: 'archived' } },
    { $set: { draft, name: draft.name, updatedAt: now.toISOString() } },
    { returnDocument: 'after' },
  );
  return doc === null ? null : toJourney(doc);
}

/**
 * Stores version `expectedVersion + 1` of a journey. The unique (journeyId, version) index
 * makes two concurrent publishes produce one version and one `null` (a conflict), without a
 * transaction. A paused journey stays paused; anything else becomes published.
 */
export async function publishVersion(
  db: Db,
  input: Omit<JourneyVersionRecord, 'version' | 'publishedAt'> & { expectedVersion: number },
  now: Date,
): Promise<JourneyVersionRecord | null> {
  const { expectedVersion, ...rest } = input;
  const version = expectedVersion + 1;
  const record = validateDocument(
    JourneyVersionRecord,
    { ...rest, version, publishedAt: now.toISOString() },
    'journeyVersions',
    `${input.journeyId}@${version}`,
  );
  try {
    await versions(db).insertOne({ _id: `${record.journeyId}@${version}`, ...record });
  } catch (error) {
    if (isDuplicateKeyError(error)) return null;
    throw error;
  }
  const at = now.toISOString();
  const entry = entryOf(record.definition);
  // Two conditional updates instead of `$cond` (FerretDB lacks it): at most one matches.
  await journeys(db).updateOne(
    { _id: record.journeyId, latestVersion: expectedVersion, status: 'paused' },
    { $set: { latestVersion: version, entry, updatedAt: at } },
  );
  await journeys(db).updateOne(
    { _id: record.journeyId, latestVersion: expectedVersion, status: { $in: ['draft', 'published'] } },
    { $set: { latestVersion: version, entry, status: 'published', updatedAt: at } },
  );
  return record;
}

/** One page of a journey's versions, newest first. */
export async function listVersions(db: Db, journeyId: string, page: PageRequest): Promise<Page<JourneyVersionRecord>> {
  const result = await paginate(versions(db), { journeyId }, page, { field: 'version', direction: -1 });
  return { items: result.items.map(toVersion), nextCursor: result.nextCursor };
}

/** Version `version` of a journey, or null. */
export async function getVersion(db: Db, journeyId: string, version: number): Promise<JourneyVersionRecord | null> {
  const doc = await versions(db).findOne({ journeyId, version });
  return doc === null ? null : toVersion(doc);
}

/** Moves a journey from one of `from` to `to`; null when unknown or in another state. */
export async function setJourneyStatus(
  db: Db,
  id: string,
  from: readonly JourneyStatus[],
  to: JourneyStatus,
  now: Date,
): Promise<JourneyRecord | null> {
  const doc = await journeys(db).findOneAndUpdate(
    { _id: id, status: { $in: [...from] } },
    { $set: { status: to, updatedAt: now.toISOString() } },
    { returnDocument: 'after' },
  );
  return doc === null ? null : toJourney(doc);
}

/** The latest published version of a journey that is live (published, not paused/archived). */
export async function livePublished(db: Db, journeyId: string): Promise<PublishedJourney | null> {
  const journey = await journeys(db).findOne({ _id: journeyId, status: 'published' });
  if (journey === null || journey.latestVersion === 0) return null;
  const version = await getVersion(db, journeyId, journey.latestVersion);
  return version === null ? null : { journeyId, version: version.version, definition: version.definition };
}

/** Published versions never change: kept once read, by `journeyId@version`, per database. */
const versionCache = new WeakMap<Db, Map<string, PublishedJourney>>();

/**
 * The live journeys that events can start (event and segment triggers), latest version each:
 * one find of the journeys (ids and versions only), and one version read per version not read
 * before (published versions are immutable). The event pipeline caches the answer briefly.
 */
export async function liveTriggeredJourneys(db: Db): Promise<PublishedJourney[]> {
  const docs = await journeys(db)
    .find({ status: 'published', 'entry.kind': { $in: ['event', 'segment'] } }, { projection: { latestVersion: 1 } })
    .toArray();
  let cache = versionCache.get(db);
  if (cache === undefined) versionCache.set(db, (cache = new Map()));
  const known = cache;
  const missing = docs.filter((doc) => !known.has(`${doc._id}@${doc.latestVersion}`));
  if (missing.length > 0) {
    const found = await versions(db)
      .find({ $or: missing.map((doc) => ({ journeyId: doc._id, version: doc.latestVersion })) })
      .toArray();
    for (const doc of found) {
      const v = toVersion(doc);
      known.set(`${v.journeyId}@${v.version}`, { journeyId: v.journeyId, version: v.version, definition: v.definition });
    }
  }
  return docs.flatMap((doc) => known.get(`${doc._id}@${doc.latestVersion}`) ?? []);
}

/**
 * Does `event` let its customer into `journey` at `now`? Event triggers: its type, property
 * filters and entry window (`maxAgeHours`: a history import starts nothing); segment triggers:
 * `segment_entered` for their segment (the lifecycle records it when membership starts).
 */
export function eventEnters(journey: PublishedJourney, event: CustomerEvent, now: number): boolean {
  const trigger = journey.definition.nodes[journey.definition.entryNodeId];
  // Each trigger kind says in its registry entry which events let a customer in.
  return trigger !== undefined && triggerEnters(trigger, event, now);
}

/** Live journeys `event` lets its customer into at `now` (see `eventEnters`). */
export async function entryJourneysFor(db: Db, event: CustomerEvent, now: number = Date.now()): Promise<PublishedJourney[]> {
  return (await liveTriggeredJourneys(db)).filter((journey) => eventEnters(journey, event, now));
}

/**
 * Live or paused journeys whose latest version sends `templateId` (a template they use must
 * not be deleted). Reads each such journey's latest definition; journeys are few.
 */
export async function journeysUsingTemplate(db: Db, templateId: string): Promise<string[]> {
  const live = await journeys(db).find({ status: { $in: ['published', 'paused'] } }).toArray();
  const using: string[] = [];
  for (const doc of live) {
    const version = await getVersion(db, doc._id, doc.latestVersion);
    const nodes = version === null ? [] : Object.values(version.definition.nodes);
    if (nodes.some((node) => 'templateId' in node.config && node.config.templateId === templateId)) using.push(doc._id);
  }
  return using;
}
