/** Resource / NotResource: "*" or acs:<service>:<region>:<account>:<relative-id> (S9, S10). */
import type { PatternList } from '../document.js';
import { indexPath, type JsonValue } from '../json.js';
import { readStringList, report, type Sink } from './common.js';

export function isResourcePattern(s: string): boolean {
  if (s === '*') return true;
  return s.startsWith('acs:') && s.split(':').length >= 5;
}

export function readResource(
  resource: JsonValue | undefined,
  notResource: JsonValue | undefined,
  path: string,
  required: boolean,
  allowed: boolean,
  sink: Sink,
): PatternList | undefined {
  if (!allowed) {
    if (resource !== undefined || notResource !== undefined) {
      const el = resource !== undefined ? 'Resource' : 'NotResource';
      report(
        sink,
        'ResourceNotAllowed',
        `${path}.${el}`,
        `A trust policy has no ${el}: the resource is the role itself`,
      );
    }
    return undefined;
  }
  if (resource !== undefined && notResource !== undefined) {
    report(
      sink,
      'ResourceAndNotResource',
      `${path}.NotResource`,
      'A statement has either Resource or NotResource, not both',
    );
    return { negated: false, patterns: [] };
  }
  if (resource === undefined && notResource === undefined) {
    if (required)
      report(sink, 'MissingResource', path, 'A statement of this policy needs Resource or NotResource');
    return required ? { negated: false, patterns: [] } : undefined;
  }
  const negated = resource === undefined;
  const element = negated ? 'NotResource' : 'Resource';
  const v = (negated ? notResource : resource) as JsonValue;
  const p = `${path}.${element}`;
  const { values } = readStringList(v, p, element, sink, 'InvalidResource', 'InvalidResource');
  values.forEach((s) => {
    if (!isResourcePattern(s)) {
      const at = Array.isArray(v) ? indexPath(p, v.indexOf(s)) : p;
      report(
        sink,
        'InvalidResource',
        at,
        `${JSON.stringify(s)} is not a resource: expected "*" or an ARN acs:<service>:<region>:<account>:<resource>`,
      );
    }
  });
  return { negated, patterns: values.filter(isResourcePattern) };
}
