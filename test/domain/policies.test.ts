import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ALLOW_ALL, doc, expectApiError, forEachBackend } from './harness.js';
import { ApiError } from '../../src/errors.js';

forEachBackend('policies and versions', (w) => {
  it('creates a custom policy at v1 and reads it with its default version', async () => {
    const { domain, accountId } = w();
    const p = await domain.policies.create(accountId, {
      policyName: 'OSS-Admin',
      policyDocument: doc('oss:*'),
      description: 'oss',
    });
    expect(p).toEqual({
      policyName: 'OSS-Admin',
      policyType: 'Custom',
      description: 'oss',
      defaultVersion: 'v1',
      attachmentCount: 0,
      createDate: '2026-01-15T10:00:00Z',
      updateDate: '2026-01-15T10:00:00Z',
      tags: [],
    });
    expect(await domain.policies.get(accountId, 'Custom', 'oss-admin')).toEqual({
      policy: p,
      defaultPolicyVersion: {
        versionId: 'v1',
        isDefaultVersion: true,
        policyDocument: doc('oss:*'),
        createDate: '2026-01-15T10:00:00Z',
      },
    });
    await expectApiError(
      domain.policies.create(accountId, { policyName: 'oss-ADMIN', policyDocument: ALLOW_ALL }),
      'EntityAlreadyExists.Policy',
      'The policy already exists: oss-ADMIN.',
    );
    await expectApiError(
      domain.policies.create(accountId, { policyName: 'AdministratorAccess', policyDocument: ALLOW_ALL }),
      'EntityAlreadyExists.Policy',
    );
    await expectApiError(
      domain.policies.get(accountId, 'System', 'OSS-Admin'),
      'EntityNotExist.Policy',
      'The policy does not exist: OSS-Admin.',
    );
    await expectApiError(
      domain.policies.get(accountId, 'Other' as 'System', 'OSS-Admin'),
      'InvalidParameter.PolicyType',
      'The parameter - "PolicyType" is incorrect.',
    );
    const upd = await domain.policies.updateDescription(accountId, 'OSS-Admin', 'new text');
    expect(upd.description).toBe('new text');
  });

  it('validates names, descriptions and documents', async () => {
    const { domain, accountId } = w();
    const cases: [Record<string, string>, string, string?][] = [
      [
        { policyName: '' },
        'InvalidParameter.PolicyName.Length',
        'The parameter - "PolicyName" beyond the length limit.',
      ],
      [{ policyName: 'p'.repeat(129) }, 'InvalidParameter.PolicyName.Length'],
      [
        { policyName: 'a.b' },
        'InvalidParameter.PolicyName.InvalidChars',
        'The parameter - "PolicyName" contains invalid chars.',
      ],
      [{ policyName: 'ok', description: 'd'.repeat(1025) }, 'InvalidParameter.Description.Length'],
      [{ policyName: 'ok', policyDocument: '{' }, 'MalformedPolicyDocument'],
      [
        {
          policyName: 'ok',
          policyDocument: JSON.stringify({
            Version: '1',
            Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }],
          }),
        },
        'MalformedPolicyDocument',
      ],
      [{ policyName: 'ok', policyDocument: ' '.repeat(6145) }, 'InvalidParameter.PolicyDocument.Length'],
    ];
    for (const [input, code, message] of cases) {
      await expectApiError(
        domain.policies.create(accountId, { policyDocument: ALLOW_ALL, ...input } as never),
        code,
        message,
      );
    }
    expect((await domain.policies.list(accountId, { policyType: 'Custom' })).items).toEqual([]);
  });

  it('keeps at most five versions; rotation removes the oldest non-default', async () => {
    const { domain, accountId } = w();
    await domain.policies.create(accountId, { policyName: 'P', policyDocument: doc('a:1') });
    for (let i = 2; i <= 5; i++) {
      const v = await domain.policies.createVersion(accountId, 'P', { policyDocument: doc(`a:${i}`) });
      expect(v).toMatchObject({ versionId: `v${i}`, isDefaultVersion: false });
    }
    await expectApiError(
      domain.policies.createVersion(accountId, 'P', { policyDocument: doc('a:6') }),
      'LimitExceeded.Policy.Version',
      'The count of versions of the policy beyond the current limits: 5.',
    );
    await domain.policies.setDefaultVersion(accountId, 'P', 'v2');
    const v6 = await domain.policies.createVersion(accountId, 'P', {
      policyDocument: doc('a:6'),
      rotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
      setAsDefault: true,
    });
    expect(v6).toMatchObject({ versionId: 'v6', isDefaultVersion: true, policyDocument: doc('a:6') });
    const list = await domain.policies.listVersions(accountId, 'Custom', 'P');
    expect(list.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([
      ['v6', true],
      ['v5', false],
      ['v4', false],
      ['v3', false],
      ['v2', false],
    ]);
    expect((await domain.policies.get(accountId, 'Custom', 'P')).policy.defaultVersion).toBe('v6');
    expect((await domain.policies.getVersion(accountId, 'Custom', 'P', 'v3')).policyDocument).toBe(
      doc('a:3'),
    );
    await expectApiError(
      domain.policies.getVersion(accountId, 'Custom', 'P', 'v1'),
      'EntityNotExist.Policy.Version',
      'The policy version does not exist: P, v1.',
    );
    await expectApiError(
      domain.policies.getVersion(accountId, 'Custom', 'P', '1'),
      'InvalidParameter.VersionId.Format',
      'The parameter - "VersionId" is not of the form vN.',
    );
    await expectApiError(
      domain.policies.deleteVersion(accountId, 'P', 'v6'),
      'DeleteConflict.Policy.Version.Default',
      'The default version of the policy cannot be deleted: P, v6.',
    );
    await domain.policies.deleteVersion(accountId, 'P', 'v2');
    await expectApiError(
      domain.policies.deleteVersion(accountId, 'P', 'v2'),
      'EntityNotExist.Policy.Version',
    );
    await expectApiError(
      domain.policies.setDefaultVersion(accountId, 'P', 'v9'),
      'EntityNotExist.Policy.Version',
    );
    await expectApiError(
      domain.policies.createVersion(accountId, 'P', { policyDocument: '{' }),
      'MalformedPolicyDocument',
    );
    await expectApiError(
      domain.policies.createVersion(accountId, 'Nope', { policyDocument: ALLOW_ALL }),
      'EntityNotExist.Policy',
    );
  });

  it('deletes a policy only when detached and without other versions, unless cascading', async () => {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName: 'u' });
    await domain.groups.create(accountId, { groupName: 'g' });
    await domain.policies.create(accountId, { policyName: 'P', policyDocument: ALLOW_ALL });
    await domain.policies.createVersion(accountId, 'P', { policyDocument: doc('x:y') });
    await domain.attachments.attach(accountId, { kind: 'user', userName: 'u' }, 'Custom', 'P');
    await expectApiError(
      domain.policies.delete(accountId, 'P'),
      'DeleteConflict.Policy.User',
      'The policy is attached to some users, detach it first: P.',
    );
    await domain.attachments.detach(accountId, { kind: 'user', userName: 'u' }, 'Custom', 'P');
    await domain.attachments.attach(accountId, { kind: 'group', groupName: 'g' }, 'Custom', 'P');
    await expectApiError(domain.policies.delete(accountId, 'P'), 'DeleteConflict.Policy.Group');
    await domain.attachments.detach(accountId, { kind: 'group', groupName: 'g' }, 'Custom', 'P');
    await expectApiError(
      domain.policies.delete(accountId, 'P'),
      'DeleteConflict.Policy.Version',
      'The policy has versions other than the default one, delete them first: P.',
    );
    await domain.attachments.attach(accountId, { kind: 'user', userName: 'u' }, 'Custom', 'P');
    await domain.policies.delete(accountId, 'P', { cascadingDelete: true });
    await expectApiError(domain.policies.get(accountId, 'Custom', 'P'), 'EntityNotExist.Policy');
    expect(await domain.attachments.listForTarget(accountId, { kind: 'user', userName: 'u' })).toEqual([]);
    // The name is free again, with a fresh version history.
    await domain.policies.create(accountId, { policyName: 'P', policyDocument: ALLOW_ALL });
    expect((await domain.policies.listVersions(accountId, 'Custom', 'P')).map((v) => v.versionId)).toEqual([
      'v1',
    ]);
    await domain.users.delete(accountId, 'u');
  });

  it('serves System policies read-only', async () => {
    const { domain, accountId } = w();
    const got = await domain.policies.get(accountId, 'System', 'administratoraccess');
    expect(got.policy).toMatchObject({
      policyName: 'AdministratorAccess',
      policyType: 'System',
      defaultVersion: 'v1',
      attachmentCount: 0,
    });
    expect(got.defaultPolicyVersion.isDefaultVersion).toBe(true);
    expect(
      (await domain.policies.listVersions(accountId, 'System', 'AdministratorAccess')).map(
        (v) => v.versionId,
      ),
    ).toEqual(['v1']);
    await expectApiError(
      domain.policies.createVersion(accountId, 'AdministratorAccess', { policyDocument: ALLOW_ALL }),
      'EntityNotExist.Policy',
    );
    await expectApiError(domain.policies.delete(accountId, 'AdministratorAccess'), 'EntityNotExist.Policy');
    await expectApiError(
      domain.policies.updateDescription(accountId, 'AdministratorAccess', 'x'),
      'EntityNotExist.Policy',
    );
    await expectApiError(
      domain.policies.get(accountId, 'System', 'NoSuchSystemPolicy'),
      'EntityNotExist.Policy',
    );
  });

  it('lists System then Custom policies with paging, attachment counts and tag filters', async () => {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName: 'u' });
    await domain.policies.create(accountId, {
      policyName: 'zeta',
      policyDocument: ALLOW_ALL,
      tags: [{ tagKey: 'k', tagValue: 'v' }],
    });
    await domain.policies.create(accountId, { policyName: 'Alpha', policyDocument: ALLOW_ALL });
    await domain.attachments.attach(accountId, { kind: 'user', userName: 'u' }, 'Custom', 'Alpha');
    await domain.attachments.attach(
      accountId,
      { kind: 'user', userName: 'u' },
      'System',
      'AdministratorAccess',
    );
    const all: { policyName: string; policyType: string; attachmentCount: number }[] = [];
    let marker: string | undefined;
    do {
      const page = await domain.policies.list(accountId, { marker, maxItems: 7 });
      expect(page.items.length).toBeLessThanOrEqual(7);
      all.push(...page.items);
      marker = page.isTruncated ? page.marker : undefined;
    } while (marker);
    const system = all.filter((p) => p.policyType === 'System');
    expect(system.length).toBeGreaterThan(10);
    expect(all.slice(-2).map((p) => [p.policyName, p.policyType, p.attachmentCount])).toEqual([
      ['Alpha', 'Custom', 1],
      ['zeta', 'Custom', 0],
    ]);
    expect(system.find((p) => p.policyName === 'AdministratorAccess')?.attachmentCount).toBe(1);
    expect(new Set(all.map((p) => `${p.policyType}:${p.policyName}`)).size).toBe(all.length);
    const custom = await domain.policies.list(accountId, { policyType: 'Custom' });
    expect(custom.items.map((p) => p.policyName)).toEqual(['Alpha', 'zeta']);
    const tagged = await domain.policies.list(accountId, { tags: [{ tagKey: 'k', tagValue: 'v' }] });
    expect(tagged.items.map((p) => p.policyName)).toEqual(['zeta']);
    expect(tagged.items[0]!.tags).toEqual([{ tagKey: 'k', tagValue: 'v' }]);
    const sys = await domain.policies.list(accountId, { policyType: 'System', maxItems: 1000 });
    expect(sys.items.length).toBe(system.length);
    await expectApiError(
      domain.policies.list(accountId, { policyType: 'x' as 'System' }),
      'InvalidParameter.PolicyType',
    );
  });

  it('keeps the custom policy quota', async () => {
    const { domain, accountId } = w();
    await domain.accounts.setQuotas(accountId, { customPoliciesPerAccount: 1 });
    await domain.policies.create(accountId, { policyName: 'a', policyDocument: ALLOW_ALL });
    await expectApiError(
      domain.policies.create(accountId, { policyName: 'b', policyDocument: ALLOW_ALL }),
      'LimitExceeded.Policy',
      'The count of custom policies beyond the current limits: 1.',
    );
  });

  it('agrees with a simple model over random sequences of version operations', async () => {
    const { domain } = w();
    type Op =
      | { kind: 'create'; setAsDefault: boolean; rotate: boolean }
      | { kind: 'setDefault'; n: number }
      | { kind: 'delete'; n: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), setAsDefault: fc.boolean(), rotate: fc.boolean() }),
      fc.record({ kind: fc.constant('setDefault' as const), n: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant('delete' as const), n: fc.integer({ min: 1, max: 12 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 14 }), async (ops) => {
        const { accountId } = await domain.accounts.create({ rootPassword: 'model-pass-1' });
        await domain.policies.create(accountId, { policyName: 'M', policyDocument: doc('m:1') });
        // The model: existing version numbers, default, next number.
        let versions = [1];
        let def = 1;
        let next = 2;
        for (const o of ops) {
          let expected: string | undefined;
          if (o.kind === 'create') {
            if (versions.length >= 5) {
              const oldest = versions.find((v) => v !== def);
              if (!o.rotate || oldest === undefined) expected = 'LimitExceeded.Policy.Version';
              else versions = versions.filter((v) => v !== oldest);
            }
            if (!expected) {
              versions.push(next);
              if (o.setAsDefault) def = next;
              next++;
            }
          } else if (o.kind === 'setDefault') {
            if (!versions.includes(o.n)) expected = 'EntityNotExist.Policy.Version';
            else def = o.n;
          } else if (o.n === def) expected = 'DeleteConflict.Policy.Version.Default';
          else if (!versions.includes(o.n)) expected = 'EntityNotExist.Policy.Version';
          else versions = versions.filter((v) => v !== o.n);

          let actual: string | undefined;
          try {
            if (o.kind === 'create') {
              await domain.policies.createVersion(accountId, 'M', {
                policyDocument: doc(`m:${next}`),
                setAsDefault: o.setAsDefault,
                rotateStrategy: o.rotate ? 'DeleteOldestNonDefaultVersionWhenLimitExceeded' : 'None',
              });
            } else if (o.kind === 'setDefault')
              await domain.policies.setDefaultVersion(accountId, 'M', `v${o.n}`);
            else await domain.policies.deleteVersion(accountId, 'M', `v${o.n}`);
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            actual = e.code;
          }
          expect(actual).toBe(expected);
        }
        const listed = await domain.policies.listVersions(accountId, 'Custom', 'M');
        expect(listed.map((v) => v.versionId)).toEqual(
          [...versions].sort((a, b) => b - a).map((v) => `v${v}`),
        );
        expect(listed.filter((v) => v.isDefaultVersion).map((v) => v.versionId)).toEqual([`v${def}`]);
        expect((await domain.policies.get(accountId, 'Custom', 'M')).policy.defaultVersion).toBe(`v${def}`);
      }),
      { numRuns: 25 },
    );
  });
});
