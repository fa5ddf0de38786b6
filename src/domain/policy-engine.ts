import { policyError, systemPolicies } from '../policy/index.js';

/**
 * The part of the policy language the domain needs: document validation and the catalogue
 * of System policies. It comes from src/policy; createDomain accepts a replacement.
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

export type DocumentKind = 'permission' | 'trust' | 'session';
export type DocumentArrival =
  'CreatePolicy' | 'CreatePolicyVersion' | 'CreateRole' | 'UpdateRole' | 'AssumeRole';

export interface PolicyEngine {
  /** The first error as the API answers it, or undefined for a valid document. */
  policyError(text: string, kind: DocumentKind, where: DocumentArrival): PolicyIssueShape | undefined;
  systemPolicies(): readonly SystemPolicyShape[];
}

/** The engine of src/policy. */
export async function loadPolicyEngine(): Promise<PolicyEngine> {
  return {
    policyError: (text, kind, where) => policyError(text, kind, where),
    systemPolicies: () => systemPolicies(),
  };
}
