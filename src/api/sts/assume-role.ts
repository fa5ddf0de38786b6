import { defineAction } from '../action.js';
import { p, params } from '../params.js';
import { parseRoleArn } from '../../domain/sts.js';
import { apiError } from '../../errors.js';
import { sts } from './params.js';
import { credentialsView } from './views.js';

export default defineAction({
  service: 'sts',
  name: 'AssumeRole',
  params: params({
    RoleArn: p.string().then((arn) => ({ arn, ...parseRoleArn(arn) })),
    RoleSessionName: sts.roleSessionName(),
    DurationSeconds: sts.durationSeconds().optional(),
    Policy: sts.sessionPolicy().optional(),
    ExternalId: sts.externalId().optional(),
    SourceIdentity: sts.sourceIdentity().optional(),
  }),
  // The caller's own policies must allow sts:AssumeRole on the role, and the role's trust
  // policy must trust the caller (with sts:ExternalId and sts:SourceIdentity when given).
  authorize: (req) => ({
    action: 'sts:AssumeRole',
    resource: {
      kind: 'entity',
      accountId: req.params.RoleArn.accountId,
      type: 'role',
      name: req.params.RoleArn.roleName,
    },
    trustPolicy: true,
    context: {
      ...(req.params.ExternalId !== undefined
        ? { 'sts:ExternalId': { type: 'String' as const, values: [req.params.ExternalId] } }
        : {}),
      ...(req.params.SourceIdentity !== undefined
        ? { 'sts:SourceIdentity': { type: 'String' as const, values: [req.params.SourceIdentity] } }
        : {}),
    },
  }),
  handle: async (req, { domain, roles }) => {
    const { accountId, roleName } = req.params.RoleArn;
    const role = await roles.findRole(accountId, roleName);
    // Deleted after it was authorized: the same answer as a role that never existed.
    if (!role) {
      throw apiError('EntityNotExist.Role', 'The role does not exist.');
    }
    const mfa = req.context['acs:MFAPresent'];
    const assumed = await domain.sts.assumeRole({
      caller: req.principal,
      role,
      sessionName: req.params.RoleSessionName,
      durationSeconds: req.params.DurationSeconds,
      policy: req.params.Policy,
      sourceIdentity: req.params.SourceIdentity,
      mfaPresent: mfa?.values[0] === true,
    });
    return {
      Credentials: credentialsView(assumed.credentials),
      AssumedRoleUser: { Arn: assumed.arn, AssumedRoleId: assumed.assumedRoleId },
      ...(req.params.SourceIdentity !== undefined ? { SourceIdentity: req.params.SourceIdentity } : {}),
    };
  },
});
