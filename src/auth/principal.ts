import { assumedRoleArn, rootArn, userArn } from '../arn.js';

/**
 * Who is calling. Established by authentication, read by authorization and handlers.
 * Every principal belongs to exactly one account.
 */
export type Principal =
  /** An unsigned call to an action that allows it (federated sign-in); it belongs to no account yet. */
  | { readonly type: 'Anonymous'; readonly accountId: '' }
  | {
      readonly type: 'Root';
      readonly accountId: string;
      readonly accessKeyId?: string;
      readonly logonSession?: string;
      readonly workload?: string;
    }
  | {
      readonly type: 'RAMUser';
      readonly accountId: string;
      readonly userId: string;
      readonly userName: string;
      readonly accessKeyId?: string;
      readonly logonSession?: string;
      readonly workload?: string;
    }
  | {
      readonly type: 'AssumedRole';
      readonly accountId: string;
      readonly roleId: string;
      readonly roleName: string;
      readonly sessionName: string;
      readonly accessKeyId: string;
      /** The session policy document text, when the session was created with one. */
      readonly sessionPolicy?: string;
      readonly logonSession?: string;
      readonly workload?: string;
    };
// `logonSession`: the console session (SHA-256 of its id) the caller's temporary credentials were
// drawn from; `workload`: the workload binding that issued them. They end with it, and so do
// credentials they obtain (AssumeRole, chained or not). Never shown.

export type PrincipalType = Principal['type'];

/** The ARN of a principal as the policy engine and audit events name it. */
export function principalArn(p: Principal): string {
  switch (p.type) {
    case 'Anonymous':
      return '*';
    case 'Root':
      return rootArn(p.accountId);
    case 'RAMUser':
      return userArn(p.accountId, p.userName);
    case 'AssumedRole':
      return assumedRoleArn(p.accountId, p.roleName, p.sessionName);
  }
}
