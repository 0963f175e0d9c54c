import type { CustomerProfile } from '../customer.ts';
import { attributeValue } from '../condition.ts';
import { addDays, zonedTimeToUtc } from '../timezone.ts';

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Reads a date attribute (`birthday`, `createdAt` or a custom `YYYY-MM-DD…` one) as a calendar date. */
export function readDate(customer: CustomerProfile, attribute: string): LocalDate | null {
  const value = attributeValue(customer, attribute, 0);
  if (typeof value !== 'string') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return null;
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
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
