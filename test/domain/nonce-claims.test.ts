import { randomBytes } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { MAX_NONCE_LENGTH } from '../../src/auth/freshness.js';
import type { Store } from '../../src/store/index.js';
import { expectApiError, forEachBackend } from './harness.js';

/**
 * The group commit of nonce claims (src/domain/services.ts): the claims of one event-loop turn
 * share one transaction, and one bad claim never fails the others of its group.
 */
const NONCE_MESSAGE = `The parameter - "SignatureNonce" must be 1 to ${MAX_NONCE_LENGTH} characters long.`;

/** The nonces stored for a key: SQLite's nonce log (a file of its own), PostgreSQL's table. */
async function storedNonces(store: Store, accessKeyId: string): Promise<string[]> {
  if (store.nonceLogFile) {
    const log = new SqliteDatabase(store.nonceLogFile, { readonly: true });
    try {
      const rows = log.prepare('select nonce from nonce_log where access_key_id = ?').all(accessKeyId) as {
        nonce: string;
      }[];
      return rows.map((r) => r.nonce).sort();
    } finally {
      log.close();
    }
  }
  const rows = await store.db
    .selectFrom('nonces')
    .select('nonce')
    .where('access_key_id', '=', accessKeyId)
    .execute();
  return rows.map((r) => r.nonce).sort();
}

/** A trigger that makes the database refuse the row of one nonce, as PostgreSQL refused a 27 KB one. */
async function poison(store: Store, nonce: string): Promise<() => Promise<void>> {
  if (store.nonceLogFile) {
    // The log exists once a first nonce was claimed.
    await store.claimNonces(
      [
        {
          accessKeyId: 'LTAIpoison',
          nonce: randomBytes(8).toString('hex'),
          expiresAt: new Date().toISOString(),
        },
      ],
      new Date().toISOString(),
      false,
    );
    const log = new SqliteDatabase(store.nonceLogFile);
    log.exec(
      `CREATE TRIGGER nonce_poison BEFORE INSERT ON nonce_log WHEN NEW.nonce = '${nonce}' ` +
        `BEGIN SELECT RAISE(ABORT, 'poisoned nonce row'); END`,
    );
    return async () => {
      log.exec('DROP TRIGGER nonce_poison');
      log.close();
    };
  }
  await sql
    .raw(
      `CREATE FUNCTION nonce_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
        `IF NEW.nonce = '${nonce}' THEN RAISE EXCEPTION 'poisoned nonce row'; END IF; RETURN NEW; END $$`,
    )
    .execute(store.db);
  await sql
    .raw('CREATE TRIGGER nonce_poison BEFORE INSERT ON nonces FOR EACH ROW EXECUTE FUNCTION nonce_poison()')
    .execute(store.db);
  return async () => {
    await sql.raw('DROP TRIGGER nonce_poison ON nonces').execute(store.db);
    await sql.raw('DROP FUNCTION nonce_poison()').execute(store.db);
  };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

forEachBackend('nonce claims', (w) => {
  const key = () => `LTAI${randomBytes(8).toString('hex')}`;
  const expiry = () => new Date(w().clock.now.getTime() + 30 * 60_000);

  it('refuses an empty or over-long nonce before queuing it; the rest of its group is claimed', async () => {
    const { services, store } = w();
    const ak = key();
    const good = Array.from({ length: 40 }, (_, i) => `nonce-${i}-${'x'.repeat(i)}`);
    good.push('m'.repeat(MAX_NONCE_LENGTH));
    const huge = 'h'.repeat(27_000);
    // One turn of the event loop: every claim belongs to the same group.
    const claims = [huge, ...good, ''].map((n) => services.nonces.claim(ak, n, expiry()));
    await expectApiError(claims[0]!, 'InvalidParameter', NONCE_MESSAGE);
    await expectApiError(claims[claims.length - 1]!, 'InvalidParameter', NONCE_MESSAGE);
    expect(await Promise.all(claims.slice(1, -1))).toEqual(good.map(() => true));
    expect(await storedNonces(store, ak)).toEqual([...good].sort());
  });

  it('fails only the claim whose row the database refuses; the other claims of its group are answered', async () => {
    const { services, store } = w();
    const ak = key();
    const bad = `poison-${randomBytes(4).toString('hex')}`;
    cleanup = await poison(store, bad);
    const good = Array.from({ length: 60 }, (_, i) => `n-${i}`);
    // A nonce twice in the group: exactly one of the two claims wins, as without a failure.
    const names = [...good.slice(0, 30), bad, ...good.slice(30), 'n-7'];
    const settled = await Promise.allSettled(names.map((n) => services.nonces.claim(ak, n, expiry())));
    const byName = settled.map((s, i) => [names[i], s.status === 'fulfilled' ? s.value : 'failed'] as const);
    expect(byName.filter(([n]) => n === bad)).toEqual([[bad, 'failed']]);
    expect((settled[30] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(String((settled[30] as PromiseRejectedResult).reason)).toContain('poisoned nonce row');
    const others = byName.filter(([n]) => n !== bad);
    expect(others.filter(([, v]) => v === 'failed')).toEqual([]);
    expect(others.filter(([n, v]) => n === 'n-7' && v === true)).toHaveLength(1);
    expect(others.filter(([, v]) => v === true)).toHaveLength(good.length);
    expect(await storedNonces(store, ak)).toEqual([...good].sort());
    // They were written: claiming any of them again is refused.
    expect(await services.nonces.claim(ak, 'n-42', expiry())).toBe(false);
  });

  it('keeps failing a lone claim the database refuses, and keeps claiming the others', async () => {
    const { services, store } = w();
    const ak = key();
    const bad = `poison-${randomBytes(4).toString('hex')}`;
    cleanup = await poison(store, bad);
    await expect(services.nonces.claim(ak, bad, expiry())).rejects.toThrow('poisoned nonce row');
    expect(await services.nonces.claim(ak, 'after', expiry())).toBe(true);
  });
});
