import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../test/db.ts';
import { ensureIndexes, hotQueries } from './db.ts';

/**
 * Every hot query is answered from an index on the embedded FerretDB (its SQLite planner, through
 * the bootstrap's pushdown), not by reading the collection: a query whose filter or index drifts
 * apart shows up here as a SCAN.
 */
describe('indexes', () => {
  let env: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    env = await testDatabase();
    await ensureIndexes(env.db);
  });
  afterAll(() => env.close());

  it.each(hotQueries.map((q) => [q.query, q] as const))('%s is an index search', async (_name, q) => {
    const found = env.db.collection(q.collection).find(q.filter);
    // A sorted hot query is a list page: sorted and limited like one.
    const explained = (await (q.sort ? found.sort(q.sort).limit(51) : found).explain()) as { queryPlanner?: { Plan?: string[] } };
    const plan = (explained.queryPlanner?.Plan ?? []).join('\n');
    expect(plan).toMatch(/SEARCH .* USING INDEX/);
    // Allowed: the scan of a list page's own few rows (`SCAN (subquery-1)`) and of one
    // document's array (`SCAN json_each`, the elements of `computed.segments`).
    expect(plan).not.toMatch(/\bSCAN (?!\(subquery-\d+\)|json_each)|TEMP B-TREE/);
    expect(plan).toContain(`_${q.index}`);
  });
});
