import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ApiError } from '../../../src/errors.js';
import { p, params } from '../../../src/api/params.js';

function failure(fn: () => unknown): { code: string; status: number; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return { code: e.code, status: e.status, message: e.message };
    throw e;
  }
  throw new Error('expected an ApiError');
}

const long = (n: number, c = 'a') => c.repeat(n);

describe('params: presence', () => {
  const schema = params({
    UserName: p.userName(),
    Comments: p.text(0, 128).optional(),
    MaxItems: p.maxItems(1000).default(100),
  });

  it('parses present values and applies defaults, ignoring undeclared parameters', () => {
    expect(schema.parse({ UserName: 'alice', Format: 'JSON', RegionId: 'cn-hangzhou' })).toEqual({
      UserName: 'alice',
      Comments: undefined,
      MaxItems: 100,
    });
    expect(schema.parse({ UserName: 'a', Comments: 'x', MaxItems: '7' })).toEqual({
      UserName: 'a',
      Comments: 'x',
      MaxItems: 7,
    });
  });

  it('answers Missing<Name> for an absent required parameter', () => {
    expect(failure(() => schema.parse({}))).toEqual({
      code: 'MissingUserName',
      status: 400,
      message: 'UserName is mandatory for this action.',
    });
  });

  it('reports the first problem in declaration order', () => {
    const s = params({ GroupName: p.groupName(), UserName: p.userName() });
    expect(failure(() => s.parse({ UserName: 'bad name' })).code).toBe('MissingGroupName');
    expect(failure(() => s.parse({ GroupName: 'g', UserName: 'bad name' })).code).toBe(
      'InvalidParameter.UserName.InvalidChars',
    );
  });

  it('does not read inherited properties as parameters', () => {
    expect(failure(() => params({ constructor: p.string() }).parse({})).code).toBe('Missingconstructor');
  });
});

describe('params: names', () => {
  const cases: [string, ReturnType<typeof p.userName>, number, string[], string[]][] = [
    // name, param, max length, accepted, rejected characters
    ['UserName', p.userName(), 64, ['alice', 'a.b-c_d', 'A9'], ['a b', 'a@b', 'a/b', 'é']],
    ['NewUserName', p.userName(), 64, ['bob'], ['a:b']],
    ['GroupName', p.groupName(), 64, ['dev.ops_1-x'], ['dev ops', 'a@b']],
    ['NewGroupName', p.groupName(), 64, ['g2'], ['g*']],
    ['RoleName', p.roleName(), 64, ['ecs-admin.v2'], ['ecs_admin', 'a@b', 'a b']],
    ['PolicyName', p.policyName(), 128, ['Read-Only-1', 'AdministratorAccess'], ['a.b', 'a_b', 'a b']],
    ['VirtualMFADeviceName', p.mfaDeviceName(), 64, ['phone.1-a'], ['phone_1', 'a b']],
  ];

  for (const [name, param, max, good, bad] of cases) {
    const schema = params({ [name]: param });
    it(`${name}: accepts 1..${max} allowed characters`, () => {
      for (const v of [...good, long(max), 'x']) expect(schema.parse({ [name]: v })).toEqual({ [name]: v });
    });
    it(`${name}: empty or longer than ${max} is InvalidParameter.${name}.Length`, () => {
      for (const v of ['', long(max + 1)]) {
        expect(failure(() => schema.parse({ [name]: v }))).toEqual({
          code: `InvalidParameter.${name}.Length`,
          status: 400,
          message: `The parameter - "${name}" beyond the length limit.`,
        });
      }
    });
    it(`${name}: other characters are InvalidParameter.${name}.InvalidChars`, () => {
      for (const v of bad) {
        expect(failure(() => schema.parse({ [name]: v }))).toEqual({
          code: `InvalidParameter.${name}.InvalidChars`,
          status: 400,
          message: `The parameter - "${name}" contains invalid chars.`,
        });
      }
    });
  }

  it('counts characters, not UTF-16 units, for lengths', () => {
    const s = params({ Comments: p.text(0, 3) });
    expect(s.parse({ Comments: '😀😀😀' })).toEqual({ Comments: '😀😀😀' });
  });
});

