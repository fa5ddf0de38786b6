import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../src/crypto/seal.js';
import { createDomain } from '../../src/domain/create.js';
import type { Domain } from '../../src/domain/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { backends } from '../domain/harness.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';

/**
 * Listing order and marker paging on PostgreSQL databases whose default collation is
 * linguistic (ICU en-US, and en-US with punctuation ignored as glibc's en_US.UTF-8 does): names,
 * tag keys and tie-breaking ids sort by bytes (code points), as on SQLite, and paging across
 * page boundaries returns every entity once (migration 018_byte_order_collation). Every target
 * is held to the same code-point order, SQLite included, so the PostgreSQL lists equal SQLite's.
 */

// Names whose order by bytes differs from a linguistic order: punctuation, digits, case.
const USERS = [
  'a-b',
  'B',
  'a_c',
  'ab',
  'Z',
  'a.b',
  'a1',
  'A0',
  '_x',
  '-x',
  'x.y',
  'x_y',
  'x-y',
  'a--c',
  'ac',
];
const GROUPS = ['a-b', 'B', 'a_c', 'ab', 'Z', 'a.b', 'a1', '_x', 'a--c', 'ac'];
const ROLES = ['a-b', 'B', 'a.c', 'ab', 'Z', 'a1', 'A0', '-x', 'a--c', 'ac'];
const POLICIES = ['a-b', 'B', 'ab', 'Z', 'a1', 'A0', '-x', 'a--c', 'ac', 'a-c'];
const MFA_DEVICES = ['a-b', 'B', 'a.c', 'ab', 'Z', 'a1', '-x', 'ac'];
// Tag keys keep their case, and may be any text.
const TAG_KEYS = [
  'b',
  'B',
  'a',
  'ä',
  'Ä',
  'a-b',
  'a_b',
  'ab',
  'a b',
  'Z',
  'z',
  '1',
  'é',
  'e',
  'f',
  '日本',
  'x.y',
  'xy',
];
const PAGE_SIZES = [1, 2, 3, 4, 7];

const bytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const byKey = (names: readonly string[]): string[] =>
  [...names].sort((a, b) => bytes(a.toLowerCase(), b.toLowerCase()));
const byPair = (a: readonly [string, string], b: readonly [string, string]): number =>
  bytes(a[0], b[0]) || bytes(a[1], b[1]);

