/**
 * The part of the policy language the domain needs: document validation and the catalogue
 * of System policies. It comes from src/policy (loaded lazily so that the domain can be
 * built and tested on its own); createDomain accepts a replacement.
 */
export interface PolicyIssueShape {
  readonly code: string;
  readonly message: string;
}

export interface SystemPolicyShape {
  readonly name: string;
  readonly description: string;
  readonly document: string;
  readonly version: string;
  readonly createDate: string;
  readonly updateDate: string;
}

export type DocumentKind = 'permission' | 'trust';
export type DocumentArrival = 'CreatePolicy' | 'CreatePolicyVersion' | 'CreateRole' | 'UpdateRole';

export interface PolicyEngine {
  /** The first error as the API answers it, or undefined for a valid document. */
  policyError(text: string, kind: DocumentKind, where: DocumentArrival): PolicyIssueShape | undefined;
  systemPolicies(): readonly SystemPolicyShape[];
}

/** Loads src/policy/index.js. */
export async function loadPolicyEngine(): Promise<PolicyEngine> {
  // A computed specifier: the policy package is built alongside and may not exist at compile time.
  const specifier = '../policy/index.js';
  const mod = (await import(specifier)) as {
    policyError: (text: string, kind: string, where?: string) => PolicyIssueShape | undefined;
    systemPolicies: () => readonly SystemPolicyShape[];
  };
  return {
    policyError: (text, kind, where) => mod.policyError(text, kind, where),
    systemPolicies: () => mod.systemPolicies(),
  };
}
