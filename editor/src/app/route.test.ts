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
