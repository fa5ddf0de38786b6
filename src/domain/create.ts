import type { Sealer } from '../crypto/seal.js';
import type { ScryptParams } from '../crypto/password-hash.js';
import type { Store } from '../store/index.js';
import type { Domain, Quotas } from './index.js';
import { defaultQuotas, type DomainContext } from './context.js';
import { loadPolicyEngine, type PolicyEngine } from './policy-engine.js';
import { createAccounts } from './accounts.js';
import { createUsers } from './users.js';
import { createLoginProfiles } from './login-profiles.js';
import { createAccessKeys } from './access-keys.js';
import { createMfa } from './mfa.js';
import { createGroups } from './groups.js';
import { createRoles } from './roles.js';
import { createPolicies } from './policies.js';
import { createAttachments } from './attachments.js';
import { createPasswordPolicy } from './password-policy.js';
import { createSecurityPreference } from './security-preference.js';
import { createTags } from './tags.js';
import { createIdleCredentials } from './idle-credentials.js';
import { createSts } from './sts.js';
import { createWorkloads } from './workloads.js';
import { createSessions } from './sessions.js';
import { createLogon } from './logon.js';
import { createWebAuthn } from './webauthn.js';
import { createFederationProviders } from './federation-providers.js';
import { createSamlReplay } from './saml-replay.js';
import { createSsoSettings } from './sso-settings.js';
import { createUserTags } from './user-tags.js';
import { createAccountSummary } from './account-summary.js';
import { createCredentialReports } from './credential-report.js';
import { createResourceDirectory } from './resource-directory.js';
import { createControlPolicies } from './control-policies.js';

export interface CreateDomainOptions {
  readonly sealer: Sealer;
  /** Deployment-wide quota overrides (per-account ones live in the store). */
  readonly quotas?: Partial<Quotas>;
  readonly clock?: () => Date;
  /** scrypt cost of new password hashes (lower it only in tests). */
  readonly scrypt?: ScryptParams;
  /** The policy language; defaults to src/policy. */
  readonly policyEngine?: PolicyEngine;
}

/** Builds the domain over a store. */
export function createDomain(store: Store, opts: CreateDomainOptions): Domain {
  let engine: Promise<PolicyEngine> | undefined = opts.policyEngine
    ? Promise.resolve(opts.policyEngine)
    : undefined;
  const ctx: DomainContext = {
    store,
    sealer: opts.sealer,
    quotas: { ...defaultQuotas, ...opts.quotas },
    clock: opts.clock ?? (() => new Date()),
    scrypt: opts.scrypt,
    engine: () => {
      engine ??= loadPolicyEngine();
      return engine;
    },
  };
  const accounts = createAccounts(ctx);
  const loginProfiles = createLoginProfiles(ctx);
  const mfa = createMfa(ctx);
  const securityPreference = createSecurityPreference(ctx);
  const ssoSettings = createSsoSettings(ctx);
  const webauthn = createWebAuthn(ctx);
  const sessions = createSessions(ctx);
  const roles = createRoles(ctx);
  const attachments = createAttachments(ctx);
  return {
    accounts,
    users: createUsers(ctx),
    loginProfiles,
    accessKeys: createAccessKeys(ctx),
    mfa,
    groups: createGroups(ctx),
    roles,
    policies: createPolicies(ctx),
    attachments,
    passwordPolicy: createPasswordPolicy(ctx),
    securityPreference,
    tags: createTags(ctx),
    idleCredentials: createIdleCredentials(ctx),
    sts: createSts(ctx),
    workloads: createWorkloads(ctx),
    sessions,
    webauthn,
    logon: createLogon(ctx, {
      accounts,
      loginProfiles,
      mfa,
      securityPreference,
      sessions,
      ssoSettings,
      webauthn,
    }),
    federationProviders: createFederationProviders(ctx),
    ssoSettings,
    samlReplay: createSamlReplay(ctx),
    userTags: createUserTags(ctx),
    accountSummary: createAccountSummary(ctx),
    credentialReports: createCredentialReports(ctx),
    resourceDirectory: createResourceDirectory(ctx),
    controlPolicies: createControlPolicies(ctx),
  };
}
