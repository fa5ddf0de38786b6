/** Action / NotAction: "*" or <ram-code>:<action-name>, wildcards anywhere (S7, S8, S18). */
import type { PatternList } from '../document.js';
import { indexPath, type JsonValue } from '../json.js';
import { readStringList, report, type Sink } from './common.js';

/** True when the text is "*" or has a non-empty ram-code (no ":") and a non-empty action name. */
export function isActionPattern(s: string): boolean {
  if (s === '*') return true;
  const colon = s.indexOf(':');
  return colon > 0 && colon < s.length - 1 && s.indexOf(':', colon + 1) < 0;
}

export function readAction(
  action: JsonValue | undefined,
  notAction: JsonValue | undefined,
  path: string,
  trust: boolean,
  sink: Sink,
): PatternList | undefined {
  if (action !== undefined && notAction !== undefined) {
    report(
      sink,
      'ActionAndNotAction',
      `${path}.NotAction`,
      'A statement has either Action or NotAction, not both',
    );
    return undefined;
  }
  if (action === undefined && notAction === undefined) {
    report(sink, 'MissingAction', path, 'A statement needs Action or NotAction');
    return undefined;
  }
  const negated = action === undefined;
  const element = negated ? 'NotAction' : 'Action';
  const v = (negated ? notAction : action) as JsonValue;
  const p = `${path}.${element}`;
  const { values, ok } = readStringList(v, p, element, sink, 'EmptyAction', 'InvalidAction');
  let good = ok;
  values.forEach((s) => {
    const at = Array.isArray(v) ? indexPath(p, v.indexOf(s)) : p;
    if (!isActionPattern(s)) {
      report(
        sink,
        'InvalidAction',
        at,
        `${JSON.stringify(s)} is not an action: expected "*" or <service>:<action>, e.g. "ecs:DescribeInstances"`,
      );
      good = false;
    } else if (trust && s.toLowerCase() !== 'sts:assumerole') {
      report(
        sink,
        'InvalidTrustAction',
        at,
        `A trust policy allows only "sts:AssumeRole", not ${JSON.stringify(s)}`,
      );
      good = false;
    }
  });
  if (trust && negated) {
    report(
      sink,
      'InvalidTrustAction',
      p,
      'A trust policy names its action with Action: "sts:AssumeRole", not NotAction',
    );
    good = false;
  }
  const patterns = values.filter(isActionPattern);
  if (!good && patterns.length === 0) return undefined;
  return { negated, patterns };
}
