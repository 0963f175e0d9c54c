import { Lunar, LunarMonth, Solar } from 'lunar-typescript';
import { formatLunarDate, lunarAnniversariesIn } from '../journey/index.ts';
import type { CustomerProfile, JourneyCustomer, LunarCalendar, LunarDate, LunarMonthDay } from '../journey/index.ts';

/**
 * Lunar (农历) dates through `lunar-typescript`, kept out of the core and of workflow code: the
 * library keeps caches that Temporal's frozen shared modules would refuse, so the date sweep
 * converts in its activity and a run gets the solar dates with the profile it loads.
 */

/** The month a lunar anniversary falls in: the leap month if the year has it, else the regular one. */
function monthOf(lunarYear: number, date: LunarMonthDay): LunarMonth | null {
  return (date.leap ? LunarMonth.fromYm(lunarYear, -date.month) : null) ?? LunarMonth.fromYm(lunarYear, date.month);
}

/**
 * The solar date of a lunar anniversary in lunar year `lunarYear` (rules in `journey/lunar.ts`:
 * a leap-month date falls in the regular month in years without that leap month; day 30 of a
 * 29-day month on the 29th).
 *
 * @example lunarToSolar(2025, { month: 6, day: 10, leap: true }) // '2025-08-03' (闰六月初十)
 */
export const lunarToSolar: LunarCalendar = (lunarYear, date) => {
  const month = monthOf(lunarYear, date);
  if (month === null) throw new RangeError(`no lunar month ${date.month} in ${lunarYear}`);
  return Lunar.fromYmd(lunarYear, month.getMonth(), Math.min(date.day, month.getDayCount())).getSolar().toYmd();
};

/**
 * Every lunar date whose anniversary falls on the solar day `ymd` (`YYYY-MM-DD`): the day's own
 * lunar date, plus the leap-month date of the same number in a year without that leap month,
 * plus day 30 on the 29th, last day of a short month. The sweep narrows customers by these.
 */
export function lunarDatesOn(ymd: string): LunarDate[] {
  const [y, m, d] = ymd.split('-').map(Number);
  const lunar = Solar.fromYmd(y ?? 1970, m ?? 1, d ?? 1).getLunar();
  const month = Math.abs(lunar.getMonth());
  const leap = lunar.getMonth() < 0;
  const days = [lunar.getDay()];
  const monthLength = LunarMonth.fromYm(lunar.getYear(), lunar.getMonth())?.getDayCount() ?? 30;
  if (lunar.getDay() === 29 && monthLength === 29) days.push(30);
  const out = days.map((day) => formatLunarDate({ month, day, leap }));
  if (!leap && LunarMonth.fromYm(lunar.getYear(), -month) === null) out.push(...days.map((day) => formatLunarDate({ month, day, leap: true })));
  return out;
}

/** The lunar year the solar day of instant `at` (UTC) falls in. */
export function lunarYearAt(at: number): number {
  const d = new Date(at);
  return Solar.fromYmd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()).getLunar().getYear();
}

/**
 * The solar dates of every lunar date attribute of a profile, in the lunar years around `at`
 * (the one before to two ahead): what a run holds so its waits need no calendar. Two years
 * ahead, because `at` is the worker's clock (a local activity has no workflow time), which may
 * trail the workflow's (a skipped test clock); a run reads the profile again whenever it wakes.
 */
export function lunarAnniversaries(customer: CustomerProfile, at: number): JourneyCustomer['lunarAnniversaries'] {
  const year = lunarYearAt(at);
  return lunarAnniversariesIn(customer.attributes, [year - 1, year, year + 1, year + 2], lunarToSolar);
}
