import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server tests may use, from RAMPART_TEST_DATABASE_URL; undefined skips them. */
export const pgUrl: string | undefined = process.env.RAMPART_TEST_DATABASE_URL || undefined;
export const pgAvailable = pgUrl !== undefined;
export const pgSkipReason =
  'PostgreSQL tests skipped: set RAMPART_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Creates a throwaway database `rampart_t_<random>` on the test server and returns its URL
 * and a function that drops it. Each test file gets its own, so files running in parallel
 * never see each other's rows.
 */
export async function createTestDatabase(
  opts: { readonly icuLocale?: string } = {},
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!pgUrl) throw new Error(pgSkipReason);
  const name = `rampart_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    // icuLocale: a linguistic default collation (ICU), whatever the server's own.
    const collation = opts.icuLocale
      ? ` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE '${opts.icuLocale}' LOCALE 'C'`
      : '';
    await admin.query(`CREATE DATABASE ${name}${collation}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(pgUrl, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs fn with a fresh database URL and drops the database afterwards. */
export async function withTestDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const db = await createTestDatabase();
  try {
    return await fn(db.url);
  } finally {
    await db.drop();
  }
}