describe('params: free text, formats and codes of their own', () => {
  it('text: InvalidParameter.<Name>.Length outside min..max', () => {
    const s = params({ DisplayName: p.text(1, 128), Comments: p.text(0, 128).optional() });
    expect(s.parse({ DisplayName: long(128), Comments: '' })).toEqual({
      DisplayName: long(128),
      Comments: '',
    });
    expect(failure(() => s.parse({ DisplayName: '' }))).toEqual({
      code: 'InvalidParameter.DisplayName.Length',
      status: 400,
      message: 'The parameter - "DisplayName" MUST be 1 to 128 characters long.',
    });
    expect(failure(() => s.parse({ DisplayName: 'a', Comments: long(129) }))).toEqual({
      code: 'InvalidParameter.Comments.Length',
      status: 400,
      message: 'The parameter - "Comments" MUST NOT be longer than 128 characters.',
    });
  });

  it('Email and MobilePhone: InvalidParameter.<Name>.Format', () => {
    const s = params({ Email: p.email().optional(), NewMobilePhone: p.mobilePhone().optional() });
    expect(s.parse({ Email: 'a.b@example.com', NewMobilePhone: '86-18688888888' })).toEqual({
      Email: 'a.b@example.com',
      NewMobilePhone: '86-18688888888',
    });
    for (const Email of ['nobody', 'a@b', 'a b@c.d', '@c.d']) {
      expect(failure(() => s.parse({ Email }))).toEqual({
        code: 'InvalidParameter.Email.Format',
        status: 400,
        message: 'The parameter - "Email" is not in a valid format.',
      });
    }
    for (const NewMobilePhone of ['18688888888', '86-', '+86-1868888', '86-abc']) {
      expect(failure(() => s.parse({ NewMobilePhone })).code).toBe('InvalidParameter.NewMobilePhone.Format');
    }
  });

  it('PolicyType: System or Custom, else InvalidParameter.PolicyType', () => {
    const s = params({ PolicyType: p.policyType() });
    expect(s.parse({ PolicyType: 'System' })).toEqual({ PolicyType: 'System' });
    expect(s.parse({ PolicyType: 'Custom' })).toEqual({ PolicyType: 'Custom' });
    for (const PolicyType of ['custom', 'Managed', '']) {
      expect(failure(() => s.parse({ PolicyType }))).toEqual({
        code: 'InvalidParameter.PolicyType',
        status: 400,
        message: 'The parameter - "PolicyType" is incorrect.',
      });
    }
  });

  it('VersionId: vN, else InvalidParameter.VersionId.Format', () => {
    const s = params({ VersionId: p.versionId() });
    expect(s.parse({ VersionId: 'v12' })).toEqual({ VersionId: 'v12' });
    for (const VersionId of ['v0', '1', 'V1', 'v1a', 'v']) {
      expect(failure(() => s.parse({ VersionId }))).toEqual({
        code: 'InvalidParameter.VersionId.Format',
        status: 400,
        message: 'The parameter - "VersionId" MUST be in the form vN.',
      });
    }
  });

  it('AccountAlias: 3..32, letters, digits and single inner hyphens, taken lower-case', () => {
    const s = params({ AccountAlias: p.accountAlias() });
    expect(s.parse({ AccountAlias: 'My-Corp-1' })).toEqual({ AccountAlias: 'my-corp-1' });
    for (const AccountAlias of ['ab', long(33)]) {
      expect(failure(() => s.parse({ AccountAlias }))).toEqual({
        code: 'InvalidParameter.AccountAlias.Length',
        status: 400,
        message: 'The parameter - "AccountAlias" MUST be in the range of 3 and 32.',
      });
    }
    for (const AccountAlias of ['-abc', 'abc-', 'a--b', 'a_b', 'a.b']) {
      expect(failure(() => s.parse({ AccountAlias }))).toEqual({
        code: 'InvalidParameter.AccountAlias.Format',
        status: 400,
        message:
          'The parameter - "AccountAlias" may only contain letters, digits and single hyphens, not at either end.',
      });
    }
  });

  it('AuthenticationCode1/2: six digits, else InvalidParameter.AuthenticationCode.Format', () => {
    const s = params({
      AuthenticationCode1: p.authenticationCode(),
      AuthenticationCode2: p.authenticationCode(),
    });
    expect(s.parse({ AuthenticationCode1: '012345', AuthenticationCode2: '999999' })).toEqual({
      AuthenticationCode1: '012345',
      AuthenticationCode2: '999999',
    });
    for (const bad of ['12345', '1234567', '12345a', ' 12345']) {
      expect(failure(() => s.parse({ AuthenticationCode1: '123456', AuthenticationCode2: bad }))).toEqual({
        code: 'InvalidParameter.AuthenticationCode.Format',
        status: 400,
        message: 'The parameter - "AuthenticationCode" MUST be 6 numbers.',
      });
    }
  });
});

