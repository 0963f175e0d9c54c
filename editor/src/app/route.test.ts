import { expect, test } from 'vitest';
import { parseRoute, routeHref, sectionOf } from './route.ts';

test('hashes map to screens and back', () => {
  expect(parseRoute('#/journeys/win-back')).toEqual({ screen: 'journey', journeyId: 'win-back' });
  expect(parseRoute('#/journeys/new')).toEqual({ screen: 'gallery' });
  expect(parseRoute('#/nowhere')).toEqual({ screen: 'journeys' });
  expect(routeHref({ screen: 'journey', journeyId: 'a b' })).toBe('#/journeys/a%20b');
  expect(sectionOf(parseRoute('#/journeys/x'))).toBe('journeys');
  expect(sectionOf(parseRoute('#/tasks'))).toBe('tasks');
  expect(parseRoute('#/customers/demo-0029')).toEqual({ screen: 'customer', customerId: 'demo-0029' });
  expect(sectionOf(parseRoute('#/customers/x'))).toBe('customers');
});

test('templates and segments have screens of their own', () => {
  expect(parseRoute('#/templates')).toEqual({ screen: 'templates' });
  expect(parseRoute('#/templates/new/sms')).toEqual({ screen: 'newTemplate', channel: 'sms' });
  expect(parseRoute('#/templates/win-back-email/copy')).toEqual({ screen: 'template', templateId: 'win-back-email', copy: true });
  expect(routeHref({ screen: 'template', templateId: 'offer', copy: true })).toBe('#/templates/offer/copy');
  expect(sectionOf(parseRoute('#/templates/new/email'))).toBe('templates');
  expect(parseRoute('#/segments/new')).toEqual({ screen: 'segment', segmentId: null });
  expect(routeHref(parseRoute('#/segments/dormant-90d'))).toBe('#/segments/dormant-90d');
  expect(sectionOf(parseRoute('#/segments/x'))).toBe('segments');
});
