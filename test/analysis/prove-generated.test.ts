/**
 * Generated policy pairs whose containment is known by construction: NEW = OLD plus an Allow
 * (never narrows), plus a Deny (never widens), with a narrowed resource or an added condition
 * (never widens), with a wider action (never narrows), or rewritten without changing meaning
 * (equivalent). The solver's answer must respect the construction, each witness must be
 * confirmed by the engine, and random requests must never contradict a proven direction.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeSolver } from '../../src/analysis/solver.js';
import { provePolicyChange, witnessRequest, type ProofResult } from '../../src/analysis/prove.js';
import { evaluate, type RequestContext } from '../../src/policy/index.js';

afterAll(closeSolver);

type Rng = () => number;
function rng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

const ACTIONS = ['oss:GetObject', 'oss:PutObject', 'oss:Get*', 'oss:*', 'ram:ListUsers', 'ram:Get*', 'ecs:*'];
const WIDER: Record<string, string> = {
  'oss:GetObject': 'oss:Get*',
  'oss:PutObject': 'oss:*',
  'oss:Get*': 'oss:*',
  'ram:ListUsers': 'ram:*',
  'ram:Get*': '*',
};
const RESOURCES = [
  'acs:oss:*:*:bucket/a/*',
  'acs:oss:*:*:bucket/b/*',
  'acs:oss:*:*:bucket/?/x',
  'acs:ram:*:*:user/*',
  '*',
];
const NARROWER: Record<string, string> = {
  'acs:oss:*:*:bucket/a/*': 'acs:oss:*:*:bucket/a/x',
  'acs:oss:*:*:bucket/b/*': 'acs:oss:*:*:bucket/b/r*',
  'acs:oss:*:*:bucket/?/x': 'acs:oss:*:*:bucket/a/x',
  'acs:ram:*:*:user/*': 'acs:ram:*:*:user/alice',
  '*': 'acs:oss:*:*:*',
};
const CONDITIONS: readonly object[] = [
  { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } },
  { NotIpAddress: { 'acs:SourceIp': ['10.1.0.0/16', '2001:db8::/32'] } },
  { Bool: { 'acs:MFAPresent': 'true' } },
  { StringLike: { 'acs:UserAgent': 'cli-*' } },
  { StringNotEqualsIgnoreCase: { 'acs:UserAgent': 'Bot' } },
  { NumericLessThan: { 'ram:Quota': '5' } },
  { NumericGreaterThanEquals: { 'ram:Quota': 2.5 } },
  { DateLessThan: { 'acs:CurrentTime': '2027-01-01T00:00:00Z' } },
  { StringEquals: { 'acs:RequestTag/env': 'prod' } },
  { 'ForAnyValue:StringEquals': { 'acs:TagKeys': ['env', 'team'] } },
  { 'ForAllValues:StringLike': { 'acs:TagKeys': ['e*', 't*'] } },
];

interface St {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, object>;
}

function statement(r: Rng, effect: 'Allow' | 'Deny' = r() < 0.8 ? 'Allow' : 'Deny'): St {
  const s: St = {
    Effect: effect,
    Action: [pick(r, ACTIONS), ...(r() < 0.3 ? [pick(r, ACTIONS)] : [])],
    Resource: [pick(r, RESOURCES)],
  };
  if (r() < 0.5) s.Condition = { ...pick(r, CONDITIONS) };
  return s;
}

const doc = (statements: readonly St[]) => ({ Version: '1', Statement: statements });
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

type Known = 'no-narrowing' | 'no-widening' | 'equivalent';
interface Pair {
  readonly name: string;
  readonly old: St[];
  readonly new: St[];
  readonly known: Known;
}

function generate(r: Rng, i: number): Pair {
  const old = Array.from({ length: 1 + Math.floor(r() * 3) }, () => statement(r));
  if (!old.some((s) => s.Effect === 'Allow')) old.push(statement(r, 'Allow'));
  const neu = clone(old);
  const allows = neu.filter((s) => s.Effect === 'Allow');
  const target = pick(r, allows);
  switch (i % 6) {
    case 0:
      neu.push(statement(r, 'Allow'));
      return { name: `${i} plus an Allow`, old, new: neu, known: 'no-narrowing' };
    case 1:
      neu.push(statement(r, 'Deny'));
      return { name: `${i} plus a Deny`, old, new: neu, known: 'no-widening' };
    case 2:
      target.Resource = target.Resource.map((p) => NARROWER[p] ?? p);
      return { name: `${i} narrower resource`, old, new: neu, known: 'no-widening' };
    case 3:
      {
        // A new operator block (a block already present would be replaced, not added to).
        const present = Object.keys(target.Condition ?? {});
        const extra = CONDITIONS.filter((c) => !present.includes(Object.keys(c)[0] as string));
        target.Condition = { ...(target.Condition ?? {}), ...pick(r, extra) };
      }
      return { name: `${i} added condition`, old, new: neu, known: 'no-widening' };
    case 4:
      target.Action = target.Action.map((a) => WIDER[a] ?? a);
      return { name: `${i} wider action`, old, new: neu, known: 'no-narrowing' };
    default:
      // Same meaning: statements reversed, action names in other cases, duplicated patterns.
      neu.reverse();
      for (const s of neu) s.Action = [...s.Action.map((a) => a.toUpperCase()), ...s.Action];
      return { name: `${i} rewritten`, old, new: neu, known: 'equivalent' };
  }
}

const CONCRETE_ACTIONS = [
  'oss:GetObject',
  'OSS:getobject',
  'oss:PutObject',
  'oss:DeleteObject',
  'ram:ListUsers',
  'ram:GetUser',
  'ecs:StartInstance',
  'sts:AssumeRole',
];
const CONCRETE_RESOURCES = [
  'acs:oss:cn-hangzhou:1000000000000001:bucket/a/x',
  'acs:oss:cn-hangzhou:1000000000000001:bucket/a/y',
  'acs:oss:cn-hangzhou:1000000000000001:bucket/b/report',
  'acs:oss:cn-hangzhou:1000000000000001:bucket/c/x',
  'acs:ram:*:1000000000000001:user/alice',
  'acs:ram:*:1000000000000001:user/bob',
  'acs:ecs:cn-hangzhou:1000000000000001:instance/i-1',
];

function randomContext(r: Rng): RequestContext {
  const ctx: Record<string, RequestContext[string]> = {};
  if (r() < 0.7)
    ctx['acs:SourceIp'] = {
      type: 'IP',
      values: [pick(r, ['10.0.0.1', '10.1.2.3', '192.0.2.1', '2001:db8::1', '::1'])],
    };
  if (r() < 0.6) ctx['acs:MFAPresent'] = { type: 'Bool', values: [r() < 0.5] };
  if (r() < 0.5) ctx['acs:SecureTransport'] = { type: 'Bool', values: [r() < 0.5] };
  if (r() < 0.6)
    ctx['acs:UserAgent'] = { type: 'String', values: [pick(r, ['cli-1.0', 'bot', 'BOT', 'sdk'])] };
  if (r() < 0.5) ctx['ram:Quota'] = { type: 'Numeric', values: [pick(r, [1, 2.5, 4.99, 5, 7])] };
  if (r() < 0.6)
    ctx['acs:CurrentTime'] = {
      type: 'Date',
      values: [pick(r, ['2026-06-01T00:00:00Z', '2027-01-01T00:00:00Z', '2030-01-01T00:00:00Z'])],
    };
  if (r() < 0.5) ctx['acs:RequestTag/env'] = { type: 'String', values: [pick(r, ['prod', 'dev', 'Prod'])] };
  if (r() < 0.5)
    ctx['acs:TagKeys'] = {
      type: 'String',
      values: pick(r, [['env'], ['team', 'env'], ['owner'], ['env', 'owner'], []]),
    };
  return ctx;
}

const allowed = (d: object, action: string, resource: string, context: RequestContext) =>
  evaluate({ identity: [{ name: 'p', document: d }] }, witnessRequest({ action, resource, context }))
    .decision === 'Allow';

function checkAgainstEngine(p: Pair, result: ProofResult, r: Rng): void {
  const oldDoc = doc(p.old);
  const newDoc = doc(p.new);
  for (const w of [result.widening, result.narrowing]) if (w) expect(w.confirmed, p.name).toBe(true);
  if (result.widening) {
    expect(allowed(newDoc, result.widening.action, result.widening.resource, result.widening.context)).toBe(
      true,
    );
    expect(allowed(oldDoc, result.widening.action, result.widening.resource, result.widening.context)).toBe(
      false,
    );
  }
  if (result.narrowing) {
    expect(
      allowed(oldDoc, result.narrowing.action, result.narrowing.resource, result.narrowing.context),
    ).toBe(true);
    expect(
      allowed(newDoc, result.narrowing.action, result.narrowing.resource, result.narrowing.context),
    ).toBe(false);
  }
  const widens = result.verdict === 'widens' || result.verdict === 'widens-and-narrows';
  const narrows = result.verdict === 'narrows' || result.verdict === 'widens-and-narrows';
  for (let k = 0; k < 40; k++) {
    const action = pick(r, CONCRETE_ACTIONS);
    const resource = pick(r, CONCRETE_RESOURCES);
    const context = randomContext(r);
    const o = allowed(oldDoc, action, resource, context);
    const n = allowed(newDoc, action, resource, context);
    if (!widens)
      expect(
        n && !o,
        `${p.name}: random request widens ${action} ${resource} ${JSON.stringify(context)}`,
      ).toBe(false);
    if (!narrows)
      expect(
        o && !n,
        `${p.name}: random request narrows ${action} ${resource} ${JSON.stringify(context)}`,
      ).toBe(false);
  }
}

describe('generated pairs with known containment', () => {
  const r = rng(20261203);
  const pairs = Array.from({ length: 216 }, (_, i) => generate(r, i));

  it('respects the construction, confirms every witness, and agrees with the engine on random requests', async () => {
    const counts: Record<string, number> = {};
    for (const p of pairs) {
      const result = await provePolicyChange(doc(p.old), doc(p.new));
      expect(result.verdict, p.name).not.toBe('unknown');
      expect(result.approximations, p.name).toEqual([]);
      if (p.known === 'no-narrowing') expect(['widens', 'equivalent'], p.name).toContain(result.verdict);
      if (p.known === 'no-widening') expect(['narrows', 'equivalent'], p.name).toContain(result.verdict);
      if (p.known === 'equivalent') expect(result.verdict, p.name).toBe('equivalent');
      checkAgainstEngine(p, result, r);
      counts[result.verdict] = (counts[result.verdict] ?? 0) + 1;
    }
    // The generator exercises every answer.
    expect(counts.widens).toBeGreaterThan(20);
    expect(counts.narrows).toBeGreaterThan(20);
    expect(counts.equivalent).toBeGreaterThan(20);
  }, 240_000);
});