describe('params: numbers, booleans, enumerations', () => {
  it('int: integers in range; a code of its own when given, else InvalidParameter', () => {
    const s = params({
      MinimumPasswordLength: p.int(8, 32, 'InvalidParameter.MinimumPasswordLength.Range').optional(),
      MaxItems: p.maxItems(100).optional(),
    });
    expect(s.parse({ MinimumPasswordLength: '8', MaxItems: '100' })).toEqual({
      MinimumPasswordLength: 8,
      MaxItems: 100,
    });
    for (const v of ['7', '33', '8.5', 'abc', '', '1e1']) {
      expect(failure(() => s.parse({ MinimumPasswordLength: v }))).toEqual({
        code: 'InvalidParameter.MinimumPasswordLength.Range',
        status: 400,
        message: 'The parameter - "MinimumPasswordLength" MUST be in the range of 8 and 32.',
      });
    }
    for (const v of ['0', '101', '-1', '99999999999999999999']) {
      expect(failure(() => s.parse({ MaxItems: v }))).toEqual({
        code: 'InvalidParameter',
        status: 400,
        message: 'The parameter - "MaxItems" MUST be in the range of 1 and 100.',
      });
    }
  });

  it('bool: true / false in any case, else InvalidParameter', () => {
    const s = params({ SetAsDefault: p.bool().default(false) });
    expect(s.parse({})).toEqual({ SetAsDefault: false });
    expect(s.parse({ SetAsDefault: 'true' })).toEqual({ SetAsDefault: true });
    expect(s.parse({ SetAsDefault: 'False' })).toEqual({ SetAsDefault: false });
    for (const v of ['1', 'yes', '']) {
      expect(failure(() => s.parse({ SetAsDefault: v }))).toEqual({
        code: 'InvalidParameter',
        status: 400,
        message: 'The parameter - "SetAsDefault" MUST be true or false.',
      });
    }
  });

  it('oneOf: exact values, else InvalidParameter listing them', () => {
    const s = params({ Status: p.keyStatus() });
    expect(s.parse({ Status: 'Inactive' })).toEqual({ Status: 'Inactive' });
    expect(failure(() => s.parse({ Status: 'inactive' }))).toEqual({
      code: 'InvalidParameter',
      status: 400,
      message: 'The parameter - "Status" MUST be one of Active, Inactive.',
    });
  });

  it('marker: opaque, and an empty marker counts as absent', () => {
    const s = params({ Marker: p.marker().optional() });
    expect(s.parse({ Marker: '' })).toEqual({ Marker: undefined });
    expect(s.parse({ Marker: 'abc==' })).toEqual({ Marker: 'abc==' });
  });

  it('accessKeyId: letters and digits only', () => {
    const s = params({ UserAccessKeyId: p.accessKeyId() });
    expect(s.parse({ UserAccessKeyId: 'LTAI0123456789abcdefghij' })).toEqual({
      UserAccessKeyId: 'LTAI0123456789abcdefghij',
    });
    expect(failure(() => s.parse({ UserAccessKeyId: 'LTAI-x' }))).toEqual({
      code: 'InvalidParameter',
      status: 400,
      message: 'The parameter - "UserAccessKeyId" is not a valid AccessKey id.',
    });
  });
});

