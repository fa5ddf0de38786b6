import { describe, expect, it } from 'vitest';
import { isSecretParameter, redactParameters, REDACTED } from '../../src/audit/redact.js';

describe('redaction of request parameters', () => {
  it.each([
    ['Password', true],
    ['password', true],
    ['PASSWORD', true],
    ['NewPassword', true],
    ['OldPassword', true],
    ['AccessKeySecret', true],
    ['accesskeysecret', true],
    ['SecurityToken', true],
    ['Signature', true],
    ['AuthenticationCode1', true],
    ['AuthenticationCode2', true],
    ['SAMLAssertion', true],
    ['OIDCToken', true],
    ['Base32StringSeed', true],
    ['Some.Nested.ClientSecret', true],
    ['MyCustomPasswordField', true],
    ['NextToken', false],
    ['UserName', false],
    ['PolicyDocument', false],
    ['SignatureNonce', true],
  ])('%s is secret: %s', (name, secret) => {
    expect(isSecretParameter(name)).toBe(secret);
  });

  it('replaces secret values and scrubs them from every other value and from messages', () => {
    const r = redactParameters({
      UserName: 'alice',
      Password: 'Hunter2-Hunter2!',
      Comments: 'my password is Hunter2-Hunter2!',
      AuthenticationCode1: '123456',
      OTP: '12',
    });
    expect(r.params).toEqual({
      UserName: 'alice',
      Password: REDACTED,
      Comments: `my password is ${REDACTED}`,
      AuthenticationCode1: REDACTED,
      OTP: REDACTED,
    });
    expect(r.scrub('The password Hunter2-Hunter2! is too weak; code 123456')).toBe(
      `The password ${REDACTED} is too weak; code ${REDACTED}`,
    );
    // Values too short to hunt safely are still replaced where they are the parameter itself.
    expect(r.scrub('12 users')).toBe('12 users');
  });
});
