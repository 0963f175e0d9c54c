// Frequency-cap arbitration against the real FerretDB: sends of several journeys deciding at
// once on one customer's SMS of the day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrequencyCap, JourneyPriority } from '../journey/index.ts';
import { readCapBook } from '../store/capBook.ts';
import { recordPendingMessage } from '../store/messages.ts';
import { testDatabase } from '../test/db.ts';
import { prepareDatabase, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { claimCapSlot } from './caps.ts';

let database: Awaited<ReturnType<typeof testDatabase>>;

beforeAll(async () => {
  database = await testDatabase();
  await prepareDatabase(database.db);
});
afterAll(async () => database?.close());

const caps: FrequencyCap[] = [{ channel: 'sms', max: 1, periodHours: 24 }];

/** A send of journey `journeyId` to `customerId`: its ledger claim (at `claimedAt`), then its decision (at `now`). */
async function send(customerId: string, journeyId: string, priority: JourneyPriority, claimedAt: number, max = 1, now = Date.now()) {
  const key = `journey/${journeyId}/${customerId}#run:sms:1`;
  const cap = { journeyName: journeyId, priority };
  const { message: claim } = await recordPendingMessage(database.db, { key, channel: 'sms', customerId, journeyId, to: '+15005550100', cap }, new Date(claimedAt));
  const request = {
    journeyId,
    journeyName: journeyId,
    version: 1,
    customerId,
    settings: { timezone: 'UTC', frequencyCaps: caps.map((c) => ({ ...c, max })), priority },
    action: { idempotencyKey: key },
  };
  return { key, decide: () => claimCapSlot(database.db, { request, channel: 'sms', claim, now }) };
}

describe('claimCapSlot: concurrent sends on one customer', () => {
  it('six journeys claim at once: the critical one gets the one slot, every other one waits, the book holds one grant', async () => {
    const customerId = `c-${uniqueSuffix()}`;
    const now = Date.now();
    const priorities: JourneyPriority[] = ['low', 'normal', 'critical', 'high', 'normal', 'low'];
    const sends = await Promise.all(priorities.map((p, i) => send(customerId, `j${i}`, p, now)));
    const verdicts = await Promise.all(sends.map((s) => s.decide()));
    expect(verdicts.map((v) => v.type)).toEqual(['wait', 'wait', 'grant', 'wait', 'wait', 'wait']);
    for (const v of verdicts) if (v.type === 'wait') expect(v.by).toMatchObject({ journeyId: 'j2', priority: 'critical' });
    const book = await readCapBook(database.db, customerId, 'sms');
    expect(book.grants.map((g) => g.key)).toEqual([sends[2]?.key]);
    // Asked again (a retry of the granted send) it goes on without a second grant.
    expect(await sends[2]?.decide()).toEqual({ type: 'grant' });
    expect((await readCapBook(database.db, customerId, 'sms')).grants).toHaveLength(1);
  });

  it('equal priorities: first come, first served', async () => {
    const customerId = `c-${uniqueSuffix()}`;
    const now = Date.now();
    const sends = await Promise.all(Array.from({ length: 5 }, (_, i) => send(customerId, `k${i}`, 'normal', now - 5 + i, 2)));
    const verdicts = await Promise.all(sends.map((s) => s.decide()));
    expect(verdicts.map((v) => v.type)).toEqual(['grant', 'grant', 'wait', 'wait', 'wait']);
  });

  it('eight sends race for two slots with nobody to yield to: the book grants exactly two', async () => {
    const customerId = `c-${uniqueSuffix()}`;
    const now = Date.now();
    // Claims older than the staleness limit hold nobody back: every send tries to take a slot,
    // and only the compare-and-set on the book keeps them to the cap.
    const sends = await Promise.all(Array.from({ length: 8 }, (_, i) => send(customerId, `r${i}`, 'normal', now - 2 * 3_600_000, 2)));
    const verdicts = await Promise.all(sends.map((s) => s.decide()));
    expect(verdicts.filter((v) => v.type === 'grant')).toHaveLength(2);
    expect(verdicts.filter((v) => v.type === 'wait' && v.reason === 'full')).toHaveLength(6);
    expect((await readCapBook(database.db, customerId, 'sms')).grants).toHaveLength(2);
  });
});