describe('params: JSON-string lists', () => {
  const s = params({
    Tag: p.tags().optional(),
    TagKeys: p.tagKeys().optional(),
    ResourceNames: p.resourceNames().optional(),
  });
  const invalid = (message: string) => ({ code: 'InvalidParameter', status: 400, message });

  it('Tag: a JSON array of {Key, Value}', () => {
    expect(s.parse({ Tag: '[{"Key":"env","Value":"prod"},{"Key":"team"}]' })).toEqual({
      Tag: [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: '' },
      ],
      TagKeys: undefined,
      ResourceNames: undefined,
    });
  });

  it.each([
    ['not json', 'The parameter - "Tag" MUST be a JSON array.'],
    ['{"Key":"a"}', 'The parameter - "Tag" MUST be a JSON array.'],
    ['[]', 'The parameter - "Tag" MUST hold 1 to 20 items.'],
    [
      JSON.stringify(Array.from({ length: 21 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))),
      'The parameter - "Tag" MUST hold 1 to 20 items.',
    ],
    ['["a"]', 'The parameter - "Tag" item 1 MUST be an object with Key and Value.'],
    ['[{"Value":"v"}]', 'The parameter - "Tag" item 1: Key MUST be 1 to 128 characters long.'],
    [`[{"Key":"${long(129)}"}]`, 'The parameter - "Tag" item 1: Key MUST be 1 to 128 characters long.'],
    [
      '[{"Key":"a","Value":"b"},{"Key":"acs:x"}]',
      'The parameter - "Tag" item 2: Key MUST NOT start with aliyun or acs: or contain http:// or https://.',
    ],
    [
      '[{"Key":"Aliyun-x"}]',
      'The parameter - "Tag" item 1: Key MUST NOT start with aliyun or acs: or contain http:// or https://.',
    ],
    [
      `[{"Key":"a","Value":"${long(257)}"}]`,
      'The parameter - "Tag" item 1: Value MUST be a string of at most 256 characters.',
    ],
    [
      '[{"Key":"a","Value":3}]',
      'The parameter - "Tag" item 1: Value MUST be a string of at most 256 characters.',
    ],
    [
      '[{"Key":"a","Value":"http://x"}]',
      'The parameter - "Tag" item 1: Value MUST NOT start with aliyun or acs: or contain http:// or https://.',
    ],
    [
      '[{"Key":"a","Value":"1"},{"Key":"a","Value":"2"}]',
      'The parameter - "Tag" holds the tag key "a" twice.',
    ],
  ])('Tag %s is refused', (Tag, message) => {
    expect(failure(() => s.parse({ Tag }))).toEqual(invalid(message));
  });

  it('TagKeys and ResourceNames', () => {
    expect(s.parse({ TagKeys: '["a","b"]', ResourceNames: '["role-1","Policy-2"]' })).toMatchObject({
      TagKeys: ['a', 'b'],
      ResourceNames: ['role-1', 'Policy-2'],
    });
    expect(failure(() => s.parse({ TagKeys: '["a","a"]' }))).toEqual(
      invalid('The parameter - "TagKeys" holds the tag key "a" twice.'),
    );
    expect(failure(() => s.parse({ ResourceNames: '["a b"]' }))).toEqual(
      invalid('The parameter - "ResourceNames" item 1 is not a valid resource name.'),
    );
    expect(failure(() => s.parse({ ResourceNames: '["r","R"]' }))).toEqual(
      invalid('The parameter - "ResourceNames" holds the resource name "r" twice.'),
    );
    expect(
      failure(() =>
        s.parse({ ResourceNames: JSON.stringify(Array.from({ length: 51 }, (_, i) => `r${i}`)) }),
      ),
    ).toEqual(invalid('The parameter - "ResourceNames" MUST hold 1 to 50 items.'));
  });

  it('tag filters: Value is optional', () => {
    const f = params({ Tag: p.tagFilters() });
    expect(f.parse({ Tag: '[{"Key":"env"},{"Key":"team","Value":"x"}]' })).toEqual({
      Tag: [{ Key: 'env' }, { Key: 'team', Value: 'x' }],
    });
  });
});

describe('params: properties', () => {
  const rules = [
    { name: 'UserName', param: p.userName(), re: /^[A-Za-z0-9._-]{1,64}$/u },
    { name: 'RoleName', param: p.roleName(), re: /^[A-Za-z0-9.-]{1,64}$/u },
    { name: 'PolicyName', param: p.policyName(), re: /^[A-Za-z0-9-]{1,128}$/u },
  ];

  it.each(rules)(
    '$name: accepted exactly when it matches the rule, else one of its two codes',
    ({ name, param, re }) => {
      const schema = params({ [name]: param });
      const chars = fc.constantFrom(...'aZ09._-@ /é😀'.split(''), ...['😀']);
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 140 }),
            fc.array(chars, { maxLength: 140 }).map((a) => a.join('')),
          ),
          (v) => {
            try {
              expect(schema.parse({ [name]: v })).toEqual({ [name]: v });
              expect(re.test(v)).toBe(true);
            } catch (e) {
              expect(e).toBeInstanceOf(ApiError);
              expect([`InvalidParameter.${name}.Length`, `InvalidParameter.${name}.InvalidChars`]).toContain(
                (e as ApiError).code,
              );
              expect(re.test(v)).toBe(false);
            }
          },
        ),
      );
    },
  );

  it('JSON lists never fail with anything but an ApiError', () => {
    const schema = params({
      Tag: p.tags().optional(),
      TagKeys: p.tagKeys().optional(),
      ResourceNames: p.resourceNames().optional(),
    });
    fc.assert(
      fc.property(
        fc.constantFrom('Tag', 'TagKeys', 'ResourceNames'),
        fc.oneof(fc.json(), fc.string()),
        (key, text) => {
          try {
            schema.parse({ [key]: text });
          } catch (e) {
            expect(e).toBeInstanceOf(ApiError);
            expect((e as ApiError).code).toBe('InvalidParameter');
          }
        },
      ),
    );
  });
});
