// Lunar (农历) anniversaries: dates checked against the published calendar (and chinese-days'
// independent conversion): lunar 2023 has a leap 2nd month, 2025 a leap 6th, 2024 none.
import { describe, expect, it } from 'vitest';
import { lunarAnniversaries, lunarDatesOn, lunarToSolar } from './lunar.ts';
import { customer } from '../journey/testing/fixtures.ts';

describe('lunar anniversaries', () => {
  it('celebrates a leap-month birthday in the leap month when the year has it, else in the regular month', () => {
    expect(lunarToSolar(2023, { month: 2, day: 15, leap: true })).toBe('2023-04-05'); // 闰二月十五
    expect(lunarToSolar(2023, { month: 2, day: 15, leap: false })).toBe('2023-03-06'); // 二月十五
    expect(lunarToSolar(2024, { month: 2, day: 15, leap: true })).toBe('2024-03-24'); // no leap month: 二月十五
    expect(lunarToSolar(2025, { month: 6, day: 10, leap: true })).toBe('2025-08-03'); // 闰六月初十
  });

  it('celebrates day 30 on the 29th in a year whose month has 29 days', () => {
    expect(lunarToSolar(2024, { month: 2, day: 30, leap: false })).toBe('2024-04-08'); // a 30-day month
    expect(lunarToSolar(2024, { month: 12, day: 30, leap: false })).toBe('2025-01-28'); // 29 days: 腊月廿九, New Year's Eve
  });

  it('lists every lunar date celebrated on a solar day, for the sweep to find its customers', () => {
    // 28 January 2025 is 腊月廿九, the last day of a 29-day month, in a year without a leap 12th month.
    expect(lunarDatesOn('2025-01-28').sort()).toEqual(['lunar-12-29', 'lunar-12-30', 'lunar-leap-12-29', 'lunar-leap-12-30']);
    // 3 August 2025 is in the leap 6th month: only that date.
    expect(lunarDatesOn('2025-08-03')).toEqual(['lunar-leap-06-10']);
    // 4 July 2025 is in the regular 6th month of a year that has the leap one: the leap-born wait.
    expect(lunarDatesOn('2025-07-04')).toEqual(['lunar-06-10']);
  });

  it('gives a run the solar dates of its lunar attributes around now, and nothing for other profiles', () => {
    const at = Date.parse('2025-05-01T00:00:00Z'); // lunar 2025
    expect(lunarAnniversaries(customer({ attributes: { lunarBirthday: 'lunar-leap-06-10', plan: 'gold' } }), at)).toEqual({
      lunarBirthday: ['2024-07-15', '2025-08-03', '2026-07-23', '2027-07-13'],
    });
    expect(lunarAnniversaries(customer({ attributes: { plan: 'gold', anniversary: '2020-05-01' } }), at)).toBeUndefined();
  });
});
