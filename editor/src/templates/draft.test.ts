import { expect, test } from 'vitest';
import { duplicateOf, errorOf, newTemplate, previewable, shownParts, withLocale, withMjml, withoutLocale, withPart } from './draft.ts';

test('a duplicate keeps every version under a new id and name', () => {
  const offer = { ...withLocale(newTemplate('email'), 'zh-CN'), id: 'offer', name: 'Offer' };
  const copy = duplicateOf(offer);
  expect(copy).toMatchObject({ id: 'offer-copy', name: 'Offer (copy)', channel: 'email' });
  expect(Object.keys(copy.locales)).toEqual(['en', 'zh-CN']);
  // Editing the copy leaves the original alone.
  expect(withPart(copy, 'en', 'subject', 'Changed').locales['en']?.subject).toBe('Changed');
  expect(offer.locales['en']?.subject).toBe('{{customer.firstName}}, a gift for you');
});

test('a new template starts in the UI language', () => {
  expect(Object.keys(newTemplate('sms', 'zh-CN').locales)).toEqual(['zh-CN']);
  expect(newTemplate('email', 'fr').locales['en']?.subject).toContain('{{customer.firstName}}');
});

test('languages are added empty and the last one cannot be removed', () => {
  const sms = withLocale(newTemplate('sms'), 'zh-CN');
  expect(sms.locales['zh-CN']).toEqual({ body: '' });
  const onlyChinese = withoutLocale(sms, 'en');
  expect(Object.keys(onlyChinese.locales)).toEqual(['zh-CN']);
  expect(withoutLocale(onlyChinese, 'zh-CN')).toBe(onlyChinese);
});

test('a new template previews before it has an id, and errors are found per part', () => {
  expect(previewable(newTemplate('sms'))).toMatchObject({ id: 'draft-preview', name: 'Draft' });
  const errors = [{ path: 'template.locales.zh-CN.html', message: 'line 3, column 5: …', line: 3, column: 5 }];
  expect(errorOf(errors, 'zh-CN', 'html')?.line).toBe(3);
  expect(errorOf(errors, 'en', 'html')).toBeUndefined();
});

test('an email version written in MJML shows its MJML instead of the HTML, and switches back', () => {
  const email = newTemplate('email');
  const mjml = withMjml(email, 'en', true);
  expect(shownParts('email', mjml.locales['en'])).toEqual(['subject', 'mjml', 'text']);
  expect(mjml.locales['en']?.mjml).toContain('{{vars.couponCode}}');
  const back = withMjml(mjml, 'en', false);
  expect(shownParts('email', back.locales['en'])).toEqual(['subject', 'html', 'text']);
  expect(back.locales['en']?.html).toBe(email.locales['en']?.html);
});
