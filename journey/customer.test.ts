import { describe, expect, it } from 'vitest';
import { CustomerProfile, Email, Locale, Phone, Timezone } from './customer.ts';

// The contact formats, as the API, the store and the OpenAPI document share them. The email
// cases are ones a standard address checker (the JSON Schema `email` format) refuses too.
describe('contact formats', () => {
  it.each([
    ['ana@example.com', true],
    ['ana.maria.silva@mail.example.com', true],
    ["o'brien+news@example.co", true],
    [`${'a'.repeat(64)}@example.com`, true],
    [`${'a'.repeat(65)}@example.com`, false],
    [`a@${'b'.repeat(64)}.com`, false],
    ['a@-x.io', false],
    ['a@x-.io', false],
    ['a@ab--c.io', false],
    ['a@abc--d.io', true],
    ['a..b@example.com', false],
    ['no-at-sign.example.com', false],
  ])('email %s: %s', (address, valid) => {
    expect(Email.safeParse(address).success).toBe(valid);
  });

  it('keeps every address within the SMTP path limit', () => {
    const long = `${'a'.repeat(60)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`;
    expect(long.length).toBeGreaterThan(253);
    expect(Email.safeParse(long).success).toBe(false);
  });

  it('takes E.164 phones, BCP 47 locales and IANA time zones, aliases included', () => {
    expect(Phone.safeParse('+8613800138000').success).toBe(true);
    expect(Phone.safeParse('13800138000').success).toBe(false);
    expect(['en', 'zh-CN', 'zh-Hans-CN', 'es-419', 'de-CH-1996'].map((l) => Locale.safeParse(l).success)).toEqual([true, true, true, true, true]);
    expect(['00', 'e', 'en_US', 'zh-CN-'].map((l) => Locale.safeParse(l).success)).toEqual([false, false, false, false]);
    expect(['UTC', 'Asia/Shanghai', 'Asia/Kolkata'].map((z) => Timezone.safeParse(z).success)).toEqual([true, true, true]);
    expect(['0', 'Mars/Base', 'Asia/Peking'].map((z) => Timezone.safeParse(z).success)).toEqual([false, false, false]);
  });

  it('names the field at fault in a profile', () => {
    const result = CustomerProfile.safeParse({ id: 'c-1', timezone: 'Mars/Base', locale: '00' });
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['locale', 'timezone']);
  });
});
