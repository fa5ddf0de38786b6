import { expect, it } from 'vitest';
import type { Domain } from '../../src/domain/index.js';
import { ALLOW_ALL, TRUST, expectApiError, forEachBackend } from './harness.js';

/**
 * One rule for control characters in free text, the same on both stores: C0 control characters
 * other than tab, line feed and carriage return, and DEL, are refused before any database work
 * (PostgreSQL cannot store a NUL at all); tab, line feed and carriage return are kept as written.
 */

/** Every refused character, and the three allowed ones. */
const REFUSED = ['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f', '\u007f'];
const ALLOWED = '\t\n\r';

/** A free-text field: how to write a value into it, how to read it back, and its refusal. */
interface Field {
  readonly field: string;
  readonly write: (d: Domain, accountId: string, text: string) => Promise<unknown>;
  readonly read: (d: Domain, accountId: string) => Promise<string | undefined>;
  readonly code: string;
  readonly message: string;
}

const invalidChars = (param: string, code = `InvalidParameter.${param}.InvalidChars`) => ({
  code,
  message: `The parameter - "${param}" contains invalid chars.`,
});

const FIELDS: readonly Field[] = [
  {
    field: 'CreateUser DisplayName',
    write: (d, a, t) => d.users.create(a, { userName: 'u2', displayName: `x${t}y` }),
    read: async (d, a) => (await d.users.get(a, 'u2')).displayName,
    ...invalidChars('DisplayName'),
  },
  {
    field: 'CreateUser Comments',
    write: (d, a, t) => d.users.create(a, { userName: 'u2', comments: `x${t}y` }),
    read: async (d, a) => (await d.users.get(a, 'u2')).comments,
    ...invalidChars('Comments'),
  },
  {
    field: 'UpdateUser NewDisplayName',
    write: (d, a, t) => d.users.update(a, 'u', { newDisplayName: `x${t}y` }),
    read: async (d, a) => (await d.users.get(a, 'u')).displayName,
    ...invalidChars('NewDisplayName'),
  },
  {
    field: 'UpdateUser NewComments',
    write: (d, a, t) => d.users.update(a, 'u', { newComments: `x${t}y` }),
    read: async (d, a) => (await d.users.get(a, 'u')).comments,
    ...invalidChars('NewComments'),
  },
  {
    field: 'CreateGroup Comments',
    write: (d, a, t) => d.groups.create(a, { groupName: 'g2', comments: `x${t}y` }),
    read: async (d, a) => (await d.groups.get(a, 'g2')).comments,
    ...invalidChars('Comments'),
  },
  {
    field: 'CreateGroup DisplayName',
    write: (d, a, t) => d.groups.create(a, { groupName: 'g2', displayName: `x${t}y` }),
    read: async (d, a) => (await d.groups.get(a, 'g2')).displayName,
    ...invalidChars('DisplayName'),
  },
  {
    field: 'UpdateGroup NewComments',
    write: (d, a, t) => d.groups.update(a, 'g', { newComments: `x${t}y` }),
    read: async (d, a) => (await d.groups.get(a, 'g')).comments,
    ...invalidChars('NewComments'),
  },
  {
    field: 'UpdateGroup NewDisplayName',
    write: (d, a, t) => d.groups.update(a, 'g', { newDisplayName: `x${t}y` }),
    read: async (d, a) => (await d.groups.get(a, 'g')).displayName,
    ...invalidChars('NewDisplayName'),
  },
  {
    field: 'CreateRole Description',
    write: (d, a, t) =>
      d.roles.create(a, { roleName: 'r2', assumeRolePolicyDocument: TRUST(a), description: `x${t}y` }),
    read: async (d, a) => (await d.roles.get(a, 'r2')).description,
    ...invalidChars('Description'),
  },
  {
    field: 'UpdateRole NewDescription',
    write: (d, a, t) => d.roles.update(a, 'r', { newDescription: `x${t}y` }),
    read: async (d, a) => (await d.roles.get(a, 'r')).description,
    ...invalidChars('Description'),
  },
  {
    field: 'CreatePolicy Description',
    write: (d, a, t) =>
      d.policies.create(a, { policyName: 'p2', policyDocument: ALLOW_ALL, description: `x${t}y` }),
    read: async (d, a) => (await d.policies.get(a, 'Custom', 'p2')).policy.description,
    ...invalidChars('Description'),
  },
  {
    field: 'UpdatePolicyDescription NewDescription',
    write: (d, a, t) => d.policies.updateDescription(a, 'p', `x${t}y`),
    read: async (d, a) => (await d.policies.get(a, 'Custom', 'p')).policy.description,
    ...invalidChars('NewDescription', 'InvalidParameter.Description.InvalidChars'),
  },
  {
    field: 'CreateRole tag value',
    write: (d, a, t) =>
      d.roles.create(a, {
        roleName: 'r2',
        assumeRolePolicyDocument: TRUST(a),
        tags: [{ tagKey: 'k', tagValue: `x${t}y` }],
      }),
    read: async (d, a) => (await d.roles.get(a, 'r2')).tags[0]?.tagValue,
    ...invalidChars('Tag.N.Value', 'InvalidParameter'),
  },
  {
    field: 'CreatePolicy tag key',
    write: (d, a, t) =>
      d.policies.create(a, {
        policyName: 'p2',
        policyDocument: ALLOW_ALL,
        tags: [{ tagKey: `x${t}y`, tagValue: 'v' }],
      }),
    read: async (d, a) => (await d.policies.get(a, 'Custom', 'p2')).policy.tags[0]?.tagKey,
    ...invalidChars('Tag.N.Key', 'InvalidParameter'),
  },
  {
    field: 'TagResources tag value',
    write: (d, a, t) => d.tags.tag(a, 'role', ['r'], [{ tagKey: 'k', tagValue: `x${t}y` }]),
    read: async (d, a) => (await d.roles.get(a, 'r')).tags[0]?.tagValue,
    ...invalidChars('Tag.N.Value', 'InvalidParameter'),
  },
];

