/**
 * Rampart's own API (service `rampart`, Version 2026-12-01): access analysis of the caller's
 * account. Each action is authorized like every other, as `rampart:<Action>` on
 * `acs:ram:*:<account>:*` (the account root always may); answers are JSON.
 *   WhoCan                         AuthAction, AuthResource
 *   WhatCan                        UserName | RoleName
 *   ListUnusedAccess               Days (default 90)
 *   GenerateLeastPrivilegePolicy   UserName | RoleName, Days (default 90)
 *   ListExternalAccess
 *   ComparePolicyDocuments         OldDocument, NewDocument, Kind (permission|session|control)
 *   ListSecurityKeys               UserName (optional): the account's security keys (WebAuthn)
 */
import { ramAccountArn } from '../../arn.js';
import { whatCan, whoCan } from '../../analysis/access.js';
import {
  externalBucketAccess,
  externalRoleAccess,
  principalIdsOf,
  resolvePrincipalIds,
} from '../../analysis/external.js';
import { generatePolicy, unusedAccess } from '../../analysis/unused.js';
import { PROVABLE_KINDS, PolicyProofError, provePolicyChange } from '../../analysis/prove.js';
import { MAX_LENGTH, type PolicyKind } from '../../policy/index.js';
import { err as domainErrors } from '../../domain/messages.js';
import { invalidParameter, missingParameter, paramError } from '../../errors.js';
import { defineAction, type AuthorizationTarget } from '../action.js';
import { p, params } from '../params.js';
import type { AnyActionDefinition } from '../registry.js';
import type { RequestContext } from '../../policy/index.js';
import { readCalls } from './trail.js';

const target = (accountId: string, name: string): AuthorizationTarget => ({
  action: `rampart:${name}`,
  resource: ramAccountArn(accountId),
});

/**
 * One action, named exactly: the engine decides a request for one action, so a pattern (`*`,
 * `oss:Get*`) would be decided as if it were an action's name, which answers neither "every
 * action it covers" nor "some action it covers" (a NotAction statement would read it literally).
 */
const ACTION = /^[A-Za-z0-9-]{1,64}:[A-Za-z0-9-]{1,128}$/;

const actionParam = () =>
  p.string(200).then((v, name) => {
    if (v.includes('*') || v.includes('?'))
      throw invalidParameter(
        name,
        'must be an exact action name <service>:<action>, e.g. "oss:GetObject"; wildcards (* and ?) are not analysed, ask about each action.',
      );
    if (!ACTION.test(v))
      throw invalidParameter(name, 'must be an action name <service>:<action>, e.g. "oss:GetObject".');
    return v;
  });
const resourceParam = () =>
  p.string(1024).then((v, name) => {
    if (v !== '*' && !(v.startsWith('acs:') && v.split(':').length >= 5))
      throw invalidParameter(name, 'must be "*" or an ARN acs:<service>:<region>:<account>:<resource>.');
    return v;
  });
const days = () => p.int(1, 3650).default(90);

