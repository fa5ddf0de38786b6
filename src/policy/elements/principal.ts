/** Principal (resource-based policies only; S11, section 2.4). */
import type { PrincipalSpec, PrincipalType } from '../document.js';
import { childPath, indexPath, isJsonObject, type JsonValue } from '../json.js';
import { readStringList, report, show, type Sink } from './common.js';

const TYPES: readonly PrincipalType[] = ['RAM', 'Service', 'Federated'];
const RAM_ARN = /^acs:ram::[^:]+:(?:root|user\/.+|role\/.+)$/i;
const FEDERATED_ARN = /^acs:ram::[^:]+:(?:saml-provider|oidc-provider)\/.+$/i;
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

function checkTyped(type: PrincipalType, s: string): string | undefined {
  if (type === 'RAM' && !RAM_ARN.test(s))
    return `${JSON.stringify(s)} is not a RAM principal: expected acs:ram::<account-id>:root, :user/<name> or :role/<name>`;
  if (type === 'Federated' && !FEDERATED_ARN.test(s))
    return `${JSON.stringify(s)} is not an identity provider: expected acs:ram::<account-id>:saml-provider/<name> or :oidc-provider/<name>`;
  if (type === 'Service' && !SERVICE.test(s))
    return `${JSON.stringify(s)} is not a cloud service name such as "ecs.aliyuncs.com"`;
  return undefined;
}

/** kind 'trust': typed form only; kind 'oss-bucket': list form (typed form accepted too). */
export function readPrincipal(
  v: JsonValue | undefined,
  path: string,
  kind: 'trust' | 'oss-bucket',
  sink: Sink,
): PrincipalSpec | undefined {
  const p = `${path}.Principal`;
  if (v === undefined) {
    report(sink, 'MissingPrincipal', path, 'A statement of this policy needs a Principal');
    return undefined;
  }
  if (isJsonObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) {
      report(sink, 'InvalidPrincipal', p, 'Principal must name at least one of RAM, Service, Federated');
      return undefined;
    }
    const entries: { type: PrincipalType; values: string[] }[] = [];
    for (const key of keys) {
      const kp = childPath(p, key);
      if (!(TYPES as readonly string[]).includes(key)) {
        report(
          sink,
          'InvalidPrincipal',
          kp,
          `Unknown principal type ${JSON.stringify(key)}; expected RAM, Service or Federated`,
        );
        continue;
      }
      const raw = v[key] as JsonValue;
      const { values } = readStringList(
        raw,
        kp,
        `Principal.${key}`,
        sink,
        'InvalidPrincipal',
        'InvalidPrincipal',
      );
      const good: string[] = [];
      values.forEach((s, i) => {
        const problem = kind === 'trust' ? checkTyped(key as PrincipalType, s) : undefined;
        if (problem) report(sink, 'InvalidPrincipal', Array.isArray(raw) ? indexPath(kp, i) : kp, problem);
        else good.push(s);
      });
      entries.push({ type: key as PrincipalType, values: good });
    }
    return { form: 'typed', entries };
  }
  if (kind === 'trust') {
    report(sink, 'InvalidPrincipal', p, `Principal must be an object such as {"RAM": [...]}, not ${show(v)}`);
    return undefined;
  }
  const { values } = readStringList(v, p, 'Principal', sink, 'InvalidPrincipal', 'InvalidPrincipal');
  return { form: 'list', values };
}