forEachBackend('control characters in free text', (w) => {
  async function seed(): Promise<void> {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName: 'u', displayName: 'before', comments: 'before' });
    await domain.groups.create(accountId, { groupName: 'g', displayName: 'before', comments: 'before' });
    await domain.roles.create(accountId, {
      roleName: 'r',
      assumeRolePolicyDocument: TRUST(accountId),
      description: 'before',
    });
    await domain.policies.create(accountId, {
      policyName: 'p',
      policyDocument: ALLOW_ALL,
      description: 'before',
    });
  }

  it.each(FIELDS)('$field: refuses C0 controls other than tab/LF/CR and DEL, writes nothing', async (f) => {
    const { domain, accountId } = w();
    await seed();
    const before = await f.read(domain, accountId).catch(() => undefined);
    for (const c of REFUSED) {
      await expectApiError(f.write(domain, accountId, c), f.code, f.message);
      expect([c.charCodeAt(0), await f.read(domain, accountId).catch(() => undefined)]).toEqual([
        c.charCodeAt(0),
        before,
      ]);
    }
  });

  it.each(FIELDS)('$field: keeps tab, line feed and carriage return as written', async (f) => {
    const { domain, accountId } = w();
    await seed();
    await f.write(domain, accountId, ALLOWED);
    expect(await f.read(domain, accountId)).toBe(`x${ALLOWED}y`);
  });

  it('refuses control characters in e-mail addresses as a format error', async () => {
    const { domain, accountId } = w();
    await seed();
    await expectApiError(
      domain.users.create(accountId, { userName: 'u2', email: 'a\u0000b@example.com' }),
      'InvalidParameter.Email.Format',
      'The parameter - "Email" is not well formatted.',
    );
    await expectApiError(
      domain.users.update(accountId, 'u', { newEmail: 'a@exam\u007fple.com' }),
      'InvalidParameter.NewEmail.Format',
      'The parameter - "NewEmail" is not well formatted.',
    );
  });

  it('refuses control characters in tag filters, tag keys to remove, paging markers and serial numbers', async () => {
    const { domain, accountId } = w();
    await seed();
    await expectApiError(
      domain.roles.list(accountId, { tags: [{ tagKey: 'k', tagValue: 'a\u0000' }] }),
      'InvalidParameter',
      'The parameter - "Tag.N.Value" contains invalid chars.',
    );
    await expectApiError(
      domain.policies.list(accountId, { tags: [{ tagKey: 'k\u0000' }] }),
      'InvalidParameter',
      'The parameter - "Tag.N.Key" contains invalid chars.',
    );
    await expectApiError(
      domain.tags.list(accountId, { resourceType: 'role', tags: [{ tagKey: '\u0000' }] }),
      'InvalidParameter',
      'The parameter - "Tag.N.Key" contains invalid chars.',
    );
    await expectApiError(
      domain.tags.untag(accountId, 'role', ['r'], { tagKeys: ['k\u0000'] }),
      'InvalidParameter',
      'The parameter - "TagKeys" contains invalid chars.',
    );
    // A well-formed marker whose key holds a NUL.
    const marker = Buffer.from('k:a\u0000', 'utf8').toString('base64url');
    await expectApiError(
      domain.users.list(accountId, { marker }),
      'InvalidParameter',
      'The parameter - "Marker" is invalid.',
    );
    // ListPolicies' markers name a System or a Custom policy; an altered one is refused, not
    // read as the start of the list.
    for (const text of ['k:X:zz', 'k:S', 'k:C:', 'k:Sx']) {
      await expectApiError(
        domain.policies.list(accountId, { marker: Buffer.from(text, 'utf8').toString('base64url') }),
        'InvalidParameter',
        'The parameter - "Marker" is invalid.',
      );
    }
    // ListTagResources' NextToken: a well-formed token whose keys hold a control character.
    for (const after of [
      ['\u0000', 'a'],
      ['r', 'k\u007f'],
    ]) {
      await expectApiError(
        domain.tags.list(accountId, {
          resourceType: 'role',
          nextToken: Buffer.from(`k:${JSON.stringify(after)}`, 'utf8').toString('base64url'),
        }),
        'InvalidParameter',
        'The parameter - "NextToken" is invalid.',
      );
    }
    const serial = `acs:ram::${accountId}:mfa/a\u0000b`;
    await expectApiError(domain.mfa.deleteVirtual(accountId, serial), 'EntityNotExist.VirtualMFADevice');
    await expectApiError(
      domain.mfa.bind(accountId, 'u', serial, '123456', '654321'),
      'EntityNotExist.VirtualMFADevice',
    );
  });
  it('refuses control characters in IMS user tag filters and tag keys to remove, as RAM does', async () => {
    const { domain, accountId } = w();
    await seed();
    const user = await domain.users.get(accountId, 'u');
    await domain.userTags.tag(accountId, [user.userId], [{ tagKey: 'k', tagValue: 'v' }]);
    for (const c of REFUSED) {
      await expectApiError(
        domain.userTags.list(accountId, { tags: [{ tagKey: `k${c}` }] }),
        'InvalidParameter',
        'The parameter - "Tag.N.Key" contains invalid chars.',
      );
      await expectApiError(
        domain.userTags.list(accountId, { tags: [{ tagKey: 'k', tagValue: `v${c}` }] }),
        'InvalidParameter',
        'The parameter - "Tag.N.Value" contains invalid chars.',
      );
      await expectApiError(
        domain.userTags.listUsers(accountId, { tags: [{ tagKey: `k${c}` }] }),
        'InvalidParameter',
        'The parameter - "Tag.N.Key" contains invalid chars.',
      );
      await expectApiError(
        domain.userTags.listUsers(accountId, { tags: [{ tagKey: 'k', tagValue: `v${c}` }] }),
        'InvalidParameter',
        'The parameter - "Tag.N.Value" contains invalid chars.',
      );
      await expectApiError(
        domain.userTags.untag(accountId, [user.userId], { tagKeys: ['k', `k${c}`] }),
        'InvalidParameter',
        'The parameter - "TagKey.N" contains invalid chars.',
      );
    }
    // Nothing was removed; tab, line feed and carriage return filter as written.
    expect((await domain.userTags.tagsOf(accountId, [user.userId])).get(user.userId)).toEqual([
      { tagKey: 'k', tagValue: 'v' },
    ]);
    expect((await domain.userTags.list(accountId, { tags: [{ tagKey: `k${ALLOWED}` }] })).items).toEqual([]);
    expect(
      (await domain.userTags.listUsers(accountId, { tags: [{ tagKey: 'k', tagValue: 'v' }] })).items,
    ).toEqual([expect.objectContaining({ userName: 'u' })]);
  });

  it('names the NextToken of IMS ListTagResources when it is not one this service gave', async () => {
    const { domain, accountId } = w();
    for (const nextToken of ['%%%', Buffer.from('k:a\u0000', 'utf8').toString('base64url'), 'eA']) {
      await expectApiError(
        domain.userTags.list(accountId, { nextToken }),
        'InvalidParameter',
        'The parameter - "NextToken" is invalid.',
      );
    }
  });

  it("resolves a name that breaks its type's rule to no entity, without a look-up", async () => {
    const { services, accountId } = w();
    await seed();
    const types = ['user', 'group', 'role', 'policy', 'mfa', 'saml-provider', 'oidc-provider'] as const;
    for (const type of types) {
      for (const name of ['a\u0000b', 'a\u007fb', '\u212Aate', 'x'.repeat(129)]) {
        expect([type, name, await services.names.storedName(accountId, type, name)]).toEqual([
          type,
          name,
          undefined,
        ]);
      }
    }
    expect(await services.roles.findRole(accountId, 'r\u0000')).toBeUndefined();
    expect(await services.roles.findRole(accountId, '\u212A')).toBeUndefined();
    // Names that keep the rule resolve as before, ignoring case.
    expect(await services.names.storedName(accountId, 'role', 'R')).toBe('r');
    expect((await services.roles.findRole(accountId, 'R'))?.roleName).toBe('r');
  });
});
