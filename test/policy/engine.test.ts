import { describe, expect, it } from 'vitest';
import { validatePolicy } from '../../src/policy/index.js';
import { ENGINES, refs, table } from './helpers.js';

describe('decision table (reference evaluation cases)', () => {
  it('has the documented size', () => {
    expect(table.cases).toHaveLength(233);
    expect(table.invalidDocuments).toHaveLength(50);
  });

  for (const [name, engine] of ENGINES) {
    describe(name, () => {
      for (const c of table.cases) {
        it(`${c.id} ${c.title}`, () => {
          const d = engine(c.policies, c.request);
          expect(d.decision).toBe(c.expected.decision);
          expect(refs(d)).toEqual(c.expected.decidedBy);
          expect(d.missingAllowIn).toBe(c.expected.missingAllowIn);
          if (d.decision !== 'ImplicitDeny') expect(d.nearestMiss).toBeUndefined();
        });
      }
    });
  }

  it('every document inside the cases is valid for its kind', () => {
    for (const c of table.cases) {
      const docs: [string, object, 'permission' | 'session' | 'control' | 'trust' | 'oss-bucket'][] = [];
      c.policies.identity.forEach((p) => docs.push([p.name, p.document as object, 'permission']));
      if (c.policies.session) docs.push(['session', c.policies.session.document as object, 'session']);
      c.policies.control?.forEach((l) =>
        l.policies.forEach((p) => docs.push([p.name, p.document as object, 'control'])),
      );
      const r = c.policies.resource;
      if (r)
        docs.push(['resource', r.document as object, r.kind === 'trust-policy' ? 'trust' : 'oss-bucket']);
      for (const [n, doc, kind] of docs) {
        expect(validatePolicy(JSON.stringify(doc), kind), `${c.id} ${n}`).toEqual([]);
      }
    }
  });

  it('passes the policy name, type, version and Sid into decidedBy', () => {
    const d = ENGINES[1]![1](
      {
        identity: [
          {
            name: 'ops',
            type: 'Custom',
            version: 'v3',
            attachedTo: 'group:OM',
            document: {
              Version: '1',
              Statement: [{ Sid: 'Ecs', Effect: 'Allow', Action: 'ecs:*', Resource: '*' }],
            },
          },
        ],
      },
      table.cases[1]!.request.principal.type === 'RAMUser'
        ? { ...table.cases[1]!.request, action: 'ecs:StartInstance' }
        : table.cases[1]!.request,
    );
    expect(d.decidedBy).toEqual([
      {
        layer: 'identity',
        policy: 0,
        statement: 0,
        policyName: 'ops',
        policyType: 'Custom',
        policyVersion: 'v3',
        sid: 'Ecs',
      },
    ]);
  });
});
