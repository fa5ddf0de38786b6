import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  compilePolicySet,
  evaluate,
  interpret,
  type AuthorizationRequest,
  type Decision,
  type PolicyKind,
  type PolicySetInput,
  type RequestContext,
} from '../../src/policy/index.js';

export interface TableCase {
  id: string;
  title: string;
  policies: PolicySetInput;
  request: AuthorizationRequest;
  expected: {
    decision: string;
    decidedBy: { layer: string; policy: number; statement: number; level?: number }[];
    missingAllowIn?: string;
  };
}

export interface TableInvalid {
  id: string;
  title: string;
  kind: PolicyKind;
  documentText: string;
  expected: { errorCode: string; httpStatus: number; reason: string };
}

export const table = JSON.parse(
  readFileSync(new URL('../fixtures/evaluation-cases.json', import.meta.url), 'utf8'),
) as { cases: TableCase[]; invalidDocuments: TableInvalid[]; accounts: Record<string, string> };

export type Engine = (set: PolicySetInput, request: AuthorizationRequest) => Decision;

/** One suite, several implementations. */
export const ENGINES: readonly [string, Engine][] = [
  ['interpret', interpret],
  ['evaluate (compiled on the fly)', evaluate],
  ['evaluate (precompiled)', (set, request) => evaluate(compilePolicySet(set), request)],
];

/** decidedBy reduced to the fields the decision table uses. */
export function refs(d: Decision): { layer: string; policy: number; statement: number; level?: number }[] {
  return d.decidedBy.map((r) => ({
    layer: r.layer,
    policy: r.policy,
    statement: r.statement,
    ...(r.level === undefined ? {} : { level: r.level }),
  }));
}

export const ACCOUNT = '1234567890123456';

export const alice: AuthorizationRequest['principal'] = {
  type: 'RAMUser',
  accountId: ACCOUNT,
  name: 'alice',
  userId: '2000000000000001',
  arn: `acs:ram::${ACCOUNT}:user/alice`,
};

/** A request by alice for ecs:DescribeInstances with the given context. */
export function request(
  context: RequestContext,
  over: Partial<AuthorizationRequest> = {},
): AuthorizationRequest {
  return {
    principal: alice,
    action: 'ecs:DescribeInstances',
    resource: `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/i-1`,
    context,
    ...over,
  };
}

/** One identity policy allowing everything under one condition block. */
export function allowIf(condition: object): PolicySetInput {
  return {
    identity: [
      {
        name: 'p',
        document: {
          Version: '1',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition }],
        },
      },
    ],
  };
}

export type Row = [title: string, condition: object, context: RequestContext, allowed: boolean];

/** Runs condition rows on every engine: Allow when the condition holds, else ImplicitDeny. */
export function conditionRows(rows: readonly Row[], run: (name: string, fn: () => void) => void): void {
  for (const [title, condition, context, allowed] of rows) {
    run(title, () => {
      for (const [name, engine] of ENGINES) {
        const d = engine(allowIf(condition), request(context));
        expect(d.decision, `${name}: ${title}`).toBe(allowed ? 'Allow' : 'ImplicitDeny');
      }
    });
  }
}

export const str = (...values: string[]) => ({ type: 'String' as const, values });
export const num = (...values: (number | string)[]) => ({ type: 'Numeric' as const, values });
export const date = (...values: (string | number)[]) => ({ type: 'Date' as const, values });
export const bool = (...values: (boolean | string)[]) => ({ type: 'Bool' as const, values });
export const ip = (...values: string[]) => ({ type: 'IP' as const, values });
