import { describe, expect, it } from 'vitest';
import { compilePolicySet, evaluate, interpret, type PolicySetInput } from '../../src/policy/index.js';
import { request, str } from './helpers.js';

// Stored documents are read leniently: a document that a later tightening of the grammar would
// reject still loads; whatever cannot be evaluated never matches, and is recorded.
describe('lenient loading of stored documents', () => {
  const stored = (document: string | object): PolicySetInput => ({ identity: [{ name: 'old', document }] });

  it('does not throw on text that is not JSON, and denies', () => {
    const set = stored('{"Version": "1",');
    const compiled = compilePolicySet(set);
    expect(compiled.diagnostics).toEqual([
      'identity policy old: document: The document is not valid JSON: expected a property name, found end of text',
    ]);
    expect(evaluate(compiled, request({})).decision).toBe('ImplicitDeny');
    expect(interpret(set, request({})).decision).toBe('ImplicitDeny');
  });

  it('keeps the good statements of a document with a broken one', () => {
    const set = stored({
      Version: '1',
      Statement: [
        { Effect: 'allow', Action: '*', Resource: '*' },
        { Effect: 'Allow', Action: 'ecs:*', Resource: '*' },
      ],
    });
    const d = evaluate(set, request({}));
    expect(d.decision).toBe('Allow');
    expect(d.decidedBy.map((r) => r.statement)).toEqual([1]);
    expect(compilePolicySet(set).diagnostics).toEqual([
      'identity policy old: Statement[0].Effect: Effect must be "Allow" or "Deny" (exact case), not "allow"',
    ]);
  });

  it('an unknown operator never holds, even negated', () => {
    for (const op of ['StringNotEqualsIfExists', 'Null']) {
      const set = stored({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*', Condition: { [op]: { 'example:k': 'x' } } },
        ],
      });
      expect(evaluate(set, request({})).decision).toBe('ImplicitDeny');
      expect(interpret(set, request({})).decision).toBe('ImplicitDeny');
    }
  });

  it('a bad condition value makes the clause false, not the document unloadable', () => {
    const set = stored({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.300' } },
        },
      ],
    });
    expect(evaluate(set, request({ 'acs:SourceIp': str('10.0.0.3') })).decision).toBe('Allow');
  });

  it('duplicate keys in stored text keep the first value', () => {
    const set = stored(
      '{"Version":"1","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}',
    );
    expect(evaluate(set, request({})).decision).toBe('Allow');
    expect(compilePolicySet(set).diagnostics[0]).toContain('Duplicate key "Effect"');
  });
});
