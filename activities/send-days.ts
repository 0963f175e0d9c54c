import chineseDays from 'chinese-days';
import type { Db } from 'mongodb';
import { addDays, localParts, nextAllowedTime, zonedTimeToUtc } from '../journey/index.ts';
import type { JourneySettings, SendDays } from '../journey/index.ts';
import type { HolidayYear } from '../journey/holidays.ts';
import { listHolidayYears } from '../store/holidays.ts';

/**
 * Send days by mainland China's official holiday calendar, through `chinese-days` (its data
 * covers the years the State Council has published, to 2026), with the operator's calendar on
 * top (`PUT /v1/settings/holidays/{year}`): their holidays and make-up working days win over the
 * library's for those dates. A year neither knows counts as ordinary weeks (Monday to Friday
 * working, no public holidays), and `GET /v1/settings/holidays` names it (`calendarCoverage`).
 * Checked when a send goes out, beside quiet hours, so the core and workflow code carry no
 * calendar tables.
 */

const pad = (n: number) => String(n).padStart(2, '0');

/** The operator's days: date → holiday or make-up working day. */
let operatorDays = new Map<string, 'holiday' | 'workday'>();
let loadedAt = -Infinity;
/** How long the worker keeps the operator's calendar before reading it again. */
export const HOLIDAY_CALENDAR_TTL_MS = 30_000;

/** Uses these years of the operator's calendar from now on (replacing what was set before). */
export function setHolidayCalendar(years: ReadonlyArray<HolidayYear & { year: number }>): void {
  const days = new Map<string, 'holiday' | 'workday'>();
  for (const year of years) {
    for (const day of year.holidays) days.set(day.date, 'holiday');
    for (const day of year.workdays) days.set(day.date, 'workday');
  }
  operatorDays = days;
}

/** Reads the operator's calendar from the database unless it was read within the TTL. */
export async function refreshHolidayCalendar(db: Db, now = Date.now()): Promise<void> {
  if (now - loadedAt < HOLIDAY_CALENDAR_TTL_MS) return;
  setHolidayCalendar(await listHolidayYears(db));
  loadedAt = now;
}

/** Whether a send may go out on the local calendar date `ymd` (`YYYY-MM-DD`). */
export function sendDayAllowed(sendDays: SendDays, ymd: string): boolean {
  const own = operatorDays.get(ymd);
  if (own !== undefined) return own === 'workday';
  switch (sendDays) {
    case 'workingDays':
      return chineseDays.isWorkday(ymd);
    case 'notOnPublicHolidays':
      // Without weekends: only the official holidays (a weekend inside one counts as holiday).
      return chineseDays.getHolidaysInRange(ymd, ymd, false).length === 0;
  }
}

/**
 * The earliest instant at or after `now` outside quiet hours and on an allowed send day, in
 * `timezone`: a send on a public holiday waits until the allowed day's end of quiet hours (or
 * its midnight without quiet hours).
 *
 * @example nextSendTime(Date.parse('2025-01-28T02:00:00Z'), 'Asia/Shanghai', { quietHours: { start: '21:00', end: '09:00' }, sendDays: 'workingDays' })
 *   // Spring Festival 2025 runs to 4 February → 2025-02-05T01:00:00Z (09:00 local)
 */
export function nextSendTime(now: number, timezone: string, settings: Pick<JourneySettings, 'quietHours' | 'sendDays'>): number {
  let at = nextAllowedTime(now, timezone, settings.quietHours);
  if (settings.sendDays === undefined) return at;
  // A year of days at most: no calendar has a longer run of days off.
  for (let i = 0; i < 366; i++) {
    const day = localParts(at, timezone);
    if (sendDayAllowed(settings.sendDays, `${day.year}-${pad(day.month)}-${pad(day.day)}`)) return at;
    at = nextAllowedTime(zonedTimeToUtc(addDays(day, 1), 0, timezone), timezone, settings.quietHours);
  }
  return at;
}
