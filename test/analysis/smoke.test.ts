import { afterAll, expect, it } from 'vitest';
import { closeSolver } from '../../src/analysis/solver.js';
import { provePolicyChange } from '../../src/analysis/prove.js';
afterAll(closeSolver);
const doc = (...st: object[]) => ({ Version: '1', Statement: st });
it('smoke', async () => {
  const old = doc({ Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:bucket/a/*', Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } } });
  const neu = doc({ Effect: 'Allow', Action: 'oss:Get*', Resource: 'acs:oss:*:*:bucket/a/*', Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' }, Bool: {'acs:MFAPresent': 'true'}, DateLessThan: {'acs:CurrentTime': '2027-01-01T00:00:00Z'}, NumericLessThan: {'ram:X': '2.5'} } });
  const r = await provePolicyChange(old, neu);
  console.log(JSON.stringify(r, null, 1));
  const r2 = await provePolicyChange(old, old);
  console.log(JSON.stringify(r2, null, 1));
  const r3 = await provePolicyChange(doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: {'ForAnyValue:StringEqualsIgnoreCase': {'acs:TagKeys': ['Env','Team']}}}), doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: {'ForAllValues:StringLike': {'acs:TagKeys': ['e*']}}}));
  console.log(JSON.stringify(r3, null, 1));
  expect(r.verdict).toBe('widens-and-narrows');
});
