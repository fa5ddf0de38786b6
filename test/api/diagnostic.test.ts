import { describe, expect, it } from 'vitest';
import { decodeDiagnostic, encodeDiagnostic, type DiagnosticPayload } from '../../src/api/diagnostic.js';
import { ApiError } from '../../src/errors.js';
import { createSealer } from '../../src/crypto/seal.js';

const sealer = createSealer([{ id: 'a', key: Buffer.alloc(32, 1) }]);
const other = createSealer([{ id: 'b', key: Buffer.alloc(32, 2) }]);

const payload: DiagnosticPayload = {
  accountId: '1000000000000001',
  message: {
    ExplicitDeny: false,
    NoPermissionPolicyType: 'AccountLevelIdentityBasedPolicy',
    AuthAction: 'ram:ListUsers',
    AuthResource: 'acs:ram:*:1000000000000001:user/*',
    AuthPrincipal: {
      AuthPrincipalType: 'SubUser',
      AuthPrincipalOwnerId: '1000000000000001',
      AuthPrincipalDisplayName: '200000000000001',
    },
    AuthConditions: [{ ConditionKey: 'acs:SourceIp', ConditionValues: ['10.0.0.1'] }],
    MatchedPolicies: [],
    Explanation: 'No policy allows ram:ListUsers.',
  },
};

describe('diagnostic messages', () => {
  it('round-trip as base64 text', () => {
    const encoded = encodeDiagnostic(sealer, payload);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(encoded).not.toContain('ListUsers');
    expect(decodeDiagnostic(sealer, encoded)).toEqual(payload);
  });

  it.each([
    ['text that is not base64', 'not base64!'],
    ['base64 that is not sealed', Buffer.from('hello').toString('base64')],
    ['a message of another deployment', encodeDiagnostic(other, payload)],
    [
      'an altered message',
      (() => {
        const b = Buffer.from(encodeDiagnostic(sealer, payload), 'base64').toString('utf8');
        return Buffer.from(b.slice(0, -3) + (b.endsWith('A') ? 'BBB' : 'AAA')).toString('base64');
      })(),
    ],
  ])('refuses %s with InvalidParameter', (_what, text) => {
    let err: unknown;
    try {
      decodeDiagnostic(sealer, text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('InvalidParameter');
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toBe('The parameter "EncodedDiagnosticMessage" is invalid.');
  });
});
