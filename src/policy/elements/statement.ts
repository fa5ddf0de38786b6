/** One statement: its elements, checked for the policy kind (S5-S18, table 1.2). */
import type { PolicyKind, Statement } from '../document.js';
import { childPath, isJsonObject, type JsonValue, type NumberTexts } from '../json.js';
import { readAction } from './action.js';
import { report, show, type Sink } from './common.js';
import { readCondition } from './condition.js';
import { readEffect } from './effect.js';
import { readPrincipal } from './principal.js';
import { readResource } from './resource.js';

const ELEMENTS = [
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'Condition',
];

export function readStatement(
  v: JsonValue,
  index: number,
  path: string,
  kind: PolicyKind,
  sink: Sink,
  numberTexts: NumberTexts = new Map(),
): Statement {
  if (!isJsonObject(v)) {
    report(sink, 'InvalidStatement', path, `A statement must be an object, not ${show(v)}`);
    return {
      index,
      path,
      effect: 'Deny',
      action: undefined,
      resource: undefined,
      principal: undefined,
      conditions: [],
      broken: 'not an object',
    };
  }
  for (const key of Object.keys(v)) {
    if (!ELEMENTS.includes(key)) {
      report(
        sink,
        'UnknownElement',
        childPath(path, key),
        `Unknown statement element ${JSON.stringify(key)}; elements are ${ELEMENTS.join(', ')} (exact case)`,
      );
    }
  }
  let sid: string | undefined;
  if (v.Sid !== undefined) {
    if (typeof v.Sid === 'string') sid = v.Sid;
    else report(sink, 'InvalidStatement', `${path}.Sid`, `Sid must be a string, not ${show(v.Sid)}`);
  }
  const effect = readEffect(v.Effect, `${path}.Effect`, sink);
  const trust = kind === 'trust';
  const action = readAction(v.Action, v.NotAction, path, trust, sink);
  const resourceBased = kind === 'trust' || kind === 'oss-bucket';
  const resource = readResource(v.Resource, v.NotResource, path, !trust, !trust, sink);
  let principal;
  if (resourceBased) principal = readPrincipal(v.Principal, path, kind, sink);
  else if (v.Principal !== undefined) {
    report(
      sink,
      'PrincipalNotAllowed',
      `${path}.Principal`,
      `Principal is allowed only in trust policies and bucket policies, not in a ${kind} policy`,
    );
  }
  const conditions = v.Condition === undefined ? [] : readCondition(v.Condition, path, sink, numberTexts);
  let broken: string | undefined;
  if (effect === undefined) broken = 'no valid Effect';
  else if (action === undefined) broken = 'no valid Action';
  else if (conditions === undefined) broken = 'Condition is not an object';
  else if (resourceBased && principal === undefined) broken = 'no valid Principal';
  const statement: Statement = {
    index,
    path,
    ...(sid === undefined ? {} : { sid }),
    effect: effect ?? 'Deny',
    action,
    resource,
    principal,
    conditions: conditions ?? [],
  };
  return broken === undefined ? statement : { ...statement, broken };
}
