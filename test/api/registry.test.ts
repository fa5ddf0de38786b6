import { describe, expect, it } from 'vitest';
import { defineAction } from '../../src/api/action.js';
import { ramActions } from '../../src/api/ram/index.js';
import { createRegistry, SERVICE_VERSIONS, serviceForVersion } from '../../src/api/registry.js';

const noop = (service: 'ram' | 'sts', name: string) =>
  defineAction({ service, name, params: { parse: () => ({}) }, handle: () => ({}) });

describe('createRegistry', () => {
  it('finds an action by Version, then by name', () => {
    const r = createRegistry([noop('ram', 'GetThing'), noop('sts', 'GetThing')]);
    expect(r.lookup('2015-05-01', 'GetThing')?.service).toBe('ram');
    expect(r.lookup('2015-04-01', 'GetThing')?.service).toBe('sts');
    expect(r.lookup('2019-08-15', 'GetThing')).toBeUndefined();
    expect(r.lookup('2015-05-01', 'getthing')).toBeUndefined();
    expect(r.lookup('1999-01-01', 'GetThing')).toBeUndefined();
  });

  it('refuses an action registered twice', () => {
    expect(() => createRegistry([noop('ram', 'A'), noop('ram', 'A')])).toThrow(
      'action ram:A is registered twice',
    );
  });

  it('serves every RAM action under 2015-05-01', () => {
    const r = createRegistry(ramActions);
    expect(ramActions.length).toBeGreaterThan(50);
    for (const def of ramActions) expect(r.lookup('2015-05-01', def.name)).toBe(def);
  });

  it('maps each version to its service', () => {
    for (const [service, version] of Object.entries(SERVICE_VERSIONS))
      expect(serviceForVersion(version)).toBe(service);
    expect(serviceForVersion(undefined)).toBeUndefined();
  });
});
