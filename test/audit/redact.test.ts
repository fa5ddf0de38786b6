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
    // Other spellings of a password, and a one-time code sent to prove who asks.
    ['Passwd', true],
    ['Pwd', true],
    ['UserPwd', true],
    ['Passphrase', true],
    ['Passcode', true],
    ['VerificationCode', true],
    ['SmsVerificationCode', true],
    // A nonce only makes a request unique: kept to trace a replay.
    ['SignatureNonce', false],
    // Settings about passwords, tokens and secrets, and how a request was signed: not secret.
    ['SignatureMethod', false],
    ['SignatureVersion', false],
    ['AllowUserToChangePassword', false],
    ['PasswordResetRequired', false],
    ['MinimumPasswordLength', false],
    ['MaxPasswordAge', false],
    ['PasswordReusePrevention', false],
    ['PasswordNotContainUserName', false],
    ['MinimumPasswordDifferentCharacter', false],
    ['AccessTokenValidity', false],
    ['NewRefreshTokenValidity', false],
    ['SecretRequired', false],
    ['AppSecretId', false],
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

  it('keeps the settings of a security preference or a login profile readable', () => {
    expect(
      redactParameters({
        AllowUserToChangePassword: 'true',
        AllowUserToManageAccessKeys: 'false',
        AllowUserToManageMFADevices: 'true',
        EnableSaveMFATicket: 'true',
      }).params,
    ).toEqual({
      AllowUserToChangePassword: 'true',
      AllowUserToManageAccessKeys: 'false',
      AllowUserToManageMFADevices: 'true',
      EnableSaveMFATicket: 'true',
    });
    expect(
      redactParameters({
        UserName: 'alice',
        Password: 'Initial-pass1',
        PasswordResetRequired: 'true',
        MFABindRequired: 'false',
        SignatureMethod: 'HMAC-SHA1',
        SignatureVersion: '1.0',
        Signature: 'c2lnbmF0dXJlLXZhbHVl',
      }).params,
    ).toEqual({
      UserName: 'alice',
      Password: REDACTED,
      PasswordResetRequired: 'true',
      MFABindRequired: 'false',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      Signature: REDACTED,
    });
  });

  it('hunts only the values of the secret parameters the request used', () => {
    const r = redactParameters(
      {
        UserName: 'victim-user',
        NotASecret: 'victim-user',
        Password: 'victim-user',
        Signature: 'c2lnbmF0dXJl',
      },
      (name) => name === 'Signature',
    );
    expect(r.params).toEqual({
      UserName: 'victim-user',
      NotASecret: REDACTED,
      Password: REDACTED,
      Signature: REDACTED,
    });
    expect(r.scrub('no user victim-user; signature c2lnbmF0dXJl')).toBe(
      `no user victim-user; signature ${REDACTED}`,
    );
  });

  it('never hunts a switch value in the other fields, even under a name taken for a secret', () => {
    const r = redactParameters({ EnableTokenRefresh: 'true', Other: 'true', Password: 'Secret-pass1' });
    expect(r.params).toEqual({ EnableTokenRefresh: REDACTED, Other: 'true', Password: REDACTED });
    expect(r.scrub('set to true with Secret-pass1')).toBe(`set to true with ${REDACTED}`);
  });
});
