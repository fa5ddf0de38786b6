/**
 * Redaction: request parameters that carry a password, a secret, a token, a signature or an
 * MFA code are replaced by `****` before an event is built, and the values they held are
 * removed from every other field of the event (an error message that echoes input, another
 * parameter that repeats it). Parameter names are compared without regard to case.
 */
export const REDACTED = '****';

/** The secret parameters by name (lower-cased). */
export const SECRET_PARAMETERS: ReadonlySet<string> = new Set(
  [
    'Password',
    'NewPassword',
    'OldPassword',
    'RootPassword',
    'AccessKeySecret',
    'SecurityToken',
    'BearerToken',
    'Signature',
    'AuthenticationCode1',
    'AuthenticationCode2',
    'AuthenticationCode',
    'VerificationCode',
    'MFACode',
    'OTP',
    'SAMLAssertion',
    'OIDCToken',
    'ClientSecret',
    'PrivateKey',
    'Base32StringSeed',
    'QRCodePNG',
  ].map((n) => n.toLowerCase()),
);

/**
 * Any other name that speaks of a secret is redacted too: a password by any of its usual
 * spellings (`Passwd`, `Pwd`, `Passphrase`, `Passcode`), a one-time code sent to prove who asks
 * (`VerificationCode`, an SMS code).
 */
const SECRET_NAME =
  /password|passwd|pwd|passphrase|passcode|secret|token|signature|authenticationcode|verificationcode|assertion|privatekey|credential|seed/i;

/**
 * Names the pattern catches that hold nothing secret: a paging position, how a request was
 * signed (its nonce only makes the request unique, and is worth keeping to trace a replay), and settings about passwords, tokens and secrets (a switch, a length, a lifetime, an
 * id). Their values (`true`, `8`) must stay readable in the trail, and must not be hunted in
 * the event's other fields either, where they would wipe every other `true`.
 */
const NOT_SECRET: ReadonlySet<string> = new Set(
  [
    'NextToken',
    'SignatureMethod',
    'SignatureVersion',
    'SignatureType',
    'SignatureNonce',
    'AllowUserToChangePassword',
    'MaxPasswordAge',
    'MinimumPasswordLength',
    'MinimumPasswordDifferentCharacter',
    'PasswordNotContainUserName',
    'PasswordResetRequired',
    'PasswordReusePrevention',
    'AccessTokenValidity',
    'RefreshTokenValidity',
    'NewAccessTokenValidity',
    'NewRefreshTokenValidity',
    'SecretRequired',
    'NewSecretRequired',
    'AppSecretId',
  ].map((n) => n.toLowerCase()),
);

/** Values no secret can be, never hunted in other fields (a switch wrongly taken for a secret). */
const NEVER_HUNTED = /^(?:true|false)$/i;

export function isSecretParameter(name: string): boolean {
  const base = name.replace(/^.*\./, '').toLowerCase();
  if (NOT_SECRET.has(base)) return false;
  return SECRET_PARAMETERS.has(base) || SECRET_NAME.test(name);
}

/** Values shorter than this are not hunted in other fields (they would match by chance). */
const MIN_HUNTED = 4;

export interface Redacted {
  readonly params: Record<string, string>;
  /** Replaces every secret value found in text. */
  scrub(text: string): string;
}

/**
 * Replaces the secret parameters by REDACTED. The values of those `hunted` says the request
 * really used (the action's own secret parameters, the signature and security token that
 * authenticated it; default: every secret parameter) are also scrubbed from the other values
 * and, through `scrub`, from messages. Any other parameter whose name merely sounds secret is
 * replaced where it stands but not hunted: a caller could otherwise add `NotASecret=<name>` to
 * wipe the name of what it acted on from its own event.
 */
export function redactParameters(
  params: Readonly<Record<string, string>>,
  hunted: (name: string) => boolean = () => true,
): Redacted {
  const secrets: string[] = [];
  const out: Record<string, string> = {};
  for (const name of Object.keys(params)) {
    const value = params[name]!;
    if (isSecretParameter(name)) {
      out[name] = REDACTED;
      if (value.length >= MIN_HUNTED && !NEVER_HUNTED.test(value) && hunted(name)) secrets.push(value);
    } else {
      out[name] = value;
    }
  }
  secrets.sort((a, b) => b.length - a.length);
  const scrub = (text: string): string => {
    let t = text;
    for (const s of secrets) if (t.includes(s)) t = t.split(s).join(REDACTED);
    return t;
  };
  if (secrets.length > 0) for (const name of Object.keys(out)) out[name] = scrub(out[name]!);
  return { params: out, scrub };
}
