/** Every STS 2015-04-01 action. */
import type { AnyActionDefinition } from '../registry.js';
import assumeRole from './assume-role.js';
import assumeRoleWithOidc from './assume-role-with-oidc.js';
import assumeRoleWithSaml from './assume-role-with-saml.js';
import getCallerIdentity from './get-caller-identity.js';

export const stsActions: readonly AnyActionDefinition[] = [
  assumeRole,
  assumeRoleWithSaml,
  assumeRoleWithOidc,
  getCallerIdentity,
];
