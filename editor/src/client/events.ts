import type { z } from 'zod';
import { EventPage } from '../../../api/wire/events.ts';
import { request } from './http.ts';

/** Stored customer events (`/v1/events`), newest first. */
export type StoredEvent = z.infer<typeof EventPage>['items'][number];

export const eventsApi = {
  /** Events of a type, newest first, back to `since` (ISO) or `max` events. */
  ofTypeSince: async (type: string, since: string, max = 50_000): Promise<StoredEvent[]> => {
    const items: StoredEvent[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await request('GET', `/v1/events?limit=500&type=${encodeURIComponent(type)}${query}`, EventPage);
      items.push(...page.items);
      cursor = page.nextCursor;
      const oldest = page.items.at(-1);
      if (oldest !== undefined && oldest.at < since) break;
    } while (cursor !== null && items.length < max);
    return items.filter((e) => e.at >= since);
  },
};
