/** Every STS 2015-04-01 action. */
import type { AnyActionDefinition } from '../registry.js';
import assumeRole from './assume-role.js';
import { assumeRoleWithOidc, assumeRoleWithSaml } from './federation.js';
import getCallerIdentity from './get-caller-identity.js';

export const stsActions: readonly AnyActionDefinition[] = [
  assumeRole,
  assumeRoleWithSaml,
  assumeRoleWithOidc,
  getCallerIdentity,
];
