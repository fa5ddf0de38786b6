/** What the engine answers, in RAM's words, with the reasons. */

export type DecisionEffect = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export type PolicyLayer = 'control' | 'session' | 'identity' | 'trust' | 'resource';

/** Points at one statement of one policy. */
export interface StatementRef {
  readonly layer: PolicyLayer;
  /** Index of the policy within its layer (0-based). */
  readonly policy: number;
  /** For control policies: the level index (0 = member). */
  readonly level?: number;
  /** Statement index (0-based; a single statement object is 0). */
  readonly statement: number;
  readonly policyName?: string;
  readonly policyType?: 'System' | 'Custom';
  readonly policyVersion?: string;
  readonly sid?: string;
}

/** Why the nearest statement did not apply. */
export interface Miss {
  readonly statement: StatementRef;
  readonly effect: 'Allow' | 'Deny';
  /** action | resource | principal | condition */
  readonly reason: 'action' | 'resource' | 'principal' | 'condition';
  /** Human sentence, e.g. Condition IpAddress["acs:SourceIp"] failed: 10.1.1.1 is not in 192.0.2.0/24 */
  readonly detail: string;
}

export interface Decision {
  readonly decision: DecisionEffect;
  /** Allow: every matching Allow in the granting layers; ExplicitDeny: every matching Deny. */
  readonly decidedBy: readonly StatementRef[];
  /** ImplicitDeny only: the first layer (control, session, identity, trust, resource) without an Allow. */
  readonly missingAllowIn?: PolicyLayer;
  /** ImplicitDeny only: the closest statement that did not match, and why. */
  readonly nearestMiss?: Miss;
}
