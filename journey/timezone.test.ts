import { describe, expect, it } from 'vitest';
import { isValidTimezone, localParts, nextAllowedTime, nextWindowTime, zonedTimeToUtc } from './timezone.ts';

const at = (iso: string) => Date.parse(iso);
const quiet = { start: '21:00', end: '09:00' };

describe('nextAllowedTime (quiet hours 21:00–09:00)', () => {
  it.each([
    ['daytime in Shanghai sends now', '2025-03-01T04:00:00Z', 'Asia/Shanghai', '2025-03-01T04:00:00.000Z'],
    ['22:00 in Shanghai waits for 09:00 next morning', '2025-03-01T14:00:00Z', 'Asia/Shanghai', '2025-03-02T01:00:00.000Z'],
    ['03:00 in Shanghai waits for 09:00 the same morning', '2025-03-01T19:00:00Z', 'Asia/Shanghai', '2025-03-02T01:00:00.000Z'],
    ['exactly 09:00 local is allowed', '2025-03-02T01:00:00Z', 'Asia/Shanghai', '2025-03-02T01:00:00.000Z'],
    ['exactly 21:00 local is quiet', '2025-03-01T13:00:00Z', 'Asia/Shanghai', '2025-03-02T01:00:00.000Z'],
    ['the same instant is daytime in New York', '2025-03-01T14:00:00Z', 'America/New_York', '2025-03-01T14:00:00.000Z'],
    ['23:30 in New York before the DST change waits to 09:00 EDT', '2025-03-09T04:30:00Z', 'America/New_York', '2025-03-09T13:00:00.000Z'],
  ])('%s', (_name, now, timezone, expected) => {
    expect(new Date(nextAllowedTime(at(now), timezone, quiet)).toISOString()).toBe(expected);
  });

  it('sends at once without quiet hours, and with a daytime-only window', () => {
    expect(nextAllowedTime(at('2025-03-01T23:00:00Z'), 'UTC', undefined)).toBe(at('2025-03-01T23:00:00Z'));
    expect(new Date(nextAllowedTime(at('2025-03-01T13:00:00Z'), 'UTC', { start: '12:00', end: '14:00' })).toISOString()).toBe('2025-03-01T14:00:00.000Z');
  });
});

describe('timezones', () => {
  it('knows real IANA names and rejects made-up ones', () => {
    expect(isValidTimezone('Asia/Shanghai')).toBe(true);
    expect(isValidTimezone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimezone('')).toBe(false);
  });

  it('reads the local wall clock and converts back', () => {
    const parts = localParts(at('2025-07-01T23:30:00Z'), 'Asia/Shanghai');
    expect(parts).toMatchObject({ year: 2025, month: 7, day: 2, hour: 7, minute: 30, weekday: 'wed' });
    expect(zonedTimeToUtc({ year: 2025, month: 7, day: 2 }, 7 * 60 + 30, 'Asia/Shanghai')).toBe(at('2025-07-01T23:30:00Z'));
    expect(zonedTimeToUtc({ year: 2025, month: 7, day: 2 }, 9 * 60, 'Europe/London')).toBe(at('2025-07-02T08:00:00Z'));
  });
});

describe('nextWindowTime', () => {
  const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
  it.each([
    ['Saturday morning waits for Monday 10:00', '2025-01-11T08:00:00Z', '2025-01-13T10:00:00.000Z'],
    ['Monday 10:30 is inside the window', '2025-01-13T10:30:00Z', '2025-01-13T10:30:00.000Z'],
    ['Monday 12:00 waits for Tuesday 10:00', '2025-01-13T12:00:00Z', '2025-01-14T10:00:00.000Z'],
  ])('%s', (_name, now, expected) => {
    expect(new Date(nextWindowTime(at(now), 'UTC', { from: '10:00', to: '12:00', days: weekdays }) ?? 0).toISOString()).toBe(expected);
  });

  it('returns null when no day is allowed', () => {
    expect(nextWindowTime(at('2025-01-11T08:00:00Z'), 'UTC', { from: '10:00', to: '12:00', days: [] })).toBeNull();
  });
});
