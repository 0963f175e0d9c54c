import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { inject } from 'vitest';

/**
 * A fresh, uniquely named database on the test run's FerretDB; `close()` drops it.
 *
 * @example
 *   const { db, close } = await testDatabase();
 *   afterAll(close);
 */
export async function testDatabase(): Promise<{ db: Db; client: MongoClient; url: string; close(): Promise<void> }> {
  const { mongoUrl } = inject('services');
  const client = await MongoClient.connect(mongoUrl);
  const name = `waymark_test_${randomBytes(4).toString('hex')}`;
  const db = client.db(name);
  return {
    db,
    client,
    url: mongoUrl,
    close: async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}
