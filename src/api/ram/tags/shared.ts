import type { TaggableResourceType } from '../../../domain/index.js';
import { p } from '../../params.js';
import { arn } from '../arn.js';

/** `ResourceType` of the tag operations: `role` or `policy` (RAM tags only these two). */
export const resourceType = () => p.oneOf<TaggableResourceType>(['role', 'policy']);

export function resourceArn(accountId: string, type: TaggableResourceType, name: string): string {
  return type === 'role' ? arn.role(accountId, name) : arn.policy(accountId, 'Custom', name);
}
