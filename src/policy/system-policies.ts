/** Read-only System policies shipped with Rampart. */
import { SYSTEM_POLICY_DATA } from './system-policies.data.js';

export interface SystemPolicy {
  readonly name: string;
  readonly type: 'System';
  readonly description: string;
  /** The document as JSON text. */
  readonly document: string;
  readonly version: string;
  readonly createDate: string;
  readonly updateDate: string;
}

/** Catalogue date: the reference catalogue carries no dates; every entry uses this one. */
export const SYSTEM_POLICY_DATE = '2015-04-28T16:00:00Z';

const CATALOGUE: readonly SystemPolicy[] = Object.freeze(
  SYSTEM_POLICY_DATA.map((p) =>
    Object.freeze({
      name: p.name,
      type: 'System' as const,
      description: p.description,
      document: p.document,
      version: p.version,
      createDate: SYSTEM_POLICY_DATE,
      updateDate: SYSTEM_POLICY_DATE,
    }),
  ),
);

export function systemPolicies(): readonly SystemPolicy[] {
  return CATALOGUE;
}

export function findSystemPolicy(name: string): SystemPolicy | undefined {
  const lower = name.toLowerCase();
  return CATALOGUE.find((p) => p.name.toLowerCase() === lower);
}
