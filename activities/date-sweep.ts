import type { Db, Filter } from 'mongodb';
import { dateTriggerTime } from '../journey/index.ts';
import type { DateTriggerConfig } from '../journey/index.ts';
import { customersCollection, toProfile } from '../store/customers.ts';
import type { CustomerDocument } from '../store/customers.ts';
import { paginate } from '../store/documents.ts';
import { listJourneys, livePublished } from '../store/journeys.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { startOnce } from './campaign.ts';
import { lunarDatesOn, lunarToSolar } from './lunar.ts';
import type { JourneyStarter } from './types.ts';

const DAY = 86_400_000;

/** Ids of live journeys with a yearly date trigger. */
export async function listDateJourneys(db: Db): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await listJourneys(db, { status: 'published' }, { limit: 200, ...(cursor === null ? {} : { cursor }) });
    for (const journey of page.items) if (journey.entry?.kind === 'date') ids.push(journey.id);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

export interface DateSweepPageInput {
  journeyId: string;
  /** The sweep's time (workflow time), epoch ms. */
  at: number;
  horizonHours: number;
  graceHours: number;
  cursor: string | null;
  limit: number;
}

export interface DateSweepPageResult {
  scheduled: number;
  skipped: number;
  failed: number;
  nextCursor: string | null;
}

function triggerOf(journey: PublishedJourney): DateTriggerConfig | null {
  const node = journey.definition.nodes[journey.definition.entryNodeId];
  return node?.kind === 'date' ? node.config : null;
}

/** The document path of a date attribute: built-in fields, else a custom attribute. */
function attributePath(attribute: string): string | null {
  if (attribute === 'birthday' || attribute === 'createdAt') return attribute;
  return /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(attribute) ? `attributes.${attribute}` : null;
}

/**
 * The month-days (`MM-DD`) whose anniversaries, shifted by `offsetDays` in any timezone, can
 * fall within the window: the database narrows candidates by these, the exact local time is
 * checked per customer.
 */
export function candidateMonthDays(from: number, to: number, offsetDays: number): string[] {
  const days = new Set<string>();
  for (let day = Math.floor(from / DAY) - 1; day <= Math.floor(to / DAY) + 1; day++) {
    const date = new Date((day - offsetDays) * DAY);
    const monthDay = date.toISOString().slice(5, 10);
    days.add(monthDay);
    if (monthDay === '02-28') days.add('02-29');
  }
  return [...days].sort();
}

/**
 * The lunar dates (`lunar-MM-DD`, `lunar-leap-MM-DD`) whose anniversaries, shifted by
 * `offsetDays`, can fall within the window: the lunar counterpart of `candidateMonthDays`.
 */
export function candidateLunarDates(from: number, to: number, offsetDays: number): string[] {
  const dates = new Set<string>();
  for (let day = Math.floor(from / DAY) - 1; day <= Math.floor(to / DAY) + 1; day++) {
    for (const lunar of lunarDatesOn(new Date((day - offsetDays) * DAY).toISOString().slice(0, 10))) dates.add(lunar);
  }
  return [...dates].sort();
}

/**
 * One page of the daily sweep of a date-triggered journey: every customer whose entry time
 * (the date's anniversary, shifted by the offset, at the local time in their timezone) falls
 * in `[at - grace, at + horizon)` gets a run `journey/{id}/{customer}/{year}` that waits until
 * that instant. The effect ledger and the year in the workflow id make it once per year.
 */
export async function sweepDateJourneyPage(db: Db, starter: JourneyStarter, input: DateSweepPageInput): Promise<DateSweepPageResult> {
  const journey = await livePublished(db, input.journeyId);
  const config = journey === null ? null : triggerOf(journey);
  const path = config === null ? null : attributePath(config.attribute);
  if (journey === null || config === null || path === null) return { scheduled: 0, skipped: 0, failed: 0, nextCursor: null };
  const from = input.at - input.graceHours * 3_600_000;
  const to = input.at + input.horizonHours * 3_600_000;
  const monthDays = candidateMonthDays(from, to, config.offsetDays);
  const lunarDates = candidateLunarDates(from, to, config.offsetDays);
  // Solar dates by month-day, lunar ones (农历, custom attributes) whole.
  const filter: Filter<CustomerDocument> = { [path]: { $regex: `^(\\d{4}-(${monthDays.join('|')})|(${lunarDates.join('|')})$)` } };
  const page = await paginate(customersCollection(db), filter, { limit: input.limit, ...(input.cursor === null ? {} : { cursor: input.cursor }) });
  const result: DateSweepPageResult = { scheduled: 0, skipped: 0, failed: 0, nextCursor: page.nextCursor };
  // For a lunar date the year is the lunar year; the same three years cover it (a 12th-month
  // date of lunar year Y falls in January or February of Y + 1).
  const utcYear = new Date(input.at).getUTCFullYear();
  for (const doc of page.items) {
    const customer = toProfile(doc);
    for (const year of [utcYear - 1, utcYear, utcYear + 1]) {
      const startAt = dateTriggerTime(config, customer, year, journey.definition.settings.timezone, lunarToSolar);
      if (startAt === null || startAt < from || startAt >= to) continue;
      const { outcome, fresh } = await startOnce(db, `date:${journey.journeyId}:${customer.id}:${year}`, 'dateStart', customer.id, journey.journeyId, () =>
        starter.start({ journey, customerId: customer.id, year, startAt }),
      );
      // Started by an earlier sweep: this customer already has this year's run.
      result[!fresh ? 'skipped' : outcome === 'started' ? 'scheduled' : outcome] += 1;
    }
  }
  return result;
}
