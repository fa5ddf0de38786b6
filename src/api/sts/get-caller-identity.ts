import { defineAction } from '../action.js';
import { params } from '../params.js';
import { principalArn } from '../../auth/principal.js';

/** Who is calling; any authenticated caller may ask (no authorization). */
export default defineAction({
  service: 'sts',
  name: 'GetCallerIdentity',
  params: params({}),
  handle: (req) => {
    const p = req.principal;
    const arn = principalArn(p);
    switch (p.type) {
      case 'RAMUser':
        return {
          AccountId: p.accountId,
          UserId: p.userId,
          PrincipalId: p.userId,
          Arn: arn,
          IdentityType: 'RAMUser',
        };
      case 'AssumedRole':
        return {
          AccountId: p.accountId,
          RoleId: p.roleId,
          PrincipalId: `${p.roleId}:${p.sessionName}`,
          Arn: arn,
          IdentityType: 'AssumedRoleUser',
        };
      default:
        return {
          AccountId: p.accountId,
          UserId: p.accountId,
          PrincipalId: p.accountId,
          Arn: arn,
          IdentityType: 'Account',
        };
    }
  },
});
