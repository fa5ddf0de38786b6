/**
 * Warnings for documents that are legal but risky or pointless (they never block a write).
 * Rules are conservative: each fires only when the problem is certain from the text alone.
 */
import type { PolicyKind, Statement } from './document.js';
import { parsePolicyDocument } from './parse.js';
import type { LintRule, PolicyIssue } from './validate.js';

/** RAM service codes known to Rampart: the system policy catalogue's plus common ones. */
export const KNOWN_SERVICES: ReadonlySet<string> = new Set([
  'accessanalyzer',
  'accountcenter',
  'acm',
  'acms',
  'actiontrail',
  'adb',
  'adbaps',
  'alb',
  'alidns',
  'apig',
  'arms',
  'bss',
  'bssapi',
  'cas',
  'cdn',
  'cloudcontrol',
  'cloudsso',
  'cms',
  'config',
  'cr',
  'cs',
  'dbs',
  'dcdn',
  'dds',
  'dfs',
  'dm',
  'dms',
  'dns',
  'dts',
  'eci',
  'ecs',
  'edas',
  'efc',
  'ehpc',
  'elasticsearch',
  'emr',
  'ess',
  'fc',
  'ga',
  'hbr',
  'hdm',
  'ims',
  'kafka',
  'kms',
  'kvstore',
  'licensemanager',
  'live',
  'log',
  'mns',
  'mq',
  'mse',
  'nas',
  'nlb',
  'oos',
  'ons',
  'oss',
  'ots',
  'polardb',
  'pvtz',
  'ram',
  'rds',
  'redis',
  'resourcecenter',
  'resourcemanager',
  'resourcesharing',
  'ros',
  'sae',
  'sas',
  'sls',
  'slb',
  'sts',
  'tag',
  'vod',
  'vpc',
  'waf',
  'yundun',
  'yundun-sas',
  'yundun-waf',
]);

/** Key prefixes that apply to any action (global keys) or to federation in trust policies. */
const GLOBAL_PREFIXES = new Set(['acs', 'saml', 'oidc']);

function allStars(p: string): boolean {
  return /^\*+$/.test(p);
}

function warn(out: PolicyIssue[], reason: LintRule, path: string, message: string): void {
  out.push({ code: 'PolicyWarning', severity: 'warning', path, message, reason });
}

function lintStatement(s: Statement, kind: PolicyKind, out: PolicyIssue[]): void {
  if (s.broken !== undefined || !s.action) return;
  const action = s.action;
  const actionPath = `${s.path}.${action.negated ? 'NotAction' : 'Action'}`;
  const resourcePath = `${s.path}.${s.resource?.negated ? 'NotResource' : 'Resource'}`;
  const everyAction = !action.negated && action.patterns.some(allStars);
  const everyResource =
    s.resource === undefined || (!s.resource.negated && s.resource.patterns.some(allStars));

  if (s.effect === 'Allow') {
    if (everyAction && everyResource && s.conditions.length === 0 && kind !== 'control' && kind !== 'trust') {
      warn(
        out,
        'AllowAllActionsOnAllResources',
        s.path,
        'This statement allows every action on every resource (administrator access)',
      );
    }
    if (action.negated && kind !== 'control') {
      warn(
        out,
        'AllowWithNotAction',
        actionPath,
        'Allow with NotAction grants every action except those listed, including actions of services added later',
      );
    }
    if (s.resource?.negated && kind !== 'control') {
      warn(
        out,
        'AllowWithNotResource',
        resourcePath,
        'Allow with NotResource grants every resource except those listed',
      );
    }
  } else {
    if (action.negated && action.patterns.some(allStars)) {
      warn(
        out,
        'DenyNeverMatches',
        actionPath,
        'This Deny can never match: NotAction "*" excludes every action',
      );
    } else if (s.resource?.negated && s.resource.patterns.some(allStars)) {
      warn(
        out,
        'DenyNeverMatches',
        resourcePath,
        'This Deny can never match: NotResource "*" excludes every resource',
      );
    }
  }

  // Service codes.
  const services = new Set<string>();
  action.patterns.forEach((p, i) => {
    if (p === '*') return;
    const service = p.slice(0, p.indexOf(':')).toLowerCase();
    const at = action.patterns.length > 1 ? `${actionPath}[${i}]` : actionPath;
    if (/[*?]/.test(service)) {
      services.add('*');
      return;
    }
    services.add(service);
    if (!KNOWN_SERVICES.has(service)) {
      warn(
        out,
        'UnknownService',
        at,
        `${JSON.stringify(service)} is not a known service code; check the spelling of ${JSON.stringify(p)}`,
      );
    }
  });
  if (action.patterns.includes('*')) services.add('*');

  // Service-specific condition keys on actions of other services.
  if (!action.negated && !services.has('*')) {
    for (const c of s.conditions) {
      const colon = c.key.indexOf(':');
      if (colon <= 0) continue;
      const prefix = c.key.slice(0, colon).toLowerCase();
      if (GLOBAL_PREFIXES.has(prefix) || !KNOWN_SERVICES.has(prefix) || services.has(prefix)) continue;
      warn(
        out,
        'ConditionKeyNotApplicable',
        c.path,
        `${c.key} is a ${prefix} condition key but this statement covers only ${[...services].join(', ')} actions: the key is never present, so the condition ${c.parsed?.spec.negated ? 'always holds' : 'never holds'}`,
      );
    }
  }

  // A Deny whose numeric or date bounds on one key exclude each other.
  if (s.effect === 'Deny') {
    const bounds = new Map<string, { lo?: number; hi?: number; loStrict?: boolean; hiStrict?: boolean }>();
    for (const c of s.conditions) {
      if (!c.parsed || c.parsed.qualifier || c.problem !== undefined) continue;
      const { spec } = c.parsed;
      if (spec.family !== 'Numeric' && spec.family !== 'Date') continue;
      const vs = c.values.map((v) => spec.parsePolicy(v) as number);
      const b = bounds.get(c.canonicalKey) ?? {};
      const strict = !spec.name.endsWith('Equals');
      if (spec.name.includes('LessThan')) {
        const hi = Math.max(...vs);
        if (b.hi === undefined || hi < b.hi || (hi === b.hi && strict)) [b.hi, b.hiStrict] = [hi, strict];
      }
      if (spec.name.includes('GreaterThan')) {
        const lo = Math.min(...vs);
        if (b.lo === undefined || lo > b.lo || (lo === b.lo && strict)) [b.lo, b.loStrict] = [lo, strict];
      }
      bounds.set(c.canonicalKey, b);
      const empty =
        b.lo !== undefined &&
        b.hi !== undefined &&
        (b.lo > b.hi || (b.lo === b.hi && (b.loStrict || b.hiStrict)));
      if (empty) {
        warn(
          out,
          'DenyNeverMatches',
          c.path,
          `This Deny can never match a single value of ${c.key}: its lower bound is not below its upper bound`,
        );
      }
    }
  }
}

/** Warnings only (validatePolicy reports errors). A document that does not parse has none. */
export function lintPolicy(text: string | object, kind: PolicyKind): PolicyIssue[] {
  const { document } = parsePolicyDocument(text, kind);
  const out: PolicyIssue[] = [];
  for (const s of document.statements) lintStatement(s, kind, out);
  return out;
}
