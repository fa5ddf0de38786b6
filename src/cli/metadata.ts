/**
 * What `rampart <product> <Action>` knows about the API before it sends anything: the actions
 * of each product and their parameters (src/cli/api-metadata.gen.ts, from the API surface of
 * the official SDKs), with the required ones taken from the server's own action definitions
 * where Rampart serves the product (the RAM SDK typings mark nothing required).
 */
import { API_METADATA, type ActionMetadata, type ParamMetadata } from './api-metadata.gen.js';
import { ramActions } from '../api/ram/index.js';
import { stsActions } from '../api/sts/index.js';
import { imsActions } from '../api/ims/index.js';
import type { AnyActionDefinition } from '../api/registry.js';

export const PRODUCTS = Object.keys(API_METADATA).sort();

/** LookupEvents: its official client is not on the npm registry, so it is not in the generated file. */
const ACTIONTRAIL: Readonly<Record<string, ActionMetadata>> = {
  LookupEvents: {
    params: [
      { name: 'StartTime', type: 'string', hint: 'ISO 8601 UTC, e.g. 2026-12-01T00:00:00Z' },
      { name: 'EndTime', type: 'string', hint: 'ISO 8601 UTC' },
      { name: 'NextToken', type: 'string' },
      { name: 'MaxResults', type: 'string', hint: '1..50' },
      { name: 'Direction', type: 'string', hint: 'FORWARD|BACKWARD' },
      {
        name: 'LookupAttribute',
        type: 'array',
        encoding: 'flattened',
        hint: 'LookupAttribute.1.Key / .Value',
      },
    ],
    paging: 'NextToken',
  },
};

export function productVersion(product: string): string | undefined {
  if (product === 'actiontrail') return '2020-07-06';
  if (product === 'rampart') return '2026-12-01';
  return API_METADATA[product]?.version;
}

export function productActions(product: string): Readonly<Record<string, ActionMetadata>> | undefined {
  if (product === 'actiontrail') return ACTIONTRAIL;
  return API_METADATA[product]?.actions;
}

const SERVED: readonly AnyActionDefinition[] = [...ramActions, ...imsActions, ...stsActions];
const SERVED_BY_KEY = new Map(SERVED.map((d) => [`${d.service}:${d.name}`, d]));

/** The parameters of an action, `required` as the server (or, failing that, the SDK) says. */
export function actionParams(product: string, action: string): readonly ParamMetadata[] | undefined {
  const actions = productActions(product);
  // Own keys only: `constructor` or `toString` is no action.
  const meta = actions && Object.hasOwn(actions, action) ? actions[action] : undefined;
  if (!meta) return undefined;
  const fields = SERVED_BY_KEY.get(`${product}:${action}`)?.params.fields;
  if (!fields) return meta.params;
  const required = new Set(fields.filter((f) => f.required).map((f) => f.name));
  return meta.params.map((p) => ({ ...p, required: required.has(p.name) }));
}

/** Edit distance, ignoring case. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}

/** The closest of `candidates` to `word`, if it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * The problems of a call against the metadata (empty when it may be sent): an unknown
 * parameter (with the likely one), a required parameter absent. A flattened list is given as
 * `Name.1`, `Name.1.Key`; a parameter is matched ignoring nothing, as the API matches it.
 */
export function checkCall(product: string, action: string, given: readonly string[]): string[] {
  const params = actionParams(product, action) ?? [];
  const names = new Set(params.map((p) => p.name));
  const problems: string[] = [];
  for (const g of given) {
    const base = g.includes('.') ? g.slice(0, g.indexOf('.')) : g;
    const flat = params.find((p) => p.name === base && p.encoding === 'flattened');
    if (names.has(g) || (flat && g !== base)) continue;
    const guess = didYouMean(base, names);
    problems.push(
      `unknown parameter --${g} for ${product} ${action}${guess ? `; did you mean --${guess}?` : ''}`,
    );
  }
  const present = new Set(given.map((g) => (g.includes('.') ? g.slice(0, g.indexOf('.')) : g)));
  for (const p of params) {
    if (p.required && !present.has(p.name)) problems.push(`missing required parameter --${p.name}`);
  }
  return problems;
}
