// The operator's holiday calendar: a year the bundled official data does not cover (2027) is
// reported as unknown, added through the API, and then moves sends as the official years do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextSendTime, refreshHolidayCalendar } from '../../activities/send-days.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock: () => new Date('2026-12-06T12:00:00Z') });
});
afterAll(() => app.close());

const zone = 'Asia/Shanghai';
const local = (iso: string) => Date.parse(`${iso}+08:00`);
const shanghai = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const workingDays = { quietHours: { start: '21:00', end: '09:00' }, sendDays: 'workingDays' } as const;

/** An example 2027 Spring Festival (the State Council had not published 2027 when this was written). */
const spring2027 = {
  holidays: ['2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12'].map((date) => ({ date, name: '春节' })),
  workdays: [{ date: '2027-02-13', name: '春节调休' }],
};

describe('holiday calendar beyond the bundled data', () => {
  it('says 2027 is unknown, refuses a year with dates outside it or a day listed twice (saving nothing), then takes the year and moves sends by it', async () => {
    const before = await app.call('GET', '/settings/holidays', { as: 'viewer' });
    expect(before.status).toBe(200);
    expect(before.json).toMatchObject({ years: [], coverage: { known: [2026], unknown: [2027] }, warnings: [expect.stringContaining('holidays and make-up working days of 2027 are not known')] });
    // Unknown, 2027 counts as ordinary weeks: Monday 8 February is a working day.
    await refreshHolidayCalendar(app.db);
    expect(shanghai(nextSendTime(local('2027-02-08T10:30'), zone, workingDays))).toBe('2027-02-08 10:30');

    const outside = await app.call('PUT', '/settings/holidays/2027', { as: 'operator', json: { ...spring2027, workdays: [{ date: '2028-01-30', name: '调休' }] } });
    expect(outside.status).toBe(422);
    expect(outside.headers.get('content-type')).toContain('application/problem+json');
    expect(outside.json).toMatchObject({ errors: [{ path: 'body.workdays[0].date', message: '2028-01-30 is not in 2027' }] });
    const twice = await app.call('PUT', '/settings/holidays/2027', { as: 'operator', json: { ...spring2027, workdays: [{ date: '2027-02-12', name: '调休' }] } });
    expect(twice.status).toBe(422);
    expect(twice.json).toMatchObject({ errors: [{ path: 'body.workdays[0].date', message: '2027-02-12 is already listed in holidays' }] });
    expect((await app.call('GET', '/settings/holidays')).json).toMatchObject({ years: [], coverage: { unknown: [2027] } });
    expect((await app.call('PUT', '/settings/holidays/2027', { as: 'marketer', json: spring2027 })).status).toBe(403);

    const saved = await app.call('PUT', '/settings/holidays/2027', { as: 'operator', json: spring2027 });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ year: 2027, holidays: spring2027.holidays, workdays: spring2027.workdays });
    expect((await app.call('GET', '/settings/holidays')).json).toMatchObject({ years: [{ year: 2027 }], coverage: { known: [2026, 2027], unknown: [] }, warnings: [] });

    // The worker's send days now read it: a send on the holiday waits for Saturday 13 February, a make-up working day.
    await refreshHolidayCalendar(app.db, Date.now() + 60_000);
    expect(shanghai(nextSendTime(local('2027-02-08T10:30'), zone, workingDays))).toBe('2027-02-13 09:00');
    expect(shanghai(nextSendTime(local('2027-02-13T12:00'), zone, workingDays))).toBe('2027-02-13 12:00');
    expect(shanghai(nextSendTime(local('2027-02-10T12:00'), zone, { sendDays: 'notOnPublicHolidays' }))).toBe('2027-02-13 00:00');

    expect((await app.call('DELETE', '/settings/holidays/2027', { as: 'operator' })).status).toBe(204);
    expect((await app.call('DELETE', '/settings/holidays/2027', { as: 'operator' })).status).toBe(404);
    expect((await app.call('GET', '/settings/holidays')).json).toMatchObject({ coverage: { unknown: [2027] } });
  });
});
