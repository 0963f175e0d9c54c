// Send days by mainland China's official calendar around the 2025 Spring Festival: public
// holiday 28 January – 4 February, make-up working days Sunday 26 January and Saturday 8 February.
import { describe, expect, it } from 'vitest';
import { nextSendTime } from './send-days.ts';

const zone = 'Asia/Shanghai';
const quietHours = { start: '21:00', end: '09:00' } as const;
/** An instant from Shanghai local time (UTC+8, no daylight saving). */
const local = (iso: string) => Date.parse(`${iso}+08:00`);
const shanghai = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('working days only', () => {
  const settings = { quietHours, sendDays: 'workingDays' } as const;
  it('sends on the make-up Sunday before the holiday', () => {
    expect(shanghai(nextSendTime(local('2025-01-26T10:30'), zone, settings))).toBe('2025-01-26 10:30');
  });
  it('defers a Saturday send to Sunday 26 January, a make-up working day, at the end of quiet hours', () => {
    expect(shanghai(nextSendTime(local('2025-01-25T10:30'), zone, settings))).toBe('2025-01-26 09:00');
  });
  it('defers a send on the first holiday to 5 February, the first working day after it', () => {
    expect(shanghai(nextSendTime(local('2025-01-28T10:30'), zone, settings))).toBe('2025-02-05 09:00');
    // Late on the last working day before the holiday: quiet hours, then eight days off.
    expect(shanghai(nextSendTime(local('2025-01-27T22:00'), zone, settings))).toBe('2025-02-05 09:00');
  });
  it('sends on Saturday 8 February (make-up) but defers Sunday the 9th to Monday', () => {
    expect(shanghai(nextSendTime(local('2025-02-08T12:00'), zone, settings))).toBe('2025-02-08 12:00');
    expect(shanghai(nextSendTime(local('2025-02-09T12:00'), zone, settings))).toBe('2025-02-10 09:00');
  });
});

describe('not on public holidays', () => {
  const settings = { quietHours, sendDays: 'notOnPublicHolidays' } as const;
  it('sends on an ordinary Saturday, defers a holiday send to the day after the holiday', () => {
    expect(shanghai(nextSendTime(local('2025-01-25T10:30'), zone, settings))).toBe('2025-01-25 10:30');
    // 1 February is a Saturday inside the holiday: a holiday, not a weekend.
    expect(shanghai(nextSendTime(local('2025-02-01T10:30'), zone, settings))).toBe('2025-02-05 09:00');
  });
  it('without quiet hours the send goes at the first minute of the next allowed day', () => {
    expect(shanghai(nextSendTime(local('2025-02-04T23:00'), zone, { sendDays: 'notOnPublicHolidays' }))).toBe('2025-02-05 00:00');
  });
});

describe('the customer’s own calendar date', () => {
  it('reads the holiday in the customer’s timezone: 4 February in Shanghai is 5 February nowhere yet', () => {
    // 2025-02-04 16:30 UTC is 5 February 00:30 in Shanghai (a working day) and still the 4th in London.
    const at = Date.parse('2025-02-04T16:30:00Z');
    expect(nextSendTime(at, zone, { sendDays: 'workingDays' })).toBe(at);
    expect(new Date(nextSendTime(at, 'Europe/London', { sendDays: 'workingDays' })).toISOString()).toBe('2025-02-05T00:00:00.000Z');
  });
});
