import type { z } from 'zod';
import { CouponPage } from '../../../api/wire/coupons.ts';
import { MessagePage } from '../../../api/wire/messages.ts';
import { request } from './http.ts';

/** What journeys sent and issued: the message ledger and coupons, per journey. */
export type Message = z.infer<typeof MessagePage>['items'][number];
export type Coupon = z.infer<typeof CouponPage>['items'][number];

/** Reads every page of a list endpoint (up to `max` items). */
async function readAll<T>(first: string, read: (path: string) => Promise<{ items: T[]; nextCursor: string | null }>, max: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await read(cursor === null ? first : `${first}&cursor=${encodeURIComponent(cursor)}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && items.length < max);
  return items;
}

const journey = (journeyId: string) => encodeURIComponent(journeyId);

export const ledgerApi = {
  messagesOfJourney: (journeyId: string, max = 20_000) =>
    readAll(`/v1/messages?limit=500&journeyId=${journey(journeyId)}`, (path) => request('GET', path, MessagePage), max),
  couponsOfJourney: (journeyId: string, max = 20_000) =>
    readAll(`/v1/coupons?limit=500&journeyId=${journey(journeyId)}`, (path) => request('GET', path, CouponPage), max),
};
