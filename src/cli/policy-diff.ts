/**
 * `rampart policy diff OLD NEW`: what a change to a policy document grants and takes away, as
 * a readable summary. Each statement is read as the (effect, action, resource, conditions)
 * grants it makes, one per action pattern and resource pattern; the summary lists the grants
 * only the new document makes (`+`) and only the old one made (`-`), and, for every new Allow
 * pattern, the old ones it widens (a pattern that matches everything an old one matched and
 * more). It compares what the documents say, not what a principal ends up allowed: for that,
 * `rampart policy simulate` decides real requests against the live account.
 */
import { parsePolicyDocument, type PolicyKind } from '../policy/index.js';
import { globMatch } from '../policy/glob.js';

export interface Grant {
  readonly effect: 'Allow' | 'Deny';
  /** `oss:GetObject`, or `NOT ram:*` for NotAction. */
  readonly action: string;
  readonly resource: string;
  /** The conditions, canonical JSON (key names ignore case, values sorted); '' for none. */
  readonly conditions: string;
  /** The conditions as the document writes them, for people. */
  readonly conditionText: string;
}

function grants(text: string, kind: PolicyKind, which: 'OLD' | 'NEW'): Grant[] {
  const parsed = parsePolicyDocument(text, kind);
  const errors = parsed.findings;
  if (errors.length) {
    throw new Error(`${which} is not a valid ${kind} policy: ${errors[0]?.message ?? 'unreadable'}`);
  }
  const out: Grant[] = [];
  for (const s of parsed.document.statements) {
    if (!s.action) continue;
    const conditions = s.conditions.length
      ? JSON.stringify(
          s.conditions
            .map((c) => ({ op: c.operator, key: c.canonicalKey, values: [...c.values].map(String).sort() }))
            .sort((a, b) => `${a.op}${a.key}`.localeCompare(`${b.op}${b.key}`)),
        )
      : '';
    const actions = s.action.patterns.map((a) => (s.action!.negated ? `NOT ${a}` : a));
    const resources = s.resource
      ? s.resource.patterns.map((r) => (s.resource!.negated ? `NOT ${r}` : r))
      : ['*'];
    const conditionText = s.conditions
      .map((c) => `${c.operator} ${c.key} ${c.values.map(String).join('|')}`)
      .join(' and ');
    for (const action of actions)
      for (const resource of resources)
        out.push({ effect: s.effect, action, resource, conditions, conditionText });
  }
  return out;
}

const key = (g: Grant) => `${g.effect}|${g.action.toLowerCase()}|${g.resource}|${g.conditions}`;

function describe(g: Grant): string {
  const cond = g.conditionText ? ` when ${g.conditionText}` : '';
  return `${g.effect === 'Allow' ? 'allows' : 'denies'} ${g.action} on ${g.resource}${cond}`;
}

/** Whether pattern `wide` matches everything `narrow` matches, and more (both plain patterns). */
function widens(wide: string, narrow: string, caseless: boolean): boolean {
  if (wide.startsWith('NOT ') || narrow.startsWith('NOT ')) return false;
  const w = caseless ? wide.toLowerCase() : wide;
  const n = caseless ? narrow.toLowerCase() : narrow;
  return w !== n && globMatch(w, n);
}

export interface PolicyDiff {
  readonly added: readonly Grant[];
  readonly removed: readonly Grant[];
  /** New Allow grants that cover old ones with a wider action or resource. */
  readonly widened: readonly { readonly grant: Grant; readonly covers: readonly Grant[] }[];
}

export function diffPolicies(oldText: string, newText: string, kind: PolicyKind = 'permission'): PolicyDiff {
  const before = grants(oldText, kind, 'OLD');
  const after = grants(newText, kind, 'NEW');
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  const added = after.filter((g) => !had.has(key(g)));
  const removed = before.filter((g) => !has.has(key(g)));
  const widened = added
    .filter((g) => g.effect === 'Allow')
    .map((g) => ({
      grant: g,
      covers: removed.filter(
        (r) =>
          r.effect === 'Allow' &&
          r.conditions === g.conditions &&
          (widens(g.action, r.action, true) ||
            (g.action.toLowerCase() === r.action.toLowerCase() && widens(g.resource, r.resource, false))),
      ),
    }))
    .filter((w) => w.covers.length > 0);
  return { added, removed, widened };
}

export function formatDiff(d: PolicyDiff): string {
  if (!d.added.length && !d.removed.length) return 'No change in what the policy grants or denies.';
  const lines = [
    ...d.added.map((g) => `+ ${describe(g)}`),
    ...d.removed.map((g) => `- ${describe(g)}`),
    ...d.widened.map(
      (w) =>
        `! wider: ${w.grant.action} on ${w.grant.resource} covers ${w.covers.map((c) => `${c.action} on ${c.resource}`).join(', ')}`,
    ),
  ];
  const allows = d.added.filter((g) => g.effect === 'Allow').length;
  const denies = d.removed.filter((g) => g.effect === 'Deny').length;
  lines.push(
    '',
    `${d.added.length} added, ${d.removed.length} removed${allows + denies ? `; ${allows} new allow(s) and ${denies} removed deny(s) may grant more` : ''}.`,
  );
  return lines.join('\n');
}
