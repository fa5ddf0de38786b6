import { describe, expect, it } from 'vitest';
import { errorCodeFor, policyError, validatePolicy, type PolicyKind } from '../../src/policy/index.js';
import { table } from './helpers.js';

const doc = (statement: object, extra: object = {}) =>
  JSON.stringify({ Version: '1', Statement: [statement], ...extra });
const allow = { Effect: 'Allow', Action: 'ecs:*', Resource: '*' };

describe('invalid documents of the decision table', () => {
  for (const d of table.invalidDocuments) {
    it(`${d.id} ${d.title}`, () => {
      const issues = validatePolicy(d.documentText, d.kind);
      expect(issues.length).toBeGreaterThan(0);
      const first = issues[0]!;
      expect(first.code).toBe(d.expected.errorCode);
      expect(first.reason).toBe(d.expected.reason);
      expect(first.severity).toBe('error');
      expect(first.message.length).toBeGreaterThan(10);
      const api = policyError(d.documentText, d.kind);
      expect(api).toMatchObject({ code: d.expected.errorCode, httpStatus: 400, reason: d.expected.reason });
    });
  }
});

describe('validation errors: code, path and message', () => {
  const rows: [string, string, PolicyKind, { reason: string; path: string; message: string }][] = [
    [
      'not JSON',
      '{"Version": "1",',
      'permission',
      {
        reason: 'InvalidJson',
        path: '',
        message: 'The document is not valid JSON: expected a property name, found end of text',
      },
    ],
    [
      'empty text',
      '   ',
      'permission',
      { reason: 'InvalidJson', path: '', message: 'The document is not valid JSON: the document is empty' },
    ],
    [
      'array',
      '[]',
      'permission',
      { reason: 'NotAnObject', path: '', message: 'The document must be a JSON object' },
    ],
    [
      'version number',
      JSON.stringify({ Version: 1, Statement: [allow] }),
      'permission',
      { reason: 'InvalidVersion', path: 'Version', message: 'Version must be the string "1", not 1' },
    ],
    [
      'unknown top element',
      doc(allow, { Comment: 'x' }),
      'permission',
      {
        reason: 'UnknownElement',
        path: 'Comment',
        message: 'Unknown element "Comment"; a policy has Version and Statement (exact case)',
      },
    ],
    [
      'statement not object',
      JSON.stringify({ Version: '1', Statement: [allow, 'x'] }),
      'permission',
      { reason: 'InvalidStatement', path: 'Statement[1]', message: 'A statement must be an object, not "x"' },
    ],
    [
      'effect case',
      doc({ ...allow, Effect: 'allow' }),
      'permission',
      {
        reason: 'InvalidEffect',
        path: 'Statement[0].Effect',
        message: 'Effect must be "Allow" or "Deny" (exact case), not "allow"',
      },
    ],
    [
      'action without service',
      doc({ ...allow, Action: ['ecs:Describe*', 'GetObject'] }),
      'permission',
      {
        reason: 'InvalidAction',
        path: 'Statement[0].Action[1]',
        message:
          '"GetObject" is not an action: expected "*" or <service>:<action>, e.g. "ecs:DescribeInstances"',
      },
    ],
    [
      'action number',
      doc({ ...allow, Action: [42] }),
      'permission',
      {
        reason: 'InvalidAction',
        path: 'Statement[0].Action[0]',
        message: '42 is not a string; Action values are strings',
      },
    ],
    [
      'resource not ARN',
      doc({ ...allow, Resource: 'mybucket/*' }),
      'permission',
      {
        reason: 'InvalidResource',
        path: 'Statement[0].Resource',
        message:
          '"mybucket/*" is not a resource: expected "*" or an ARN acs:<service>:<region>:<account>:<resource>',
      },
    ],
    [
      'NotAction with Action',
      doc({ ...allow, NotAction: 'ram:*' }),
      'permission',
      {
        reason: 'ActionAndNotAction',
        path: 'Statement[0].NotAction',
        message: 'A statement has either Action or NotAction, not both',
      },
    ],
    [
      'principal in permission',
      doc({ ...allow, Principal: { RAM: 'acs:ram::1:root' } }),
      'permission',
      {
        reason: 'PrincipalNotAllowed',
        path: 'Statement[0].Principal',
        message:
          'Principal is allowed only in trust policies and bucket policies, not in a permission policy',
      },
    ],
    [
      'bad IP',
      doc({ ...allow, Condition: { IpAddress: { 'acs:SourceIp': ['192.0.2.0/24', '10.0.0.300'] } } }),
      'permission',
      {
        reason: 'InvalidConditionValue',
        path: 'Statement[0].Condition.IpAddress["acs:SourceIp"][1]',
        message: '"10.0.0.300" is not an IPv4/IPv6 address or CIDR block',
      },
    ],
    [
      'bad number',
      doc({ ...allow, Condition: { NumericLessThan: { 'example:Count': 'ten' } } }),
      'permission',
      {
        reason: 'InvalidConditionValue',
        path: 'Statement[0].Condition.NumericLessThan["example:Count"]',
        message: '"ten" is not a decimal number',
      },
    ],
    [
      "number beyond a double, quoted as written (not JSON's null)",
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*","Condition":{"NumericLessThan":{"ram:x":[1,-1E999]}}}]}',
      'permission',
      {
        reason: 'InvalidConditionValue',
        path: 'Statement[0].Condition.NumericLessThan["ram:x"][1]',
        message: '-1E999 is not a decimal number',
      },
    ],
    [
      'Version a number beyond a double',
      '{"Version":1e999,"Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}',
      'permission',
      {
        reason: 'InvalidVersion',
        path: 'Version',
        message: 'Version must be the string "1", not 1e999',
      },
    ],
    [
      'bad date',
      doc({ ...allow, Condition: { DateLessThan: { 'acs:CurrentTime': '2026-02-30' } } }),
      'permission',
      {
        reason: 'InvalidConditionValue',
        path: 'Statement[0].Condition.DateLessThan["acs:CurrentTime"]',
        message: '"2026-02-30" is not an ISO 8601 date, date-time or epoch seconds',
      },
    ],
    [
      'bad bool',
      doc({ ...allow, Condition: { Bool: { 'acs:SecureTransport': 'yes' } } }),
      'permission',
      {
        reason: 'InvalidConditionValue',
        path: 'Statement[0].Condition.Bool["acs:SecureTransport"]',
        message: '"yes" is not true or false',
      },
    ],
    [
      'object value',
      doc({ ...allow, Condition: { StringEquals: { 'acs:UserAgent': [{ a: 1 }] } } }),
      'permission',
      {
        reason: 'InvalidConditionValue',
        path: 'Statement[0].Condition.StringEquals["acs:UserAgent"][0]',
        message: '{"a":1} is not a string, number or boolean',
      },
    ],
    [
      'unknown operator',
      doc({ ...allow, Condition: { 'ForAnyValue:StringEqual': { 'acs:TagKeys': 'a' } } }),
      'permission',
      {
        reason: 'UnsupportedOperator',
        path: 'Statement[0].Condition["ForAnyValue:StringEqual"]',
        message:
          '"ForAnyValue:StringEqual" is not a condition operator of RAM (see the 21 operators, optionally prefixed ForAnyValue: or ForAllValues:)',
      },
    ],
    [
      'empty key',
      doc({ ...allow, Condition: { StringEquals: { '': 'a' } } }),
      'permission',
      {
        reason: 'InvalidCondition',
        path: 'Statement[0].Condition.StringEquals[""]',
        message: 'A condition key must not be empty',
      },
    ],
    [
      'empty values',
      doc({ ...allow, Condition: { StringEquals: { 'acs:UserAgent': [] } } }),
      'permission',
      {
        reason: 'EmptyConditionValues',
        path: 'Statement[0].Condition.StringEquals["acs:UserAgent"]',
        message: 'StringEquals "acs:UserAgent" lists no value',
      },
    ],
    [
      'duplicate key',
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*","Action":"ram:*"}]}',
      'permission',
      {
        reason: 'DuplicateKey',
        path: 'Statement[0].Action',
        message: 'Duplicate key "Action" in Statement[0]: each element may appear once',
      },
    ],
    [
      'duplicate condition key',
      '{"Version":"1","Statement":{"Effect":"Allow","Action":"ecs:*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"1.1.1.1","acs:SourceIp":"2.2.2.2"}}}}',
      'permission',
      {
        reason: 'DuplicateKey',
        path: 'Statement.Condition.IpAddress["acs:SourceIp"]',
        message:
          'Duplicate key "acs:SourceIp" in Statement.Condition.IpAddress: each element may appear once',
      },
    ],
    [
      'trust without principal',
      doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
      'trust',
      {
        reason: 'MissingPrincipal',
        path: 'Statement[0]',
        message: 'A statement of this policy needs a Principal',
      },
    ],
    [
      'trust principal *',
      doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: '*' } }),
      'trust',
      {
        reason: 'InvalidPrincipal',
        path: 'Statement[0].Principal.RAM',
        message:
          '"*" is not a RAM principal: expected acs:ram::<account-id>:root, :user/<name> or :role/<name>',
      },
    ],
    [
      'trust other action',
      doc({
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'ecs:*'],
        Principal: { Service: 'ecs.aliyuncs.com' },
      }),
      'trust',
      {
        reason: 'InvalidTrustAction',
        path: 'Statement[0].Action[1]',
        message: 'A trust policy allows only "sts:AssumeRole", not "ecs:*"',
      },
    ],
    [
      'trust resource',
      doc({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: '*',
        Principal: { Service: 'ecs.aliyuncs.com' },
      }),
      'trust',
      {
        reason: 'ResourceNotAllowed',
        path: 'Statement[0].Resource',
        message: 'A trust policy has no Resource: the resource is the role itself',
      },
    ],
    [
      'session principal',
      doc({ ...allow, Principal: ['*'] }),
      'session',
      {
        reason: 'PrincipalNotAllowed',
        path: 'Statement[0].Principal',
        message: 'Principal is allowed only in trust policies and bucket policies, not in a session policy',
      },
    ],
  ];
  rows.push(
    [
      'no Version',
      JSON.stringify({ Statement: [allow] }),
      'permission',
      { reason: 'MissingVersion', path: 'Version', message: 'Version is required and must be "1"' },
    ],
    [
      'no Statement',
      '{"Version":"1"}',
      'permission',
      { reason: 'MissingStatement', path: 'Statement', message: 'Statement is required' },
    ],
    [
      'empty Statement',
      '{"Version":"1","Statement":[]}',
      'permission',
      { reason: 'EmptyStatement', path: 'Statement', message: 'Statement must list at least one statement' },
    ],
    [
      'Statement a string',
      '{"Version":"1","Statement":"x"}',
      'permission',
      {
        reason: 'InvalidStatement',
        path: 'Statement',
        message: 'Statement must be a statement object or an array of them',
      },
    ],
    [
      'no Effect',
      doc({ Action: 'ecs:*', Resource: '*' }),
      'permission',
      {
        reason: 'MissingEffect',
        path: 'Statement[0].Effect',
        message: 'Effect is required ("Allow" or "Deny")',
      },
    ],
    [
      'no Action',
      doc({ Effect: 'Allow', Resource: '*' }),
      'permission',
      { reason: 'MissingAction', path: 'Statement[0]', message: 'A statement needs Action or NotAction' },
    ],
    [
      'empty NotAction',
      doc({ Effect: 'Allow', NotAction: [], Resource: '*' }),
      'permission',
      {
        reason: 'EmptyAction',
        path: 'Statement[0].NotAction',
        message: 'NotAction must not be an empty list',
      },
    ],
    [
      'empty action string',
      doc({ ...allow, Action: '' }),
      'permission',
      {
        reason: 'InvalidAction',
        path: 'Statement[0].Action',
        message: 'Action values must not be empty strings',
      },
    ],
    [
      'two colons',
      doc({ ...allow, Action: 'ecs:a:b' }),
      'permission',
      {
        reason: 'InvalidAction',
        path: 'Statement[0].Action',
        message:
          '"ecs:a:b" is not an action: expected "*" or <service>:<action>, e.g. "ecs:DescribeInstances"',
      },
    ],
    [
      'no Resource',
      doc({ Effect: 'Allow', Action: 'ecs:*' }),
      'control',
      {
        reason: 'MissingResource',
        path: 'Statement[0]',
        message: 'A statement of this policy needs Resource or NotResource',
      },
    ],
    [
      'Resource and NotResource',
      doc({ ...allow, NotResource: '*' }),
      'session',
      {
        reason: 'ResourceAndNotResource',
        path: 'Statement[0].NotResource',
        message: 'A statement has either Resource or NotResource, not both',
      },
    ],
    [
      'short ARN',
      doc({ ...allow, Resource: ['*', 'acs:oss:*:bucket'] }),
      'permission',
      {
        reason: 'InvalidResource',
        path: 'Statement[0].Resource[1]',
        message:
          '"acs:oss:*:bucket" is not a resource: expected "*" or an ARN acs:<service>:<region>:<account>:<resource>',
      },
    ],
    [
      'empty Resource list',
      doc({ ...allow, Resource: [] }),
      'permission',
      {
        reason: 'InvalidResource',
        path: 'Statement[0].Resource',
        message: 'Resource must not be an empty list',
      },
    ],
    [
      'Condition array',
      doc({ ...allow, Condition: [] }),
      'permission',
      {
        reason: 'InvalidCondition',
        path: 'Statement[0].Condition',
        message: 'Condition must be an object of operators, not []',
      },
    ],
    [
      'operator block not an object',
      doc({ ...allow, Condition: { Bool: true } }),
      'permission',
      {
        reason: 'InvalidCondition',
        path: 'Statement[0].Condition.Bool',
        message: 'The Bool block must be an object of condition keys, not true',
      },
    ],
    [
      'NotAction in a trust policy',
      doc({ Effect: 'Allow', NotAction: 'ecs:*', Principal: { Service: 'ecs.aliyuncs.com' } }),
      'trust',
      {
        reason: 'InvalidTrustAction',
        path: 'Statement[0].NotAction',
        message: 'A trust policy allows only "sts:AssumeRole", not "ecs:*"',
      },
    ],
    [
      'trust principal list form',
      doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: ['*'] }),
      'trust',
      {
        reason: 'InvalidPrincipal',
        path: 'Statement[0].Principal',
        message: 'Principal must be an object such as {"RAM": [...]}, not ["*"]',
      },
    ],
    [
      'federated principal not a provider',
      doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Federated: 'acs:ram::1:user/x' } }),
      'trust',
      {
        reason: 'InvalidPrincipal',
        path: 'Statement[0].Principal.Federated',
        message:
          '"acs:ram::1:user/x" is not an identity provider: expected acs:ram::<account-id>:saml-provider/<name> or :oidc-provider/<name>',
      },
    ],
    [
      'bucket policy without Principal',
      doc(allow),
      'oss-bucket',
      {
        reason: 'MissingPrincipal',
        path: 'Statement[0]',
        message: 'A statement of this policy needs a Principal',
      },
    ],
  );

  for (const [title, text, kind, want] of rows) {
    it(title, () => {
      const issues = validatePolicy(text, kind);
      expect(issues[0]).toEqual({
        code: errorCodeFor(kind, want.reason as never),
        severity: 'error',
        ...want,
      });
    });
  }

  it('reports every error of a document, each with its path', () => {
    const text = doc({ Effect: 'Permit', Action: 'GetObject', Resource: 'bucket', Extra: 1 });
    expect(validatePolicy(text, 'permission').map((i) => [i.reason, i.path])).toEqual([
      ['UnknownElement', 'Statement[0].Extra'],
      ['InvalidEffect', 'Statement[0].Effect'],
      ['InvalidAction', 'Statement[0].Action'],
      ['InvalidResource', 'Statement[0].Resource'],
    ]);
  });

  it('accepts the documented forms', () => {
    const ok = [
      doc({ ...allow, Sid: 'x', Condition: {} }),
      JSON.stringify({ Version: '1', Id: 'x', Statement: allow }),
      doc({ Effect: 'Deny', NotAction: ['*:Describe*', 'yundun-*:*'], NotResource: 'acs:oss:*:*:b/*' }),
      doc({
        ...allow,
        Condition: { 'ForAllValues:StringEquals': { 'ram:TrustedPrincipalTypes': 'Service' } },
      }),
      doc({ ...allow, Condition: { Bool: { 'acs:MFAPresent': false }, NumericEquals: { 'example:n': 3 } } }),
      doc({
        ...allow,
        Condition: { IpAddress: { 'acs:SourceIp': ['2001:db8::/32', '::ffff:192.0.2.1', '192.0.2.7/24'] } },
      }),
      doc({
        ...allow,
        Condition: {
          DateLessThan: {
            'acs:CurrentTime': [
              '2026-01-31',
              '2026-01-31T10:00:00',
              1795392000,
              '1795392000',
              '2026-01-31T10:00:00.123+0800',
            ],
          },
        },
      }),
    ];
    for (const text of ok) expect(validatePolicy(text, 'permission'), text).toEqual([]);
    expect(
      validatePolicy(
        doc({
          Effect: 'Allow',
          Action: 'STS:assumerole',
          Principal: {
            RAM: ['acs:ram::1234567890123456:root'],
            Federated: 'acs:ram::1234567890123456:saml-provider/idp',
          },
        }),
        'trust',
      ),
    ).toEqual([]);
    expect(
      validatePolicy(
        doc({ Effect: 'Deny', Principal: ['*'], Action: 'oss:*', Resource: 'acs:oss:*:*:b/*' }),
        'oss-bucket',
      ),
    ).toEqual([]);
  });
});

