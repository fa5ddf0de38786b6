import { describe, it } from 'vitest';
import { sqliteTarget, storeSuite } from './store.suite.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';

storeSuite(sqliteTarget);

if (pgAvailable) {
  storeSuite({
    name: 'postgres',
    async setup() {
      const db = await createTestDatabase();
      return { options: { databaseUrl: db.url, poolSize: 4 }, cleanup: db.drop };
    },
  });
} else {
  console.warn(pgSkipReason);
  describe.skip(`store [postgres]: ${pgSkipReason}`, () => {
    it('runs the store suite on PostgreSQL', () => undefined);
  });
}
