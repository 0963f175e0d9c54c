import chineseDays from 'chinese-days';
import type { Db } from 'mongodb';
import { HolidayYear } from '../journey/holidays.ts';
import { validateDocument } from './documents.ts';

/** The operator's holiday calendar, one document per year (`_id` the year). */
interface HolidayYearDocument extends HolidayYear {
  _id: string;
  updatedAt: string;
}

function years(db: Db) {
  return db.collection<HolidayYearDocument>('holidayCalendar');
}

/** A year of the operator's calendar as stored. */
export interface StoredHolidayYear extends HolidayYear {
  year: number;
  updatedAt: string;
}

/** Replaces the operator's holidays and make-up working days of `year`. */
export async function putHolidayYear(db: Db, year: number, calendar: HolidayYear, now: Date): Promise<StoredHolidayYear> {
  const { holidays, workdays } = calendar;
  await years(db).replaceOne({ _id: String(year) }, { holidays, workdays, updatedAt: now.toISOString() }, { upsert: true });
  return { year, holidays, workdays, updatedAt: now.toISOString() };
}

/** Removes the operator's calendar of `year`; false when there was none. */
export async function deleteHolidayYear(db: Db, year: number): Promise<boolean> {
  return (await years(db).deleteOne({ _id: String(year) })).deletedCount === 1;
}

/** Every year of the operator's calendar, in order. */
export async function listHolidayYears(db: Db): Promise<StoredHolidayYear[]> {
  const docs = await years(db).find({}).toArray();
  return docs
    .map((doc) => ({ year: Number(doc._id), updatedAt: doc.updatedAt, ...validateDocument(HolidayYear, { holidays: doc.holidays, workdays: doc.workdays }, 'holidayCalendar', doc._id) }))
    .sort((a, b) => a.year - b.year);
}

const libraryYears = new Map<number, boolean>();
/** Whether `chinese-days` has the official calendar of `year` (every published year has holidays). */
function libraryKnows(year: number): boolean {
  let known = libraryYears.get(year);
  if (known === undefined) {
    known = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    libraryYears.set(year, known);
  }
  return known;
}

/** Which of `years` the calendar knows (the library's data or the operator's), and which it does not. */
export function calendarCoverage(years: readonly number[], operatorYears: ReadonlySet<number>): { known: number[]; unknown: number[] } {
  const known = years.filter((year) => libraryKnows(year) || operatorYears.has(year));
  return { known, unknown: years.filter((year) => !known.includes(year)) };
}
