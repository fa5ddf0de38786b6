/**
 * What the request path needs from the rest of the system. The composition root
 * (src/server.ts) builds one Services object from the store and hands it to the
 * pipeline; handlers receive it as their second argument.
 *
 * The domain implements these interfaces (src/domain/services.ts); authentication and the
 * api layer depend on this file only, so neither the domain nor authentication imports
 * anything from src/api.
 */
import type { Principal } from '../auth/principal.js';
import type { SessionClaims, TokenReader } from '../auth/sts-token.js';
import type { PolicyInput } from '../policy/request.js';
import type { Sealer } from '../crypto/seal.js';
import type { Domain } from './index.js';
import type { EntityNames } from './names.js';
import type { LookupPage, LookupQuery } from '../audit/query.js';
import type { ControlPath } from './resource-directory.js';

/** An AccessKey as signature verification needs it. */
export interface SigningKey {
  readonly accessKeyId: string;
  /** The secret, unsealed; only ever held in memory for the HMAC. */
  readonly secret: string;
  readonly status: 'Active' | 'Inactive';
  /** Root of the account, or a RAM user. */
  readonly principal: Principal;
  /** The account's permissions version, read with the key (see PolicyResolver). */
  readonly permissionsVersion?: number;
  /** Temporary credentials: the claims of their security token. */
  readonly session?: SessionClaims;
}

/** The principal behind temporary credentials, as it stands now. */
export interface SessionPrincipal {
  readonly principal: Principal;
  readonly permissionsVersion: number;
}

export interface CredentialLookup {
  /** The key, whatever its status; undefined when no such key exists (or its owner was deleted). */
  findSigningKey(accessKeyId: string): Promise<SigningKey | undefined>;
  /**
   * The principal of temporary credentials, read from the store in one hot read: undefined when
   * it no longer exists (the role was deleted, even if one of the same name was created since;
   * the user was deleted; the logon session ended).
   */
  findSessionPrincipal(claims: SessionClaims): Promise<SessionPrincipal | undefined>;
}

export interface NonceStore {
  /**
   * Records a SignatureNonce for an AccessKey. Returns false when the same key already used
   * the nonce within its lifetime. Seen by every node (it lives in the store).
   */
  claim(accessKeyId: string, nonce: string, expiresAt: Date): Promise<boolean>;
}

export interface PolicyResolver {
  /**
   * The identity policies of a principal: a RAM user's own and those of each of its
   * groups, or a role's. Documents are the default versions. Empty for Root.
   */
  identityPolicies(principal: Principal): Promise<readonly PolicyInput[]>;
  /**
   * Increases whenever any permission in the account changes (attach, detach, new
   * default version, membership, deletion). The authorizer keys its compiled cache on it.
   */
  permissionsVersion(accountId: string): Promise<number>;
  /**
   * The control policies of the account's Resource Directory path, one level per node from
   * the member up to Root (none when the account is in no directory, the directory has control
   * policies disabled, or it is the management account, which they never govern). Changes
   * increase the permissions version of every account of the directory.
   */
  controlPath?(accountId: string): Promise<ControlPath>;
}

/** A role as assuming it needs it. */
export interface TrustedRole {
  readonly accountId: string;
  readonly roleId: string;
  /** The stored name. */
  readonly roleName: string;
  readonly maxSessionDuration: number;
  /** The trust policy (AssumeRolePolicyDocument). */
  readonly trustPolicy: string;
}

export interface RoleLookup {
  /** The role of this name (any case) in an account; undefined when there is none. */
  findRole(accountId: string, roleName: string): Promise<TrustedRole | undefined>;
}

/** The audit trail as the request path reads it (LookupEvents). */
export interface AuditTrailReader {
  lookup(q: LookupQuery): Promise<LookupPage>;
  /** Seals a page token's text under the master key: the caller can neither read nor alter it. */
  sealPageToken(text: string): string;
  /** The text of a token sealPageToken made (on any node); undefined for anything else. */
  openPageToken(token: string): string | undefined;
}

/** OSS buckets with their bucket policies, as access analysis reads them. */
export interface BucketPolicyReader {
  list(accountId: string): Promise<readonly { readonly name: string; readonly policy: string | null }[]>;
  find(
    name: string,
  ): Promise<
    { readonly name: string; readonly accountId: string; readonly policy: string | null } | undefined
  >;
}

export interface Services {
  readonly credentials: CredentialLookup;
  readonly nonces: NonceStore;
  /** Opens the security tokens of temporary credentials. */
  readonly tokens: TokenReader;
  readonly policies: PolicyResolver;
  /** Stored spellings of entity names, for the ARNs authorization decides on. */
  readonly names: EntityNames;
  /** Roles with their trust policies (sts:AssumeRole). */
  readonly roles: RoleLookup;
  readonly sealer: Sealer;
  readonly domain: Domain;
  /** Absent where no audit trail is kept (domain-only tests). */
  readonly auditTrail?: AuditTrailReader;
  /** Absent where no OSS data plane is kept (domain-only tests). */
  readonly buckets?: BucketPolicyReader;
}