describe('length limits and error codes', () => {
  const padded = (n: number, ch = 'a') => {
    const base = doc({ ...allow, Sid: '' });
    return base.replace('"Sid":""', `"Sid":"${ch.repeat(n - base.length)}"`);
  };

  it('counts code points, not UTF-16 units or bytes', () => {
    // 6,144 code points, each emoji two UTF-16 units.
    const base = doc({ ...allow, Sid: '' });
    const text = base.replace('"Sid":""', `"Sid":"${'😀'.repeat(6144 - base.length)}"`);
    expect(validatePolicy(text, 'permission')).toEqual([]);
    expect(validatePolicy(text.replace('😀', '😀😀'), 'permission')[0]).toMatchObject({
      code: 'InvalidParameter.PolicyDocument.Length',
      reason: 'TooLong',
      message: 'The document is 6145 characters long; a permission policy may have at most 6144',
    });
  });

  const rows: [PolicyKind, number, string | undefined, string][] = [
    ['permission', 6144, undefined, 'InvalidParameter.PolicyDocument.Length'],
    ['permission', 6144, 'CreatePolicyVersion', 'InvalidParameter.PolicyDocument.Length'],
    ['session', 2048, undefined, 'InvalidParameter.PolicySize'],
    ['control', 4096, undefined, 'MalformedPolicyDocument'],
    ['trust', 6144, 'CreateRole', 'InvalidParameter.AssumeRolePolicyDocument.Length'],
    ['trust', 6144, 'UpdateRole', 'InvalidParameter.NewAssumeRolePolicyDocument.Length'],
  ];
  for (const [kind, max, where, code] of rows) {
    it(`${kind} ${where ?? ''}: ${max} accepted, ${max + 1} is ${code}`, () => {
      const text = (n: number) =>
        kind === 'trust'
          ? padded(n).replace(
              '"Action":"ecs:*","Resource":"*"',
              '"Action":"sts:AssumeRole","Principal":{"Service":"ecs.aliyuncs.com"}',
            )
          : padded(n);
      const at = (n: number) => (kind === 'trust' ? n + text(n).length - padded(n).length : n);
      // keep the total length exact for the trust variant
      const exact = (n: number) => text(n - (at(n) - n));
      expect(validatePolicy(exact(max), kind, where as never)).toEqual([]);
      expect(policyError(exact(max + 1), kind, where as never)).toMatchObject({
        code,
        reason: 'TooLong',
        httpStatus: 400,
      });
    });
  }

  it('puts the element first in the message', () => {
    const text = doc({
      Effect: 'Allow',
      Action: 'oss:GetObject',
      Resource: '*',
      Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.1', '10.0.0.300'] } },
    });
    expect(policyError(text, 'permission')).toMatchObject({
      code: 'MalformedPolicyDocument',
      message:
        'Statement[0].Condition.IpAddress["acs:SourceIp"][1]: "10.0.0.300" is not an IPv4/IPv6 address or CIDR block',
    });
  });

  it('grammar errors of a session policy are InvalidParameter.PolicyGrammar', () => {
    expect(policyError('{}', 'session')).toEqual({
      code: 'InvalidParameter.PolicyGrammar',
      httpStatus: 400,
      reason: 'MissingVersion',
      path: 'Version',
      message: 'Version is required and must be "1"',
    });
    expect(policyError(doc(allow), 'session')).toBeUndefined();
  });
});