const TRUST = (accountId: string): string =>
  JSON.stringify({
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${accountId}:root`] } },
    ],
  });
const DOCUMENT = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }],
});

/** Reads every page, each from the marker of the one before. */
async function allPages<T>(
  read: (marker: string | undefined) => Promise<{ items: readonly T[]; marker?: string | undefined }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let marker: string | undefined;
  for (let pages = 1; pages <= 100; pages++) {
    const page = await read(marker);
    items.push(...page.items);
    if (page.marker === undefined) return { items, pages };
    marker = page.marker;
  }
  throw new Error('more than 100 pages');
}

interface Target {
  readonly name: string;
  readonly available: boolean;
  open(): Promise<{ store: Store; cleanup: () => Promise<void> }>;
}

/** A new database on the test server with the ICU default collation given. */
async function icuDatabase(icuLocale: string): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  const db = await createTestDatabase({ icuLocale });
  const store = await openStore({ databaseUrl: db.url, poolSize: 4 }).catch(async (e: unknown) => {
    await db.drop();
    throw e;
  });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
}

const targets: readonly Target[] = [
  backends.find((b) => b.name === 'sqlite')!,
  { name: 'postgres, ICU en-US', available: pgAvailable, open: () => icuDatabase('en-US') },
  {
    name: 'postgres, ICU en-US ignoring punctuation',
    available: pgAvailable,
    open: () => icuDatabase('en-US-u-ka-shifted'),
  },
];

if (!pgAvailable) {
  console.warn(pgSkipReason);
  describe.skip(`listing order on PostgreSQL with a linguistic collation: ${pgSkipReason}`, () => {
    it('lists and pages by bytes, as SQLite does', () => undefined);
  });
}

for (const target of targets) {
  describe.skipIf(!target.available)(`listing order by bytes [${target.name}]`, () => {
    let opened: { store: Store; cleanup: () => Promise<void> } | undefined;
    let domain: Domain;
    let accountId: string;
    const userIds = new Map<string, string>();

    beforeAll(async () => {
      opened = await target.open();
      const { store } = opened;
      if (store.dialect === 'postgres') {
        // The database itself must not compare by bytes, or this file would prove nothing.
        const r = await sql<{ bytewise: boolean }>`select 'B' < 'a' as bytewise`.execute(store.db);
        expect(r.rows[0]?.bytewise).toBe(false);
      }
      const at = new Date('2026-01-15T10:00:00.000Z');
      // One instant for every write: ties of the same second are broken by the ids or keys.
      domain = createDomain(store, {
        sealer: createSealer([{ id: 'test', key: randomBytes(32) }]),
        clock: () => new Date(at),
        scrypt: { logN: 10, r: 8, p: 1 },
      });
      accountId = (await domain.accounts.create({ rootPassword: 'root-password-1' })).accountId;
      for (const userName of USERS) {
        userIds.set(userName, (await domain.users.create(accountId, { userName })).userId);
      }
      for (const groupName of GROUPS) await domain.groups.create(accountId, { groupName });
      for (const userName of USERS) await domain.groups.addUser(accountId, 'ab', userName);
      for (const roleName of ROLES) {
        await domain.roles.create(accountId, { roleName, assumeRolePolicyDocument: TRUST(accountId) });
      }
      for (const policyName of POLICIES) {
        await domain.policies.create(accountId, { policyName, policyDocument: DOCUMENT });
        await domain.attachments.attach(accountId, { kind: 'user', userName: 'ab' }, 'Custom', policyName);
      }
      for (const name of MFA_DEVICES) await domain.mfa.createVirtual(accountId, name);
      const tags = TAG_KEYS.map((tagKey) => ({ tagKey, tagValue: `v-${tagKey}` }));
      await domain.tags.tag(accountId, 'role', ['a-b', 'B', 'a.c'], tags);
      await domain.userTags.tag(accountId, [userIds.get('a_c')!, userIds.get('Z')!], tags);
      await domain.accounts.createRootAccessKey(accountId);
      await domain.accounts.createRootAccessKey(accountId);
    }, 60_000);

    afterAll(async () => {
      await opened?.cleanup();
    });

    it('lists users, groups, group members, roles, policies and MFA devices by the bytes of their names', async () => {
      // The order expected everywhere, spelled out once: code points of the lower-cased names.
      expect(byKey(USERS)).toEqual([
        '-x',
        '_x',
        'a--c',
        'a-b',
        'a.b',
        'A0',
        'a1',
        'a_c',
        'ab',
        'ac',
        'B',
        'x-y',
        'x.y',
        'x_y',
        'Z',
      ]);
      const users = await domain.users.list(accountId, { maxItems: 1000 });
      expect(users.items.map((u) => u.userName)).toEqual(byKey(USERS));
      const groups = await domain.groups.list(accountId, { maxItems: 100 });
      expect(groups.items.map((g) => g.groupName)).toEqual(byKey(GROUPS));
      const members = await domain.groups.listUsers(accountId, 'ab', { maxItems: 1000 });
      expect(members.items.map((u) => u.userName)).toEqual(byKey(USERS));
      const roles = await domain.roles.list(accountId, { maxItems: 1000 });
      expect(roles.items.map((r) => r.roleName)).toEqual(byKey(ROLES));
      const policies = await domain.policies.list(accountId, { policyType: 'Custom', maxItems: 1000 });
      expect(policies.items.map((p) => p.policyName)).toEqual(byKey(POLICIES));
      const devices = await domain.mfa.listVirtual(accountId);
      expect(devices.map((d) => d.virtualMFADeviceName)).toEqual(byKey(MFA_DEVICES));
    });

    it('pages users, group members, groups, roles and policies across page boundaries: each once, in order', async () => {
      for (const maxItems of PAGE_SIZES) {
        const pages = (n: number) => Math.ceil(n / maxItems);
        const users = await allPages((marker) => domain.users.list(accountId, { maxItems, marker }));
        expect(users.items.map((u) => u.userName)).toEqual(byKey(USERS));
        expect(users.pages).toBe(pages(USERS.length));
        const members = await allPages((marker) =>
          domain.groups.listUsers(accountId, 'ab', { maxItems, marker }),
        );
        expect(members.items.map((u) => u.userName)).toEqual(byKey(USERS));
        const groups = await allPages((marker) => domain.groups.list(accountId, { maxItems, marker }));
        expect(groups.items.map((g) => g.groupName)).toEqual(byKey(GROUPS));
        expect(groups.pages).toBe(pages(GROUPS.length));
        const roles = await allPages((marker) => domain.roles.list(accountId, { maxItems, marker }));
        expect(roles.items.map((r) => r.roleName)).toEqual(byKey(ROLES));
        const policies = await allPages((marker) =>
          domain.policies.list(accountId, { policyType: 'Custom', maxItems, marker }),
        );
        expect(policies.items.map((p) => p.policyName)).toEqual(byKey(POLICIES));
        expect(policies.pages).toBe(pages(POLICIES.length));
      }
    });

    it('lists and pages tags by the bytes of their keys', async () => {
      const sortedKeys = [...TAG_KEYS].sort(bytes);
      const roles = await domain.roles.list(accountId, { maxItems: 1000 });
      for (const r of roles.items.filter((x) => (x.tags ?? []).length > 0)) {
        expect(r.tags?.map((t) => t.tagKey)).toEqual(sortedKeys);
      }
      const ofUsers = await domain.userTags.tagsOf(accountId, [userIds.get('a_c')!]);
      expect(ofUsers.get(userIds.get('a_c')!)?.map((t) => t.tagKey)).toEqual(sortedKeys);

      // ListTagResources for roles: by (role name key, tag key), the token holding both.
      const roleTags = ['a-b', 'B', 'a.c']
        .flatMap((name) => TAG_KEYS.map((key) => [name.toLowerCase(), key] as [string, string]))
        .sort(byPair);
      // ListTagResources for users: by (user id, tag key).
      const userTags = [userIds.get('a_c')!, userIds.get('Z')!]
        .flatMap((id) => TAG_KEYS.map((key) => [id, key] as [string, string]))
        .sort(byPair);
      for (const pageSize of [...PAGE_SIZES, 50]) {
        const forRoles = await allPages(async (marker) => {
          const p = await domain.tags.list(accountId, { resourceType: 'role', pageSize, nextToken: marker });
          return { items: p.items, marker: p.nextToken };
        });
        expect(forRoles.items.map((t) => [t.resourceName.toLowerCase(), t.tagKey])).toEqual(roleTags);
        expect(forRoles.pages).toBe(Math.ceil(roleTags.length / pageSize));
        const forUsers = await allPages(async (marker) => {
          const p = await domain.userTags.list(accountId, { pageSize, nextToken: marker });
          return { items: p.items, marker: p.nextToken };
        });
        expect(forUsers.items.map((t) => [t.userId, t.tagKey])).toEqual(userTags);
      }
    });

    it('breaks ties of the same second by the bytes of the policy name or the AccessKeyId', async () => {
      const attached = await domain.attachments.listForTarget(accountId, { kind: 'user', userName: 'ab' });
      expect(attached.map((p) => p.policyName)).toEqual(byKey(POLICIES));
      const keys = (await domain.accessKeys.listRoot(accountId)).map((k) => k.accessKeyId);
      expect(keys).toHaveLength(2);
      expect(keys).toEqual([...keys].sort(bytes));
    });

    // PostgreSQL alone has per-column collations: SQLite compares text by bytes.
    if (target.name !== 'sqlite')
      it('gives every column that orders a list the "C" collation', async () => {
        const rows = await sql<{ column: string; collation: string | null }>`
        select table_name || '.' || column_name as column, collation_name as collation
          from information_schema.columns
         where table_schema = current_schema() and data_type = 'text'`.execute(opened!.store.db);
        const collation = new Map(rows.rows.map((r) => [r.column, r.collation]));
        for (const column of [
          'users.name_key',
          'user_groups.name_key',
          'roles.name_key',
          'policies.name_key',
          'saml_providers.name_key',
          'oidc_providers.name_key',
          'mfa_devices.name_key',
          'workload_identities.name_key',
          'attachments.policy_key',
          'tags.tag_key',
          'access_keys.access_key_id',
          'deployment_keys.key_id',
          'rd_folders.folder_id',
          'rd_control_policies.policy_id',
          'rd_control_attachments.target_id',
          'rd_control_attachments.policy_id',
          'rd_handshakes.handshake_id',
          'rd_delegated_admins.service_principal',
          'oss_buckets.bucket_name',
          'oss_objects.object_key',
          'oss_uploads.object_key',
          'oss_uploads.upload_id',
          'oss_parts.upload_id',
        ]) {
          expect([column, collation.get(column)]).toEqual([column, 'C']);
        }
      });
  });
}