/** The request's own time (acs:CurrentTime), so that the server's clock decides "N days ago". */
function nowOf(context: RequestContext): Date {
  const v = context['acs:CurrentTime']?.values[0];
  const d = typeof v === 'string' || typeof v === 'number' ? new Date(v) : new Date();
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

/** The principal a question names: exactly one of UserName and RoleName. */
function subjectOf(q: { UserName?: string; RoleName?: string }): { type: 'RAMUser' | 'Role'; name: string } {
  if (q.UserName !== undefined && q.RoleName !== undefined)
    throw invalidParameter('RoleName', 'must not be given with UserName.');
  if (q.UserName !== undefined) return { type: 'RAMUser', name: q.UserName };
  if (q.RoleName !== undefined) return { type: 'Role', name: q.RoleName };
  throw missingParameter('UserName');
}

const whoCanAction = defineAction({
  service: 'rampart',
  name: 'WhoCan',
  params: params({ AuthAction: actionParam(), AuthResource: resourceParam() }),
  authorize: (req) => target(req.accountId, 'WhoCan'),
  handle: async (req, services) => ({
    AuthAction: req.params.AuthAction,
    AuthResource: req.params.AuthResource,
    Principals: await whoCan(services, req.accountId, req.params.AuthAction, req.params.AuthResource),
  }),
});

const whatCanAction = defineAction({
  service: 'rampart',
  name: 'WhatCan',
  params: params({ UserName: p.userName().optional(), RoleName: p.roleName().optional() }),
  authorize: (req) => target(req.accountId, 'WhatCan'),
  handle: async (req, services) => {
    const who = subjectOf(req.params);
    const found = await whatCan(services, req.accountId, who.type, who.name);
    if (!found)
      throw who.type === 'RAMUser' ? domainErrors.userNotExist(who.name) : domainErrors.roleNotExist();
    return { Principal: found };
  },
});

const unusedAction = defineAction({
  service: 'rampart',
  name: 'ListUnusedAccess',
  params: params({ Days: days() }),
  authorize: (req) => target(req.accountId, 'ListUnusedAccess'),
  handle: async (req, services) => {
    const now = nowOf(req.context);
    const from = new Date(now.getTime() - req.params.Days * 86_400_000);
    const calls = await readCalls(services, req.accountId, from, now);
    return { Report: await unusedAccess(services, req.accountId, calls, { days: req.params.Days, now }) };
  },
});

const generateAction = defineAction({
  service: 'rampart',
  name: 'GenerateLeastPrivilegePolicy',
  params: params({ UserName: p.userName().optional(), RoleName: p.roleName().optional(), Days: days() }),
  authorize: (req) => target(req.accountId, 'GenerateLeastPrivilegePolicy'),
  handle: async (req, services) => {
    const who = subjectOf(req.params);
    const exists = await whatCan(services, req.accountId, who.type, who.name);
    if (!exists)
      throw who.type === 'RAMUser' ? domainErrors.userNotExist(who.name) : domainErrors.roleNotExist();
    const now = nowOf(req.context);
    const from = new Date(now.getTime() - req.params.Days * 86_400_000);
    const calls = (await readCalls(services, req.accountId, from, now)).filter(
      (c) => c.principalType === who.type && c.principalName === exists.name,
    );
    return {
      PrincipalType: who.type,
      PrincipalName: exists.name,
      CallCount: calls.length,
      PolicyDocument: calls.length ? JSON.stringify(generatePolicy(calls)) : '',
    };
  },
});

const externalAction = defineAction({
  service: 'rampart',
  name: 'ListExternalAccess',
  params: params({}),
  authorize: (req) => target(req.accountId, 'ListExternalAccess'),
  handle: async (req, { domain, buckets }) => {
    const roles = [];
    let marker: string | undefined;
    for (;;) {
      const page = await domain.roles.list(req.accountId, { maxItems: 1000, ...(marker ? { marker } : {}) });
      roles.push(...page.items);
      if (!page.isTruncated || !page.marker) break;
      marker = page.marker;
    }
    const owned = buckets ? await buckets.list(req.accountId) : [];
    // A 16-digit id is an account's or a RAM user's: the owner's own users are not external.
    const ids = await resolvePrincipalIds(domain, req.accountId, principalIdsOf(owned));
    const bucketGrants = externalBucketAccess(req.accountId, owned, ids);
    return { Grants: [...externalRoleAccess(req.accountId, roles), ...bucketGrants] };
  },
});

/** Solver time per question of a comparison asked over the API. */
const COMPARE_TIMEOUT_MS = 5_000;

const compareAction = defineAction({
  service: 'rampart',
  name: 'ComparePolicyDocuments',
  params: params({
    OldDocument: p.string(6144),
    NewDocument: p.string(6144),
    Kind: p.oneOf(PROVABLE_KINDS as readonly ('permission' | 'session' | 'control')[]).default('permission'),
  }),
  authorize: (req) => target(req.accountId, 'ComparePolicyDocuments'),
  handle: async (req) => {
    const kind: PolicyKind = req.params.Kind;
    const max = MAX_LENGTH[kind] ?? 6144;
    for (const name of ['OldDocument', 'NewDocument'] as const)
      if ([...req.params[name]].length > max)
        throw paramError(
          'InvalidParameter.PolicyDocument.Length',
          `The ${name} is longer than ${max} characters.`,
        );
    try {
      const proof = await provePolicyChange(req.params.OldDocument, req.params.NewDocument, {
        kind,
        timeoutMs: COMPARE_TIMEOUT_MS,
      });
      return {
        Verdict: proof.verdict,
        ...(proof.widening ? { Widening: proof.widening } : {}),
        ...(proof.narrowing ? { Narrowing: proof.narrowing } : {}),
        Approximations: proof.approximations,
        Millis: proof.millis,
      };
    } catch (err) {
      if (err instanceof PolicyProofError) throw paramError('MalformedPolicyDocument', err.message);
      throw err;
    }
  },
});

/**
 * The security keys (WebAuthn) of the account, or of one user: whose each is, its name and
 * dates (never the key material). Keys are registered and removed by their owner from a
 * console session (docs/console.md); this is the administrators' view, e.g. for MFA coverage.
 */
const securityKeysAction = defineAction({
  service: 'rampart',
  name: 'ListSecurityKeys',
  params: params({ UserName: p.userName().optional() }),
  authorize: (req) => target(req.accountId, 'ListSecurityKeys'),
  handle: async (req, { domain }) => {
    const userId =
      req.params.UserName === undefined
        ? undefined
        : (await domain.users.get(req.accountId, req.params.UserName)).userId;
    const keys = await domain.webauthn.listInAccount(req.accountId, userId);
    return {
      SecurityKeys: keys.map((k) => ({
        PrincipalType: k.principalType,
        ...(k.userName ? { UserName: k.userName } : {}),
        Name: k.name,
        CreateDate: k.createDate,
        ...(k.lastUsedDate ? { LastUsedDate: k.lastUsedDate } : {}),
      })),
    };
  },
});

export const rampartActions: readonly AnyActionDefinition[] = [
  whoCanAction,
  whatCanAction,
  unusedAction,
  generateAction,
  externalAction,
  compareAction,
  securityKeysAction,
];
