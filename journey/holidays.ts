import { z } from 'zod';

/**
 * An operator's holiday calendar for one year, on top of the official one the worker knows
 * (mainland China's, through `chinese-days`): public holidays and 调休 make-up working days, e.g.
 * a year the library has no data for yet. Send days (`sendDays`) read both.
 */
export const CalendarDay = z.object({
  date: z.iso.date(),
  /** What the day is, e.g. `春节` or `Spring Festival make-up day`. */
  name: z.string().trim().min(1).max(60),
});
export type CalendarDay = z.infer<typeof CalendarDay>;

export const HolidayYear = z
  .object({
    /** Public holidays (a weekend inside a holiday is listed too). */
    holidays: z.array(CalendarDay).max(60),
    /** Make-up working days (调休): Saturdays or Sundays that are working days. */
    workdays: z.array(CalendarDay).max(30),
  })
  .superRefine((year, ctx) => {
    const seen = new Map<string, string>();
    for (const list of ['holidays', 'workdays'] as const) {
      year[list].forEach((day, index) => {
        const before = seen.get(day.date);
        if (before !== undefined) ctx.addIssue({ code: 'custom', path: [list, index, 'date'], message: `${day.date} is already listed in ${before}` });
        seen.set(day.date, list);
      });
    }
  })
  .meta({ id: 'HolidayYear' });
export type HolidayYear = z.infer<typeof HolidayYear>;
