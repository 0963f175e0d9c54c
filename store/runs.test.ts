// A campaign page's first run records (`recordFirstRuns`) on the real FerretDB: a new entry's
// record is written, an earlier entry's record under the same workflow id is replaced, and a
// record this very entry wrote (the run moved on since: a retried page) is kept.
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../test/db.ts';
import { recordFirstRuns, runsCollection } from './runs.ts';
import type { RunUpdate } from './runs.ts';

let t: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
beforeAll(async () => {
  t = await testDatabase();
  db = t.db;
});
afterAll(async () => t?.close());

const journeyId = 'first-records';
const at = new Date(Date.UTC(2026, 11, 7, 9)).toISOString();

function update(customerId: string, runKey: string, nodeId: string, status: RunUpdate['status'] = 'running'): RunUpdate {
  const workflowId = `journey/${journeyId}/${customerId}`;
  return { workflowId, runKey, first: true, journeyId, version: 1, customerId, status, nodeId, waitingFor: [], variables: {}, visited: ['trigger', nodeId], history: [], startedAt: at, since: at, at };
}

describe('a campaign page’s first run records', () => {
  it('writes new entries, replaces an earlier entry’s record and keeps the record its own entry wrote since', async () => {
    // Before the page: c2 has a finished earlier entry; c3's entry (this campaign's) moved on.
    await recordFirstRuns(db, journeyId, [update('c2', 'old-entry', 'done', 'completed'), update('c3', 'cmp-entry-c3', 'follow-up')]);
    await recordFirstRuns(db, journeyId, [update('c1', 'cmp-entry-c1', 'wait-order'), update('c2', 'cmp-entry-c2', 'wait-order'), update('c3', 'cmp-entry-c3', 'wait-order')]);
    const records = new Map((await runsCollection(db).find({ journeyId }).toArray()).map((r) => [r.customerId, r]));
    expect(records.get('c1')).toMatchObject({ runKey: 'cmp-entry-c1', status: 'running', nodeId: 'wait-order' });
    expect(records.get('c2')).toMatchObject({ runKey: 'cmp-entry-c2', status: 'running', nodeId: 'wait-order' });
    expect(records.get('c2')).not.toHaveProperty('reason');
    expect(records.get('c3')).toMatchObject({ runKey: 'cmp-entry-c3', nodeId: 'follow-up' });
    expect(records.size).toBe(3);
  });
});
