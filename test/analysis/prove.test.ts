import { afterAll, describe, expect, it } from 'vitest';
import { closeSolver } from '../../src/analysis/solver.js';
import {
  PolicyProofError,
  formatProof,
  provePolicyChange,
  witnessRequest,
  type Witness,
} from '../../src/analysis/prove.js';
import { evaluate } from '../../src/policy/index.js';

afterAll(closeSolver);

const doc = (...statements: object[]) => ({ Version: '1', Statement: statements });
const allow = (extra: object = {}) => ({ Effect: 'Allow', Action: 'oss:GetObject', Resource: '*', ...extra });
const decide = (d: object, w: Witness) =>
  evaluate({ identity: [{ name: 'p', document: d }] }, witnessRequest(w)).decision;

describe('provePolicyChange', () => {
  it('finds a widening with a witness the engine confirms', async () => {
    const before = doc(allow({ Resource: 'acs:oss:*:*:reports/*' }));
    const after = doc(allow({ Action: 'oss:Get*', Resource: 'acs:oss:*:*:reports/*' }));
    const r = await provePolicyChange(before, after);
    expect(r.verdict).toBe('widens');
    expect(r.narrowing).toBeUndefined();
    const w = r.widening!;
    expect(w.confirmed).toBe(true);
    expect(w.action.toLowerCase()).toMatch(/^oss:get/);
    expect(w.action.toLowerCase()).not.toBe('oss:getobject');
    expect(w.resource.startsWith('acs:oss:') && w.resource.includes(':reports/')).toBe(true);
    expect(decide(after, w)).toBe('Allow');
    expect(decide(before, w)).toBe('ImplicitDeny');
    expect(formatProof(r)).toContain('Widens: NEW allows requests OLD does not');
  });

  it('proves a narrowing: a condition added, nothing new allowed', async () => {
    const before = doc(allow());
    const after = doc(allow({ Condition: { Bool: { 'acs:MFAPresent': 'true' } } }));
    const r = await provePolicyChange(before, after);
    expect(r.verdict).toBe('narrows');
    expect(r.widening).toBeUndefined();
    expect(r.approximations).toEqual([]);
    // Without MFA (absent, false, or not a boolean) the old document allowed it.
    expect(decide(before, r.narrowing!)).toBe('Allow');
    expect(decide(after, r.narrowing!)).toBe('ImplicitDeny');
  });

  it('proves equivalence of documents written differently', async () => {
    const before = doc(
      { Effect: 'Allow', Action: ['oss:GetObject', 'oss:PutObject'], Resource: 'acs:oss:*:*:b/*' },
      { Effect: 'Deny', Action: 'oss:PutObject', Resource: 'acs:oss:*:*:b/locked/*' },
    );
    const after = doc(
      { Effect: 'Deny', Action: 'OSS:putobject', Resource: 'acs:oss:*:*:b/locked/*' },
      { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:b/*' },
      { Effect: 'Allow', Action: 'oss:PutObject', Resource: ['acs:oss:*:*:b/*', 'acs:oss:*:*:b/x*'] },
    );
    const r = await provePolicyChange(before, after);
    expect(r.verdict).toBe('equivalent');
    expect(formatProof(r)).toContain('Equivalent');
  });

  it('finds both directions when each document allows something the other does not', async () => {
    const r = await provePolicyChange(
      doc(allow({ Resource: 'acs:oss:*:*:a/*' })),
      doc(allow({ Resource: 'acs:oss:*:*:b/*' })),
    );
    expect(r.verdict).toBe('widens-and-narrows');
    expect(r.widening!.resource).toContain(':b/');
    expect(r.narrowing!.resource).toContain(':a/');
  });

  it('gives a witness for a condition key named __proto__ that the engine confirms', async () => {
    const before = doc(allow({ Action: 'oss:PutObject' }));
    const after = doc(
      JSON.parse(
        '{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"StringEquals":{"__proto__":"yes"}}}',
      ) as object,
    );
    const r = await provePolicyChange(before, after);
    expect(r.widening!.confirmed).toBe(true);
    expect(Object.getOwnPropertyDescriptor(r.widening!.context, '__proto__')?.value).toMatchObject({
      values: ['yes'],
    });
    expect(decide(after, r.widening!)).toBe('Allow');
    expect(decide(before, r.widening!)).toBe('ImplicitDeny');
  });

  it('reads `?` as exactly one character and resources case-sensitively', async () => {
    const r = await provePolicyChange(
      doc(allow({ Resource: 'acs:oss:*:*:bucket/?' })),
      doc(allow({ Resource: ['acs:oss:*:*:bucket/?', 'acs:oss:*:*:BUCKET/*'] })),
    );
    expect(r.verdict).toBe('widens');
    expect(r.widening!.resource).toContain('BUCKET/');
  });

  it('knows every spelling StringEqualsIgnoreCase accepts (the Kelvin sign lower-cases to k)', async () => {
    const before = doc(allow({ Condition: { StringEquals: { 'ram:Team': ['k', 'K'] } } }));
    const after = doc(allow({ Condition: { StringEqualsIgnoreCase: { 'ram:Team': 'k' } } }));
    const r = await provePolicyChange(before, after);
    expect(r.verdict).toBe('widens');
    expect(r.widening!.context['ram:Team']!.values).toEqual(['\u212a']);
    expect(decide(after, r.widening!)).toBe('Allow');
  });

  it('encodes address ranges, IPv6 included, and NotIpAddress', async () => {
    const before = doc(
      allow({ Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } } }),
    );
    const after = doc(
      allow({
        Condition: {
          IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] },
          NotIpAddress: { 'acs:SourceIp': '10.9.0.0/16' },
        },
      }),
    );
    const r = await provePolicyChange(before, after);
    expect(r.verdict).toBe('narrows');
    expect(r.narrowing!.context['acs:SourceIp']!.values[0]).toMatch(/^10\.9\./);
    const wider = await provePolicyChange(
      before,
      doc(allow({ Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '2001:db8::/31'] } } })),
    );
    expect(wider.verdict).toBe('widens');
    expect(String(wider.widening!.context['acs:SourceIp']!.values[0])).toMatch(/^2001:db9:/);
  });

  it('encodes numbers, dates and multi-valued keys', async () => {
    const r = await provePolicyChange(
      doc(
        allow({
          Condition: {
            NumericLessThan: { 'ram:Size': '10' },
            DateLessThan: { 'acs:CurrentTime': '2027-01-01T00:00:00Z' },
            'ForAllValues:StringEquals': { 'acs:TagKeys': ['env', 'team'] },
          },
        }),
      ),
      doc(
        allow({
          Condition: {
            NumericLessThanEquals: { 'ram:Size': '10' },
            DateLessThan: { 'acs:CurrentTime': '2027-01-01T00:00:00Z' },
            'ForAllValues:StringEquals': { 'acs:TagKeys': ['env', 'team'] },
          },
        }),
      ),
    );
    expect(r.verdict).toBe('widens');
    expect(r.widening!.context['ram:Size']!.values).toEqual(['10']);
    const tags = await provePolicyChange(
      doc(allow({ Condition: { 'ForAllValues:StringEquals': { 'acs:TagKeys': ['env', 'team'] } } })),
      doc(allow({ Condition: { 'ForAnyValue:StringEquals': { 'acs:TagKeys': ['env', 'team'] } } })),
    );
    // ForAllValues holds on no tags at all; ForAnyValue needs one: narrows there, and widens
    // with a list mixing a listed key and another.
    expect(tags.verdict).toBe('widens-and-narrows');
    expect(tags.widening!.context['acs:TagKeys']!.values.length).toBeGreaterThanOrEqual(2);
    expect(tags.narrowing!.context['acs:TagKeys']).toBeUndefined();
  });

  it('searches lists of values for any key, one value first', async () => {
    // Two clauses on one key can only both hold with two values; the engine accepts a list.
    const before = doc(
      allow({ Condition: { StringEquals: { 'ram:Team': 'a' }, StringLike: { 'ram:Team': 'b' } } }),
    );
    const after = doc(allow({ Action: 'oss:PutObject' }));
    const r = await provePolicyChange(before, after);
    expect(r.verdict).toBe('widens-and-narrows');
    expect([...r.narrowing!.context['ram:Team']!.values].sort()).toEqual(['a', 'b']);
    expect(r.approximations).toEqual([]);
    // One value is enough here, and one value is what the witness carries.
    const single = await provePolicyChange(
      doc(allow({ Condition: { StringEquals: { 'ram:Team': 'a' } } })),
      doc(allow({ Condition: { StringLike: { 'ram:Team': ['a', 'b*'] } } })),
    );
    expect(single.verdict).toBe('widens');
    expect(single.widening!.context['ram:Team']!.values).toHaveLength(1);
  });

  it('compares NotAction and NotResource', async () => {
    const r = await provePolicyChange(
      doc({ Effect: 'Allow', NotAction: 'ram:*', Resource: '*' }),
      doc({ Effect: 'Allow', NotAction: ['ram:*', 'sts:*'], NotResource: 'acs:oss:*:*:secret/*' }),
    );
    expect(r.verdict).toBe('narrows');
    const n = r.narrowing!;
    expect(n.action.toLowerCase().startsWith('sts:') || n.resource.includes(':secret/')).toBe(true);
  });

  it('refuses a malformed document and the kinds that depend on a Principal', async () => {
    await expect(provePolicyChange('{"Version":"1"}', doc(allow()))).rejects.toThrow(PolicyProofError);
    await expect(provePolicyChange('{"Version":"1"}', doc(allow()))).rejects.toThrow(
      /^OLD is not a valid permission policy: Statement is required$/,
    );
    await expect(provePolicyChange(doc(allow()), doc(allow()), { kind: 'trust' })).rejects.toThrow(
      /a trust policy also depends on its Principal/,
    );
  });

  it('compares control policies as guardrails over allowed identity policies', async () => {
    const before = doc(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 'ram:Delete*', Resource: '*' },
    );
    const after = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    const r = await provePolicyChange(before, after, { kind: 'control' });
    expect(r.verdict).toBe('widens');
    expect(r.widening!.action.toLowerCase()).toMatch(/^ram:delete/);
    expect(r.widening!.confirmed).toBe(true);
  });
});
