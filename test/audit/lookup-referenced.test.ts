/**
 * LookupEvents by ResourceName and ResourceType on both stores: the main resource or one the
 * event references, never the value found elsewhere in the event, paged across many events.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, eventText } from '../../src/audit/chain.js';
import type { AuditEvent } from '../../src/audit/event.js';
import { lookupEvents, type LookupCursor, type LookupFilter } from '../../src/audit/query.js';
import { createSealer } from '../../src/crypto/seal.js';
import type { Store } from '../../src/store/index.js';
import { backends } from '../domain/harness.js';
import { syntheticEvent } from './helpers.js';

const ACCOUNT = '1234567890123456';
const AT = new Date('2026-12-05T10:00:00Z');

/** Event i: every third names user bob as its main resource, every third references him only. */
function event(i: number): AuditEvent {
  const base = { ...syntheticEvent(`Op${i}`, new Date(AT.getTime() + i * 1000)) };
  // Every event holds "bob" somewhere: as a parameter that names no resource.
  const requestParameters = { NewDisplayName: 'bob', Index: String(i) };
  if (i % 3 === 0)
    return {
      ...base,
      requestParameters: { ...requestParameters, UserName: 'bob' },
      resourceType: 'ACS::RAM::User',
      resourceName: 'bob',
      referencedResources: { 'ACS::RAM::User': ['bob'] },
    };
  if (i % 3 === 1)
    return {
      ...base,
      requestParameters: { ...requestParameters, PolicyName: 'p', UserName: 'bob' },
      resourceType: 'ACS::RAM::Policy',
      resourceName: 'p',
      referencedResources: { 'ACS::RAM::Policy': ['p'], 'ACS::RAM::User': ['bob'] },
    };
  return { ...base, requestParameters: { ...requestParameters, GroupName: 'g' } };
}

const COUNT = 1300;

describe.each(backends.filter((b) => b.available))('LookupEvents by resource ($name)', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
    const events = Array.from({ length: COUNT }, (_, i) =>
      eventText({ accountId: ACCOUNT, event: event(i) }),
    );
    await store.transaction((tx) => appendEvents(tx, store, sealer, events, AT));
  }, 60_000);
  afterAll(async () => {
    await cleanup?.();
  });

  /** Every page of a lookup, followed to its end: the events' Index parameters. */
  async function all(filters: LookupFilter[], limit: number, direction: 'BACKWARD' | 'FORWARD') {
    const seen: number[] = [];
    let after: LookupCursor | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const page = await lookupEvents(
        store.db,
        {
          accountId: ACCOUNT,
          startTime: '2026-12-05T00:00:00Z',
          endTime: '2026-12-06T00:00:00Z',
          filters,
          direction,
          limit,
          ...(after ? { after } : {}),
        },
        store.dialect,
      );
      seen.push(...page.events.map((e) => Number(e.requestParameters.Index)));
      if (!page.next) return seen;
      after = page.next;
    }
    throw new Error('the pages never ended');
  }

  const indexes = (keep: (i: number) => boolean) => Array.from({ length: COUNT }, (_, i) => i).filter(keep);

  it('finds the main resource and the referenced ones, page after page, never the name elsewhere', async () => {
    const byName = await all([{ key: 'ResourceName', value: 'bob' }], 7, 'FORWARD');
    expect(byName).toEqual(indexes((i) => i % 3 !== 2));
    const byNameBackward = await all([{ key: 'ResourceName', value: 'bob' }], 50, 'BACKWARD');
    expect(byNameBackward).toEqual(indexes((i) => i % 3 !== 2).reverse());
    const byType = await all([{ key: 'ResourceType', value: 'ACS::RAM::User' }], 13, 'FORWARD');
    expect(byType).toEqual(indexes((i) => i % 3 !== 2));
    // Both at once: AND.
    const both = await all(
      [
        { key: 'ResourceType', value: 'ACS::RAM::Policy' },
        { key: 'ResourceName', value: 'bob' },
      ],
      20,
      'FORWARD',
    );
    expect(both).toEqual(indexes((i) => i % 3 === 1));
    // A name no event references: nothing, after reading every event that holds it.
    expect(await all([{ key: 'ResourceName', value: 'g' }], 10, 'FORWARD')).toEqual([]);
  });
});
