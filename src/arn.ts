/**
 * Every ARN Rampart writes, built in one place. Two families, as the service has them:
 *
 * - resource ARNs, what an action is authorized against:
 *   `acs:ram:*:<accountId>:<type>/<name>` with the entity's stored name in its stored case
 *   (a documented control policy denies `role/ResourceDirectoryAccountAccessRole` in mixed
 *   case), System policies as `acs:ram:*:system:policy/<catalogue name>`;
 * - identity ARNs, how principals and entities are named in answers and in trust policies:
 *   `acs:ram::<accountId>:root`, `...:user/<name>`, `...:role/<name in lower case>`
 *   (the role ARN the service returns), `...:mfa/<name>` (a virtual MFA serial number).
 *
 * Callers never concatenate ARNs themselves; for an existing entity they pass the name read
 * from the store, never the caller's spelling.
 */

import { asciiLowerCase } from './text.js';

/** The RAM resource types an action names. */
export type RamResourceType =
  'user' | 'group' | 'role' | 'policy' | 'mfa' | 'saml-provider' | 'oidc-provider';

/** `acs:ram:*:<accountId>:<type>/<name>`: the resource an action on an entity is authorized against. */
export function ramResourceArn(accountId: string, type: RamResourceType, name: string): string {
  return `acs:ram:*:${accountId}:${type}/${name}`;
}

/** `acs:ram:*:system:policy/<name>`: a System policy belongs to no account. */
export function systemPolicyArn(policyName: string): string {
  return `acs:ram:*:system:policy/${policyName}`;
}

/** `acs:ram:*:<accountId>:<type>/*`: every resource of one type (list operations). */
export function ramCollectionArn(accountId: string, type: RamResourceType): string {
  return `acs:ram:*:${accountId}:${type}/*`;
}

/** `acs:ram:*:<accountId>:*`: account-wide settings (alias, password policy, security preference). */
export function ramAccountArn(accountId: string): string {
  return `acs:ram:*:${accountId}:*`;
}

/** `acs:ram::<accountId>:root`. */
export function rootArn(accountId: string): string {
  return `acs:ram::${accountId}:root`;
}

/** `acs:ram::<accountId>:user/<name>`. */
export function userArn(accountId: string, userName: string): string {
  return `acs:ram::${accountId}:user/${userName}`;
}

/** `acs:ram::<accountId>:role/<name>`, the name in lower case as the service returns it. */
export function roleArn(accountId: string, roleName: string): string {
  return `acs:ram::${accountId}:role/${asciiLowerCase(roleName)}`;
}

/**
 * `acs:ram::<accountId>:role/<name>` with the stored name in its stored case: the same role as
 * `roleArn`, as a policy written with the role's own spelling names it (see `alsoAs` of a
 * resolved target).
 */
export function roleArnAsStored(accountId: string, storedRoleName: string): string {
  return `acs:ram::${accountId}:role/${storedRoleName}`;
}

/** `acs:ram::<accountId>:assumed-role/<role>/<session>`: a role session. */
export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `acs:ram::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

/** `acs:ram::<accountId>:mfa/<name>`: the serial number of a virtual MFA device. */
export function mfaSerialNumber(accountId: string, deviceName: string): string {
  return `acs:ram::${accountId}:mfa/${deviceName}`;
}

/** `acs:ram::<accountId>:saml-provider/<name>` or `...:oidc-provider/<name>`: an identity provider (IMS). */
export function identityProviderArn(accountId: string, kind: 'saml' | 'oidc', name: string): string {
  return `acs:ram::${accountId}:${kind}-provider/${name}`;
}

/** The device name of a serial number of this account; undefined when it is not one. */
export function mfaDeviceNameOf(accountId: string, serialNumber: string): string | undefined {
  const prefix = `acs:ram::${accountId}:mfa/`;
  return serialNumber.startsWith(prefix) && serialNumber.length > prefix.length
    ? serialNumber.slice(prefix.length)
    : undefined;
}

/** The account segment of an ARN (`acs:<service>:<region>:<account>:<resource>`). */
export function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 5 ? parts[3] : undefined;
}

/**
 * `acs:oss:*:<accountId>:<bucket>[/<key>]`: an OSS bucket or object, owned by the bucket's
 * account (from the stored bucket); `acs:oss:*:<accountId>:*` without a bucket (ListBuckets).
 */
export function ossArn(accountId: string, bucket?: string, key?: string): string {
  if (bucket === undefined) return `acs:oss:*:${accountId}:*`;
  return key === undefined ? `acs:oss:*:${accountId}:${bucket}` : `acs:oss:*:${accountId}:${bucket}/${key}`;
}
