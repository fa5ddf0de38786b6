import { defineAction } from '../../action.js';
import { decodeDiagnostic, HIDDEN_STATEMENT, type DiagnosticPolicy } from '../../diagnostic.js';
import { apiError } from '../../../errors.js';
import { p, params } from '../../params.js';

/** `user` / `group:<name>` / `role:<name>` / `session` / `control:<node>` as the entity type the model names. */
function entityType(attachedTo: string): string {
  const kind = attachedTo.split(':')[0] ?? '';
  switch (kind) {
    case 'user':
      return 'User';
    case 'group':
      return 'Group';
    case 'role':
      return 'Role';
    case 'session':
      return 'Session';
    case 'control':
      return 'ResourceDirectory';
    default:
      return kind;
  }
}

/**
 * `Account` for the policies of the principal's account; for a control policy, the node of the
 * resource directory it is attached to: `member`, `folder:<id>` or `root`.
 */
function attachedScope(attachedTo: string): string {
  return attachedTo.startsWith('control:') ? attachedTo.slice('control:'.length) : 'Account';
}

const matchedPolicyView = (m: DiagnosticPolicy) => ({
  PolicyIdentifier: m.PolicyName,
  PolicyType: m.PolicyType,
  PolicyVersion: m.PolicyVersion,
  Effect: m.Effect,
  AttachedEntityType: entityType(m.AttachedTo),
  AttachedScope: attachedScope(m.AttachedTo),
});

/**
 * With the Rampart parameter IncludeExplanation=true (the official SDKs never send it), each
 * policy also names its statement, whether it matched and why, and the nearest miss of an
 * implicit deny is listed with Matched=false. A control policy's statement is not named (it is
 * the management account's: HIDDEN_STATEMENT).
 */
const explainedPolicyView = (m: DiagnosticPolicy) => ({
  ...matchedPolicyView(m),
  ...(m.StatementIndex !== HIDDEN_STATEMENT ? { StatementIndex: m.StatementIndex } : {}),
  ...(m.StatementSid ? { StatementSid: m.StatementSid } : {}),
  Matched: m.Matched,
  Explanation: m.Explanation,
});

/**
 * Reveals the reason sealed into the EncodedDiagnosticMessage of a NoPermission answer, to
 * callers of the account the refused principal belongs to (others get InvalidParameter, as
 * for a message that was never issued).
 */
export default defineAction({
  service: 'ram',
  name: 'DecodeDiagnosticMessage',
  params: params({
    EncodedDiagnosticMessage: p.string(16384),
    IncludeExplanation: p.bool().optional(),
  }),
  authorize: () => ({ action: 'ram:DecodeDiagnosticMessage', resource: '*' }),
  handle: (req, { sealer }) => {
    const payload = decodeDiagnostic(sealer, req.params.EncodedDiagnosticMessage);
    if (payload.accountId !== req.accountId) {
      throw apiError('InvalidParameter', 'The parameter "EncodedDiagnosticMessage" is invalid.');
    }
    const m = payload.message;
    return {
      DecodedDiagnosticMessage: {
        ExplicitDeny: m.ExplicitDeny,
        NoPermissionPolicyType: m.NoPermissionPolicyType,
        AuthAction: m.AuthAction,
        AuthResource: m.AuthResource,
        AuthPrincipal: {
          AuthPrincipalType: m.AuthPrincipal.AuthPrincipalType,
          AuthPrincipalOwnerId: m.AuthPrincipal.AuthPrincipalOwnerId,
          AuthPrincipalDisplayName: m.AuthPrincipal.AuthPrincipalDisplayName,
        },
        AuthConditions: m.AuthConditions.map((c) => ({
          ConditionKey: c.ConditionKey,
          ConditionValues: [...c.ConditionValues],
        })),
        MatchedPolicies: req.params.IncludeExplanation
          ? m.MatchedPolicies.map(explainedPolicyView)
          : m.MatchedPolicies.filter((x) => x.Matched).map(matchedPolicyView),
        ...(req.params.IncludeExplanation ? { Explanation: m.Explanation } : {}),
      },
    };
  },
});
