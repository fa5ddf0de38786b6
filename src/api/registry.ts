import type { ActionDefinition, ServiceName } from './action.js';

/**
 * The action registry: service by Version, then action by name. Services register lists
 * of action definitions; the dispatcher only ever asks the registry.
 */

// Definitions are checked for their own parameter type where they are written; the
// registry holds them side by side, whatever that type is.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActionDefinition = ActionDefinition<any, object>;

/** The API version each service answers to. */
export const SERVICE_VERSIONS: Readonly<Record<ServiceName, string>> = {
  ram: '2015-05-01',
  ims: '2019-08-15',
  sts: '2015-04-01',
  resourcemanager: '2020-03-31',
  actiontrail: '2020-07-06',
  rampart: '2026-12-01',
};

/** Host names the real service answers from; errors carry them as HostId. */
export const SERVICE_HOSTS: Readonly<Record<ServiceName, string>> = {
  ram: 'ram.aliyuncs.com',
  ims: 'ims.aliyuncs.com',
  sts: 'sts.aliyuncs.com',
  resourcemanager: 'resourcemanager.aliyuncs.com',
  actiontrail: 'actiontrail.aliyuncs.com',
  rampart: 'rampart',
};

/** Product names as the troubleshooting link (Recommend) spells them. */
export const SERVICE_PRODUCTS: Readonly<Record<ServiceName, string>> = {
  ram: 'Ram',
  ims: 'Ims',
  sts: 'Sts',
  resourcemanager: 'ResourceManager',
  actiontrail: 'Actiontrail',
  rampart: 'Rampart',
};

const BY_VERSION = new Map<string, ServiceName>(
  (Object.entries(SERVICE_VERSIONS) as [ServiceName, string][]).map(([s, v]) => [v, s]),
);

export function serviceForVersion(version: string | undefined): ServiceName | undefined {
  return version === undefined ? undefined : BY_VERSION.get(version);
}

export interface Registry {
  /** The definition for a Version and an Action; undefined when either is unknown. */
  lookup(version: string, action: string): AnyActionDefinition | undefined;
  /** Every registered definition. */
  list(): readonly AnyActionDefinition[];
}

export function createRegistry(definitions: readonly AnyActionDefinition[]): Registry {
  const byService = new Map<ServiceName, Map<string, AnyActionDefinition>>();
  for (const def of definitions) {
    let actions = byService.get(def.service);
    if (!actions) byService.set(def.service, (actions = new Map()));
    if (actions.has(def.name)) throw new Error(`action ${def.service}:${def.name} is registered twice`);
    actions.set(def.name, def);
  }
  return {
    lookup(version, action) {
      const service = BY_VERSION.get(version);
      return service ? byService.get(service)?.get(action) : undefined;
    },
    list: () => definitions,
  };
}
