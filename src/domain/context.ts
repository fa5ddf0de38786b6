import type { Sealer } from '../crypto/seal.js';
import type { ScryptParams } from '../crypto/password-hash.js';
import type { Store } from '../store/index.js';
import type { Quotas } from './index.js';
import type { PolicyEngine } from './policy-engine.js';

/** What every domain module shares. */
export interface DomainContext {
  readonly store: Store;
  readonly sealer: Sealer;
  /** Deployment-wide quotas (defaults merged with createDomain's overrides). */
  readonly quotas: Quotas;
  readonly clock: () => Date;
  readonly scrypt?: ScryptParams;
  /** The policy language (validation and System policies), loaded on first use. */
  readonly engine: () => Promise<PolicyEngine>;
}

/** Real-service defaults (reference limits.md, current edition). */
export const defaultQuotas: Quotas = {
  usersPerAccount: 5000,
  groupsPerAccount: 300,
  rolesPerAccount: 1000,
  customPoliciesPerAccount: 1500,
  virtualMFADevicesPerAccount: 5000,
  groupsPerUser: 10,
  accessKeysPerUser: 2,
  accessKeysPerRoot: 2,
  systemPoliciesPerIdentity: 20,
  customPoliciesPerIdentity: 10,
  versionsPerPolicy: 5,
  tagsPerResource: 20,
};
