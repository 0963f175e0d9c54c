import type { LocalTime, Weekday } from './time.ts';
import { DAY, minutesOfDay, weekdays } from './time.ts';

/** Quiet hours as settings store them: no sends from `start` until `end`, local time. */
export interface QuietHoursWindow {
  start: LocalTime;
  end: LocalTime;
}

// Formatters are expensive to build and pure to reuse; the cache only ever grows by the valid
// timezones actually seen (a few hundred at most): names that are not one are never kept, so
// requests with made-up names cannot grow it.
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timezone: string): Intl.DateTimeFormat | null {
  let cached = formatters.get(timezone);
  if (cached === undefined) {
    try {
      cached = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'short',
      });
    } catch {
      return null;
    }
    formatters.set(timezone, cached);
  }
  return cached;
}

/** True for an IANA timezone the runtime knows, e.g. `Asia/Shanghai`; false for `Mars/Base`. */
export function isValidTimezone(timezone: string): boolean {
  return timezone.length > 0 && formatter(timezone) !== null;
}

/** The customer's timezone when valid, else the journey's fallback, else UTC. */
export function effectiveTimezone(timezone: string | undefined, fallback: string): string {
  if (timezone && isValidTimezone(timezone)) return timezone;
  return isValidTimezone(fallback) ? fallback : 'UTC';
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
}

const shortWeekdays: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

/** The wall-clock reading of instant `now` in `timezone` (invalid timezones read as UTC). */
export function localParts(now: number, timezone: string): LocalParts {
  const format = formatter(timezone) ?? formatter('UTC');
  const values: Partial<Record<string, string>> = {};
  for (const part of format?.formatToParts(now) ?? []) values[part.type] = part.value;
  return {
    year: Number(values.year ?? 1970),
    month: Number(values.month ?? 1),
    day: Number(values.day ?? 1),
    hour: Number(values.hour ?? 0),
    minute: Number(values.minute ?? 0),
    second: Number(values.second ?? 0),
    weekday: shortWeekdays[values.weekday ?? ''] ?? 'mon',
  };
}

function offsetAt(instant: number, timezone: string): number {
  const p = localParts(instant, timezone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000));
}

/**
 * The instant at which the wall clock in `timezone` shows the given local date and time.
 * Times skipped by a daylight-saving jump resolve to just after the jump.
 */
export function zonedTimeToUtc(
  date: { year: number; month: number; day: number },
  minutes: number,
  timezone: string,
): number {
  const guess = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const first = guess - offsetAt(guess, timezone);
  const second = guess - offsetAt(first, timezone);
  return first === second ? first : Math.max(first, second);
}

/** The calendar date `days` after a local date (negative goes back). */
export function addDays(date: { year: number; month: number; day: number }, days: number) {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function insideWindow(minute: number, start: number, end: number): boolean {
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * The earliest instant at or after `now` outside the quiet hours, in the customer's timezone.
 * Sends inside quiet hours are deferred to this time, never dropped.
 *
 * @example nextAllowedTime(Date.parse('2025-03-01T14:00:00Z'), 'Asia/Shanghai', { start: '21:00', end: '09:00' })
 *   // 22:00 in Shanghai → 2025-03-02T01:00:00Z (09:00 local)
 */
export function nextAllowedTime(now: number, timezone: string, quietHours: QuietHoursWindow | undefined): number {
  if (!quietHours) return now;
  const start = minutesOfDay(quietHours.start);
  const end = minutesOfDay(quietHours.end);
  if (start === end) return now;
  const p = localParts(now, timezone);
  const minute = p.hour * 60 + p.minute;
  if (!insideWindow(minute, start, end)) return now;
  // Before midnight in an overnight window the end is tomorrow; otherwise it is today.
  const dayOffset = minute < end ? 0 : 1;
  return Math.max(now, zonedTimeToUtc(addDays(p, dayOffset), end, timezone));
}

/**
 * The earliest instant at or after `now` inside a daily local window on one of `days`
 * (e.g. weekdays 10:00–12:00); `now` itself when already inside, `null` when no day is allowed.
 */
export function nextWindowTime(
  now: number,
  timezone: string,
  window: { from: LocalTime; to: LocalTime; days: readonly Weekday[] },
): number | null {
  const from = minutesOfDay(window.from);
  const to = minutesOfDay(window.to);
  const today = localParts(now, timezone);
  const startIndex = weekdays.indexOf(today.weekday);
  // One extra day covers a window that opened yesterday and runs past midnight.
  for (let offset = -1; offset <= 7; offset++) {
    const day = weekdays[(((startIndex + offset) % 7) + 7) % 7];
    if (day === undefined || !window.days.includes(day)) continue;
    const date = addDays(today, offset);
    const opens = zonedTimeToUtc(date, from, timezone);
    const closes = zonedTimeToUtc(to > from ? date : addDays(date, 1), to, timezone);
    if (now < opens) return opens;
    if (now < closes) return now;
  }
  return null;
}
