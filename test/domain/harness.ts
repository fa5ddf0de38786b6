import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { createSealer, type Sealer } from '../../src/crypto/seal.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createDomain } from '../../src/domain/create.js';
import { createServices } from '../../src/domain/services.js';
import type { Domain, Quotas } from '../../src/domain/index.js';
import type { Services } from '../../src/domain/request-services.js';
import { ApiError } from '../../src/errors.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';

export type BackendName = 'sqlite' | 'postgres';

export interface Backend {
  readonly name: BackendName;
  readonly available: boolean;
  open(): Promise<{ store: Store; cleanup: () => Promise<void> }>;
}

export const backends: readonly Backend[] = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'rampart-domain-'));
      const store = await openStore({ dataDir: dir });
      return {
        store,
        cleanup: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    available: pgAvailable,
    async open() {
      const db = await createTestDatabase();
      const store = await openStore({ databaseUrl: db.url, poolSize: 4 });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await db.drop();
        },
      };
    },
  },
];

if (!pgAvailable) console.warn(pgSkipReason);

/** A clock the tests move by hand. */
export class TestClock {
  now = new Date('2026-01-15T10:00:00.000Z');
  readonly fn = (): Date => new Date(this.now);
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface World {
  store: Store;
  domain: Domain;
  services: Services;
  sealer: Sealer;
  clock: TestClock;
  /** A fresh account for the current test. */
  accountId: string;
}

/**
 * Declares the tests once per backend: `fn` receives a getter of the world, rebuilt per
 * test with a fresh account (one store per file and backend).
 */
export function forEachBackend(
  title: string,
  fn: (w: () => World) => void,
  opts: { quotas?: Partial<Quotas> } = {},
): void {
  for (const backend of backends) {
    describe.skipIf(!backend.available)(`${title} [${backend.name}]`, () => {
      let opened: { store: Store; cleanup: () => Promise<void> } | undefined;
      const world = {} as World;
      beforeAll(async () => {
        opened = await backend.open();
        world.store = opened.store;
        world.clock = new TestClock();
        world.sealer = createSealer([{ id: 'test', key: randomBytes(32) }]);
        world.domain = createDomain(opened.store, {
          sealer: world.sealer,
          clock: world.clock.fn,
          quotas: opts.quotas,
          scrypt: { logN: 10, r: 8, p: 1 },
        });
        world.services = createServices(opened.store, world.domain, world.sealer, { clock: world.clock.fn });
      });
      afterAll(async () => {
        await opened?.cleanup();
      });
      beforeEach(async () => {
        world.clock.now = new Date('2026-01-15T10:00:00.000Z');
        const a = await world.domain.accounts.create({ rootPassword: 'root-password-1' });
        world.accountId = a.accountId;
      });
      fn(() => world);
    });
  }
}

/** Asserts that p rejects with an ApiError of the code (and message, when given). */
export async function expectApiError(
  p: Promise<unknown>,
  code: string,
  message?: string | RegExp,
): Promise<ApiError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(ApiError);
  const e = caught as ApiError;
  expect(e.code).toBe(code);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else if (message) expect(e.message).toMatch(message);
  return e;
}

export const ALLOW_ALL = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
export const doc = (action: string): string =>
  JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
export const TRUST = (accountId: string): string =>
  JSON.stringify({
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${accountId}:root`] } },
    ],
  });
