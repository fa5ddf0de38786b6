import type { TaggableResourceType } from '../../../domain/index.js';
import { p } from '../../params.js';
import type { EntityRef } from '../../action.js';
import { ramResource } from '../resources.js';

/** `ResourceType` of the tag operations: `role` or `policy` (RAM tags only these two). */
export const resourceType = () => p.oneOf<TaggableResourceType>(['role', 'policy']);

export function taggedResource(accountId: string, type: TaggableResourceType, name: string): EntityRef {
  return type === 'role' ? ramResource.role(accountId, name) : ramResource.policy(accountId, 'Custom', name);
}
