import { apiError, apiErrorWithStatus, paramError, type ApiError } from '../errors.js';

/**
 * The errors the domain throws, one function per code. Messages follow the service's
 * literal text where the reference documents it (catalogue DocumentedMessage), and the
 * service's style ("The user does not exist: alice.") elsewhere.
 */
export const err = {
  userNotExist: (name: string): ApiError =>
    apiError('EntityNotExist.User', `The user does not exist: ${name}.`),
  userExists: (name: string): ApiError =>
    apiError('EntityAlreadyExists.User', `The user already exists: ${name}.`),
  userLimit: (max: number): ApiError =>
    apiError('LimitExceeded.User', `The count of users beyond the current limits: ${max}.`),
  userDeleteConflict: (
    what: 'AccessKey' | 'LoginProfile' | 'MFADevice' | 'Group' | 'Policy',
    name: string,
  ): ApiError =>
    apiError(
      `DeleteConflict.User.${what}`,
      {
        AccessKey: `The user has access keys, delete them first: ${name}.`,
        LoginProfile: `The user has a login profile, delete it first: ${name}.`,
        MFADevice: `The user has an MFA device bound, unbind it first: ${name}.`,
        Group: `The user is a member of groups, remove it from them first: ${name}.`,
        Policy: `The user has policies attached, detach them first: ${name}.`,
      }[what],
    ),

  loginProfileNotExist: (name: string): ApiError =>
    apiError('EntityNotExist.User.LoginProfile', `The login profile of the user does not exist: ${name}.`),
  loginProfileExists: (name: string): ApiError =>
    apiError(
      'EntityAlreadyExists.User.LoginProfile',
      `The login profile of the user already exists: ${name}.`,
    ),
  /**
   * A password the policy refuses, with every unmet rule (Password: CreateLoginProfile,
   * UpdateLoginProfile, the root password; NewPassword: ChangePassword, the logon's change).
   */
  passwordTooWeak: (
    parameter: 'Password' | 'NewPassword' = 'Password',
    unmet: readonly string[] = [],
  ): ApiError =>
    apiError(
      `InvalidParameter.${parameter}.TooWeak`,
      `The parameter - "${parameter}" is not compliant with the password policy.${unmet.length > 0 ? ` It needs: ${unmet.join('; ')}.` : ''}`,
    ),
  newPasswordTooWeak: (unmet: readonly string[] = []): ApiError => err.passwordTooWeak('NewPassword', unmet),
  /** One of the last N passwords (PasswordReusePrevention). The catalogue lists the NewPassword code. */
  passwordReused: (parameter: 'Password' | 'NewPassword', n: number): ApiError =>
    paramError(
      `InvalidParameter.${parameter}.ReusePrevention`,
      `The parameter - "${parameter}" must not be one of the last ${n} passwords.`,
    ),
  newPasswordReused: (n: number): ApiError => err.passwordReused('NewPassword', n),
  oldPasswordIncorrect: (): ApiError =>
    apiError('InvalidParameter.OldPassword.Incorrect', 'The parameter - "OldPassword" is incorrect.'),
  /**
   * A login profile locked by MaxLoginAttemps wrong passwords in a row (logon or ChangePassword).
   * The catalogue has no code of its own for it: Throttling.User, the documented refusal of a
   * caller that tried too often.
   */
  loginProfileLocked: (name: string): ApiError =>
    apiError(
      'Throttling.User',
      `Request was denied due to user flow control: too many wrong passwords, the login profile is locked for an hour: ${name}.`,
    ),

  // Console logon (docs/logon.md). The service documents no codes for its sign-in page: these
  // are Rampart's, in the catalogue's style; catalogue codes are used where one fits.
  /**
   * The one answer for every failed password logon, whatever the cause: no such account or
   * user, no or a disabled login profile, a wrong password, a locked logon. Nothing tells them apart.
   */
  logonFailed: (): ApiError =>
    apiErrorWithStatus(
      'AuthenticationFail.Logon',
      401,
      'The login name or password is incorrect, or the logon is not possible now.',
    ),
  /** LoginNetworkMasks of the security preference do not include the client's address. */
  logonNetworkDenied: (): ApiError =>
    apiErrorWithStatus(
      'Forbidden.LoginNetwork',
      403,
      'Console logon is not allowed from this network address (LoginNetworkMasks).',
    ),
  /** The password is older than MaxPasswordAge and HardExpiry is on: an administrator must reset it. */
  logonPasswordExpired: (): ApiError =>
    apiErrorWithStatus(
      'Forbidden.PasswordExpired',
      403,
      'The password has expired; an administrator must reset it (HardExpiry).',
    ),
  /** Too many failed logons from this address or for this login name: try again later. */
  logonThrottled: (retryAfterSeconds: number): ApiError =>
    apiError(
      'Throttling.User',
      `Request was denied due to user flow control: too many failed logons, try again in ${retryAfterSeconds} seconds.`,
    ),
  /** A step token that is unknown, expired, already used or for another step. */
  stepTokenInvalid: (): ApiError =>
    apiErrorWithStatus(
      'InvalidStepToken',
      401,
      'The step token is invalid, expired or already used; log on again.',
    ),
  /** No console session, or an expired or ended one. */
  sessionInvalid: (): ApiError =>
    apiErrorWithStatus('InvalidSession', 401, 'No valid console session; log on first.'),
  /** A state-changing logon call without the anti-forgery header or JSON body. */
  logonForgeryCheck: (): ApiError =>
    apiErrorWithStatus(
      'Forbidden.CrossSiteRequest',
      403,
      'A logon call must send Content-Type: application/json and the header X-Rampart-Logon: 1.',
    ),
  /** The root's logon locked by MaxLoginAttemps wrong passwords (ChangePassword of the root). */
  rootLocked: (): ApiError =>
    apiError(
      'Throttling.User',
      'Request was denied due to user flow control: too many wrong passwords, the root logon is locked for an hour.',
    ),

  accessKeyNotExist: (id: string): ApiError =>
    apiError('EntityNotExist.User.AccessKey', `The access key does not exist: ${id}.`),
  accessKeyLimit: (max: number): ApiError =>
    apiError(
      'LimitExceeded.User.AccessKey',
      `The count of access keys of the user beyond the current limits: ${max}.`,
    ),

  mfaDeviceNotExist: (serial: string): ApiError =>
    apiError('EntityNotExist.VirtualMFADevice', `The virtual MFA device does not exist: ${serial}.`),
  mfaDeviceExists: (name: string): ApiError =>
    apiError('EntityAlreadyExists.VirtualMFADevice', `The virtual MFA device already exists: ${name}.`),
  mfaDeviceLimit: (max: number): ApiError =>
    apiError(
      'LimitExceeded.VirtualMFADevice',
      `The count of virtual MFA devices beyond the current limits: ${max}.`,
    ),
  userMfaNotExist: (name: string): ApiError =>
    apiError('EntityNotExist.User.MFADevice', `The user has no MFA device bound: ${name}.`),
  userMfaExists: (name: string): ApiError =>
    apiError('EntityAlreadyExists.User.MFADevice', `The user already has an MFA device bound: ${name}.`),
  userOwnsMfaDevice: (name: string, serial: string): ApiError =>
    apiError(
      'EntityAlreadyExists.User.MFADevice',
      `The user already has a virtual MFA device of its own, bind or delete it first: ${name}, ${serial}.`,
    ),
  /** Self-service covers only the caller's own device: any other answers as without the preference. */
  mfaDeviceNotOwned: (): ApiError =>
    apiError('NoPermission', 'You are not authorized to do this action. You should be authorized by RAM.'),
  mfaDeviceBound: (serial: string): ApiError =>
    apiError(
      'EntityAlreadyExists.VirtualMFADevice.User',
      `The virtual MFA device is bound to a user: ${serial}.`,
    ),
  mfaDeviceDeleteConflict: (serial: string): ApiError =>
    apiError(
      'DeleteConflict.VirtualMFADevice.User',
      `The virtual MFA device is bound to a user, unbind it first: ${serial}.`,
    ),
  authCodeFormat: (): ApiError =>
    apiError(
      'InvalidParameter.AuthenticationCode.Format',
      'The parameter - "AuthenticationCode" MUST be 6 numbers.',
    ),
  rootMfaNotExist: (): ApiError =>
    apiError('EntityNotExist.User.MFADevice', 'The root has no MFA device bound.'),
  ownMfaNotExist: (): ApiError => apiError('EntityNotExist.User.MFADevice', 'You have no MFA device bound.'),
  rootMfaExists: (): ApiError =>
    apiError('EntityAlreadyExists.User.MFADevice', 'The root already has an MFA device bound.'),
  authCodeFail: (): ApiError =>
    apiError('CheckAuthenticationCodeFail', 'The authentication codes do not match the MFA device.'),

  groupNotExist: (name: string): ApiError =>
    apiError('EntityNotExist.Group', `The group does not exist: ${name}.`),
  groupExists: (name: string): ApiError =>
    apiError('EntityAlreadyExists.Group', `The group already exists: ${name}.`),
  groupLimit: (max: number): ApiError =>
    apiError('LimitExceeded.Group', `The count of groups beyond the current limits: ${max}.`),
  groupDeleteConflict: (what: 'User' | 'Policy', name: string): ApiError =>
    apiError(
      `DeleteConflict.Group.${what}`,
      what === 'User'
        ? `The group has members, remove them first: ${name}.`
        : `The group has policies attached, detach them first: ${name}.`,
    ),
  memberExists: (user: string, group: string): ApiError =>
    apiError(
      'EntityAlreadyExists.User.Group',
      `The user is already a member of the group: ${user}, ${group}.`,
    ),
  memberNotExist: (user: string, group: string): ApiError =>
    apiError('EntityNotExist.User.Group', `The user is not a member of the group: ${user}, ${group}.`),
  groupsPerUserLimit: (max: number): ApiError =>
    apiError(
      'LimitExceeded.User.Group',
      `The count of groups of the user beyond the current limits: ${max}.`,
    ),

  roleNotExist: (): ApiError => apiError('EntityNotExist.Role', 'The specified Role not exists.'),
  roleExists: (): ApiError => apiError('EntityAlreadyExists.Role', 'The role does already EXIST.'),
  roleLimit: (max: number): ApiError =>
    apiError('LimitExceeded.Role', `The count of roles beyond the current limits: ${max}.`),
  roleDeleteConflict: (name: string): ApiError =>
    apiError('DeleteConflict.Role.Policy', `The role has policies attached, detach them first: ${name}.`),

  policyNotExist: (name: string): ApiError =>
    apiError('EntityNotExist.Policy', `The policy does not exist: ${name}.`),
  policyExists: (name: string): ApiError =>
    apiError('EntityAlreadyExists.Policy', `The policy already exists: ${name}.`),
  policyLimit: (max: number): ApiError =>
    apiError('LimitExceeded.Policy', `The count of custom policies beyond the current limits: ${max}.`),
  versionNotExist: (name: string, v: string): ApiError =>
    apiError('EntityNotExist.Policy.Version', `The policy version does not exist: ${name}, ${v}.`),
  versionLimit: (max: number): ApiError =>
    apiError(
      'LimitExceeded.Policy.Version',
      `The count of versions of the policy beyond the current limits: ${max}.`,
    ),
  versionFormat: (): ApiError =>
    apiError('InvalidParameter.VersionId.Format', 'The parameter - "VersionId" is not of the form vN.'),
  deleteDefaultVersion: (name: string, v: string): ApiError =>
    apiError(
      'DeleteConflict.Policy.Version.Default',
      `The default version of the policy cannot be deleted: ${name}, ${v}.`,
    ),
  policyDeleteConflict: (what: 'User' | 'Group' | 'Role' | 'Version', name: string): ApiError =>
    apiError(
      `DeleteConflict.Policy.${what}`,
      what === 'Version'
        ? `The policy has versions other than the default one, delete them first: ${name}.`
        : `The policy is attached to some ${what.toLowerCase()}s, detach it first: ${name}.`,
    ),
  policyType: (): ApiError =>
    apiError('InvalidParameter.PolicyType', 'The parameter - "PolicyType" is incorrect.'),

  attachmentExists: (kind: 'User' | 'Group' | 'Role', policy: string, target: string): ApiError =>
    apiError(
      `EntityAlreadyExists.${kind}.Policy`,
      `The policy is already attached to the ${kind.toLowerCase()}: ${policy}, ${target}.`,
    ),
  attachmentNotExist: (kind: 'User' | 'Group' | 'Role', policy: string, target: string): ApiError =>
    apiError(
      `EntityNotExist.${kind}.Policy`,
      `The policy is not attached to the ${kind.toLowerCase()}: ${policy}, ${target}.`,
    ),
  attachmentLimit: (kind: 'User' | 'Group' | 'Role', type: 'System' | 'Custom', max: number): ApiError =>
    apiError(
      `LimitExceeded.${kind}.Policy`,
      `The count of ${type} policies attached to the ${kind.toLowerCase()} beyond the current limits: ${max}.`,
    ),

  /** Rampart's code (the reference lists none for IMS): a login name must name one account. */
  auxiliaryDomainTaken: (domain: string): ApiError =>
    apiErrorWithStatus(
      'EntityAlreadyExists.AuxiliaryDomain',
      409,
      `The auxiliary domain is already used by another account: ${domain}.`,
    ),
  aliasExists: (alias: string): ApiError =>
    apiError('EntityAlreadyExists.AccountAlias', `The account alias already exists: ${alias}.`),
  aliasLength: (): ApiError =>
    apiError(
      'InvalidParameter.AccountAlias.Length',
      'The parameter - "AccountAlias" MUST be in the range of 3 and 32.',
    ),
  aliasFormat: (): ApiError =>
    apiError(
      'InvalidParameter.AccountAlias.Format',
      'The parameter - "AccountAlias" may hold only lowercase letters, digits and single hyphens, not at either end.',
    ),
};
