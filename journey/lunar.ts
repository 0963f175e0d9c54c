import { z } from 'zod';

/**
 * A yearly date in the Chinese lunar calendar (农历), as a profile attribute holds it: the
 * month and day, and whether the month is a leap month (闰月). Written `lunar-MM-DD`, or
 * `lunar-leap-MM-DD` for a leap month, e.g. `lunar-08-15` (中秋) or `lunar-leap-06-10`. One
 * schema for the API (custom attributes are strings), the store and the journeys that read it.
 *
 * How a lunar anniversary falls in a lunar year (the conversion itself is
 * `lunar-typescript`'s, done outside the core, see `LunarCalendar`):
 * - a date in a leap month is celebrated in that leap month in years that have it, and in the
 *   regular month of the same number in the years that do not (the common custom);
 * - day 30 of a month that has only 29 days that year is celebrated on the 29th, the month's
 *   last day.
 */
const lunarPattern = /^lunar-(leap-)?(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|30)$/;

export const LunarDate = z
  .string()
  .regex(lunarPattern, 'use lunar-MM-DD or lunar-leap-MM-DD, e.g. lunar-08-15')
  .meta({ id: 'LunarDate', description: 'A lunar (农历) month and day, `lunar-MM-DD` or `lunar-leap-MM-DD` for a leap month.' });
export type LunarDate = z.infer<typeof LunarDate>;

export interface LunarMonthDay {
  month: number;
  day: number;
  leap: boolean;
}

/**
 * Any text that is not meant as a lunar date (does not start with `lunar-`), or a valid one:
 * custom attributes are written against this, so a mistyped 农历 birthday (`lunar-8-15`) is
 * refused instead of silently never celebrated. Look-around free, so the OpenAPI document
 * states the same rule.
 */
export const LunarOrOtherText = z
  .string()
  .regex(
    /^(?:lunar-(?:leap-)?(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|30)$|(?:l|lu|lun|luna|lunar)?$|[^l]|l[^u]|lu[^n]|lun[^a]|luna[^r]|lunar[^-])/,
    'text starting with lunar- is a lunar date: use lunar-MM-DD or lunar-leap-MM-DD, e.g. lunar-08-15',
  );

/**
 * Reads a `LunarDate` string; `null` for anything else (a solar date, a number, nothing).
 * Matches the pattern rather than parsing with the schema: runs call it in workflow code,
 * where zod's lazily defined properties cannot be added to the frozen shared module.
 */
export function readLunarDate(value: unknown): LunarMonthDay | null {
  if (typeof value !== 'string') return null;
  const match = lunarPattern.exec(value);
  if (!match) return null;
  return { leap: match[1] !== undefined, month: Number(match[2]), day: Number(match[3]) };
}

/** Writes a lunar month and day as a `LunarDate` string. */
export function formatLunarDate(date: LunarMonthDay): LunarDate {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `lunar-${date.leap ? 'leap-' : ''}${pad(date.month)}-${pad(date.day)}`;
}

/**
 * The solar date (`YYYY-MM-DD`) of a lunar anniversary in lunar year `lunarYear`, following the
 * rules above. The core stays free of calendar tables: activities pass one built on
 * `lunar-typescript` (`activities/lunar.ts`).
 */
export type LunarCalendar = (lunarYear: number, date: LunarMonthDay) => string;

/**
 * The solar dates of every lunar date attribute, in each of the lunar `years`, through
 * `calendar`: what a run holds (`JourneyCustomer.lunarAnniversaries`) so its waits need no
 * calendar. The worker and the forecast both build it here.
 */
export function lunarAnniversariesIn(attributes: Readonly<Record<string, unknown>>, years: readonly number[], calendar: LunarCalendar): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const date = readLunarDate(value);
    if (date !== null) out[name] = years.map((year) => calendar(year, date));
  }
  return Object.keys(out).length === 0 ? undefined : out;
}
