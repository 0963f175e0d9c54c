import type { CustomerProfile, JourneyCustomer } from '../customer.ts';
import { attributeValue } from '../condition.ts';
import { readLunarDate } from '../lunar.ts';
import type { LunarCalendar } from '../lunar.ts';
import { addDays, zonedTimeToUtc } from '../timezone.ts';

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Reads a `YYYY-MM-DD…` string as a calendar date. */
export function parseLocalDate(value: unknown): LocalDate | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return null;
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/** Reads a date attribute (`birthday`, `createdAt` or a custom `YYYY-MM-DD…` one) as a calendar date. */
export function readDate(customer: CustomerProfile, attribute: string): LocalDate | null {
  return parseLocalDate(attributeValue(customer, attribute, 0));
}

/**
 * A date attribute's anniversary in `year`: the solar date's, or for a lunar date (`lunar-MM-DD`)
 * the solar date of its anniversary in lunar year `year`, through `calendar` (`null` without one).
 */
export function anniversaryOf(customer: CustomerProfile, attribute: string, year: number, calendar?: LunarCalendar): LocalDate | null {
  const value = attributeValue(customer, attribute, 0);
  const lunar = readLunarDate(value);
  if (lunar !== null) return calendar === undefined ? null : parseLocalDate(calendar(year, lunar));
  const date = parseLocalDate(value);
  return date === null ? null : anniversary(date, year);
}

/**
 * The solar dates a run holds for a lunar date attribute (converted when it loaded the profile,
 * see `JourneyCustomer.lunarAnniversaries`); `null` when the attribute is not a lunar date.
 */
export function heldLunarAnniversaries(customer: JourneyCustomer, attribute: string): LocalDate[] | null {
  if (readLunarDate(attributeValue(customer, attribute, 0)) === null) return null;
  return (customer.lunarAnniversaries?.[attribute] ?? []).flatMap((d) => parseLocalDate(d) ?? []);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The date's anniversary in `year`; 29 February falls on the 28th in other years. */
export function anniversary(date: LocalDate, year: number): LocalDate {
  const day = date.month === 2 && date.day === 29 && !isLeap(year) ? 28 : date.day;
  return { year, month: date.month, day };
}

/** The instant of `offsetDays` around a local date at `minutes` past midnight in `timezone`. */
export function instantAround(date: LocalDate, offsetDays: number, minutes: number, timezone: string): number {
  return zonedTimeToUtc(addDays(date, offsetDays), minutes, timezone);
}
