import { z } from 'zod';

/**
 * An operator's holiday calendar for one year, on top of the official one the worker knows
 * (mainland China's, through `chinese-days`): public holidays and 调休 make-up working days, e.g.
 * a year the library has no data for yet. Send days (`sendDays`) read both.
 */
export const CalendarDay = z.object({
  date: z.iso.date(),
  /** What the day is, e.g. `春节` or `Spring Festival make-up day`. */
  name: z.string().min(1).max(60),
});
export type CalendarDay = z.infer<typeof CalendarDay>;

/** A date is a holiday or a working day, not both, and listed once (checked where it is stored). */
export const HolidayYear = z
  .object({
    /** Public holidays (a weekend inside a holiday is listed too). */
    holidays: z.array(CalendarDay).max(60),
    /** Make-up working days (调休): Saturdays or Sundays that are working days. */
    workdays: z.array(CalendarDay).max(30),
  })
  .meta({ id: 'HolidayYear' });
export type HolidayYear = z.infer<typeof HolidayYear>;
