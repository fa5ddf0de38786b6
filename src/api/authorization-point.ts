/**
 * The authorization point: `POST /authorize` lets another service decide its own requests
 * with Rampart's engine, caches and invalidation (the Authorizer the API uses).
 *
 * The asking service signs the call with its own credentials (signature V3, ACS3-HMAC-SHA256,
 * over the method, `/authorize`, the headers and the body hash; x-acs-action `Authorize`),
 * and must be allowed `rampart:Authorize` on `acs:ram:*:<its account>:*` (the account root
 * always is). It may ask only about principals of its own account: another account's key is
 * answered as a key that does not exist, whatever its status, and another account's resource
 * policy counts in the decision but is not shown (see `Authorizer.decide`).
 *
 * Body (JSON): `Action` (`service:Name`), `Resource` (an ARN), `Context` (condition key ->
 * value or list of values; optional) and one principal:
 * - `Request`: `{Method, Path, Query?, Headers}` of a request the principal signed with OSS
 *   V1/V4 (header or presigned URL), verified as the data plane verifies it;
 * - `AccessKeyId` (and `SecurityToken` for temporary credentials): the key's owner now;
 * - `Arn`: `acs:ram::<account>:root`, `...:user/<name>` or `...:role/<name>` (a session of it).
 * Answer: `{RequestId, Decision: Allow|ExplicitDeny|ImplicitDeny, Principal, Action,
 * Resource, Explanation, AccessDeniedDetail?}`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { arnAccount, ossArn } from '../arn.js';
import {
  activeKey,
  authenticate,
  authenticateOss,
  type AuthenticationDeps,
  type AuthenticationOptions,
} from '../auth/authenticate.js';
import { parseUrlEncoded } from '../auth/percent-encode.js';
import { principalArn, type Principal } from '../auth/principal.js';
import { isEntityName } from '../domain/names.js';
import type { Services } from '../domain/request-services.js';
import { ApiError, apiErrorWithStatus } from '../errors.js';
import { canonicalKey, type ContextValue, type RequestContext } from '../policy/index.js';
import type { ResolvedTarget } from './action.js';
import { assumedRoleRef, trustTarget } from './steps/authorize.js';
import type { Authorizer } from './authorize.js';
import { buildRequestContext } from './request-context.js';
import type { WireResponse } from './protocol/wire.js';
import { errorResponse } from './protocol/response.js';
import { newRequestId } from './protocol/request.js';

export const AUTHORIZE_PATH = '/authorize';

/** The action the asking service needs, on `acs:ram:*:<account>:*`. */
export const AUTHORIZE_ACTION = 'rampart:Authorize';

/**
 * What the store knows of a resource named by ARN: for an OSS bucket or object, its ARN
 * rebuilt from the stored bucket (the owner's account), the owner and the bucket policy.
 */
export type ResourcePolicyLookup = (
  resource: string,
) => Promise<Pick<ResolvedTarget, 'resource' | 'resourcePolicy' | 'resourceOwnerAccountId'> | undefined>;

export interface AuthorizationPointEnv {
  readonly services: Services;
  readonly authorizer: Authorizer;
  readonly now: () => Date;
  readonly auth?: AuthenticationOptions;
  readonly resourcePolicy?: ResourcePolicyLookup;
}

export interface AuthorizationPointRequest {
  readonly method: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const bad = (message: string): ApiError => apiErrorWithStatus('InvalidParameter', 400, message);

function json(status: number, requestId: string, body: object): WireResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-acs-request-id': requestId },
    body: JSON.stringify({ RequestId: requestId, ...body }),
  };
}

const ACTION = /^[A-Za-z0-9-]{1,64}:[A-Za-z0-9*?-]{1,128}$/;

/** A context value from JSON, typed by its key and form. */
export function contextValue(key: string, raw: unknown): ContextValue {
  const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (values.length === 0 || values.length > 64) throw bad(`Context.${key} must have 1 to 64 values.`);
  for (const v of values) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw bad(`Context.${key} values must be strings, numbers or booleans.`);
    }
    if (typeof v === 'string' && v.length > 1024)
      throw bad(`Context.${key} values are at most 1024 characters.`);
  }
  const lower = key.toLowerCase();
  const type =
    lower === 'acs:sourceip'
      ? 'IP'
      : lower === 'acs:currenttime'
        ? 'Date'
        : values.every((v) => typeof v === 'boolean')
          ? 'Bool'
          : values.every((v) => typeof v === 'number')
            ? 'Numeric'
            : 'String';
  return { type, values: values as (string | number | boolean)[] };
}

function stringHeaders(raw: unknown): Record<string, string | undefined> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw bad('Request.Headers must be an object.');
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') throw bad('Request.Headers values must be strings.');
    out[k.toLowerCase()] = v;
  }
  return out;
}

/**
 * The question's context: the built-in keys of the principal (acs:CurrentTime, acs:MFAPresent,
 * acs:SecureTransport, acs:PrincipalARN, ...), each replaced by a key the caller gives under the
 * same name in any case (condition key names compare without case, so a given `acs:currenttime`
 * is the built-in `acs:CurrentTime`); no acs:SourceIp unless given. Two spellings of one key in
 * the caller's Context are one key with the values of both, as the engine and `policy eval`
 * read a request context.
 */
function withGiven(base: RequestContext, given: Readonly<Record<string, ContextValue>>): RequestContext {
  const named = new Set(Object.keys(given).map(canonicalKey));
  const context: Record<string, ContextValue> = {};
  for (const [k, v] of Object.entries(base)) {
    if (k !== 'acs:SourceIp' && !named.has(canonicalKey(k))) context[k] = v;
  }
  return { ...context, ...given };
}

const otherAccount = (): ApiError =>
  apiErrorWithStatus(
    'NoPermission',
    403,
    'The authorization point answers only about principals of the asking account.',
  );

export function createAuthorizationPoint(env: AuthorizationPointEnv) {
  const deps: AuthenticationDeps = env.services;

  /** The principal the question is about, and what its credentials say about MFA. */
  async function subject(
    body: Record<string, unknown>,
    now: Date,
    askingAccountId: string,
  ): Promise<{ principal: Principal; version?: number; mfa: boolean; accessKeyId?: string }> {
    const forms = ['Request', 'AccessKeyId', 'Arn'].filter((k) => body[k] !== undefined);
    if (forms.length !== 1) throw bad('Give exactly one of Request, AccessKeyId and Arn.');
    if (body.Request !== undefined) {
      const r = body.Request as Record<string, unknown>;
      if (r === null || typeof r !== 'object' || typeof r.Method !== 'string' || typeof r.Path !== 'string') {
        throw bad('Request needs Method and Path.');
      }
      const path = r.Path;
      const q = path.indexOf('?');
      const auth = await authenticateOss(
        {
          method: r.Method.toUpperCase(),
          path: q < 0 ? path : path.slice(0, q),
          rawQuery: typeof r.Query === 'string' ? r.Query : q < 0 ? '' : path.slice(q + 1),
          headers: stringHeaders(r.Headers ?? {}),
        },
        deps,
        now,
        { ...env.auth, onlyAccount: askingAccountId },
      );
      if (auth.kind !== 'signed')
        throw apiErrorWithStatus('InvalidParameter', 400, 'Request carries no signature.');
      return {
        principal: auth.principal,
        ...(auth.permissionsVersion !== undefined ? { version: auth.permissionsVersion } : {}),
        mfa: auth.mfaPresent === true,
        accessKeyId: auth.accessKeyId,
      };
    }
    if (body.AccessKeyId !== undefined) {
      if (
        typeof body.AccessKeyId !== 'string' ||
        (body.SecurityToken !== undefined && typeof body.SecurityToken !== 'string')
      ) {
        throw bad('AccessKeyId and SecurityToken must be strings.');
      }
      const key = await activeKey(
        deps,
        body.AccessKeyId,
        body.SecurityToken as string | undefined,
        now,
        askingAccountId,
      );
      return {
        principal: key.principal,
        ...(key.permissionsVersion !== undefined ? { version: key.permissionsVersion } : {}),
        mfa: key.session?.mfa === true,
        accessKeyId: key.accessKeyId,
      };
    }
    if (typeof body.Arn !== 'string') throw bad('Arn must be a string.');
    const m = /^acs:ram::(\d{16}):(root|user\/(.+)|role\/(.+))$/.exec(body.Arn);
    if (!m) throw bad('Arn must be acs:ram::<account>:root, :user/<name> or :role/<name>.');
    const accountId = m[1]!;
    // Another account's principal is refused before it is looked up: whether a user or a role of
    // another account exists is not the asking account's to learn.
    if (accountId !== askingAccountId) throw otherAccount();
    if (m[2] === 'root') return { principal: { type: 'Root', accountId }, mfa: false };
    const notFound = (): ApiError =>
      apiErrorWithStatus('EntityNotExist.Principal', 404, 'The principal does not exist.');
    // A name outside the user or role name rule (a NUL, a letter of another script that
    // lower-cases to ASCII) names no principal: answered so before any look-up.
    if (m[3] !== undefined) {
      if (!isEntityName('user', m[3])) throw notFound();
      let user;
      try {
        user = await env.services.domain.users.get(accountId, m[3]);
      } catch {
        throw notFound();
      }
      return {
        principal: { type: 'RAMUser', accountId, userId: user.userId, userName: user.userName },
        mfa: false,
      };
    }
    if (!isEntityName('role', m[4]!)) throw notFound();
    const role = await env.services.roles.findRole(accountId, m[4]!);
    if (!role) throw notFound();
    return {
      principal: {
        type: 'AssumedRole',
        accountId,
        roleId: role.roleId,
        roleName: role.roleName,
        sessionName: 'authorization-point',
        accessKeyId: '',
      },
      mfa: false,
    };
  }

  return async function authorizationPoint(
    req: AuthorizationPointRequest,
    sourceIp: string,
    secure: boolean,
  ): Promise<WireResponse> {
    const requestId = newRequestId();
    const now = env.now();
    try {
      if (req.method !== 'POST')
        throw apiErrorWithStatus('UnsupportedHTTPMethod', 405, 'The authorization point answers POST only.');
      const caller = await authenticate(
        {
          method: req.method,
          path: AUTHORIZE_PATH,
          query: parseUrlEncoded(req.rawQuery),
          form: [],
          params: {},
          headers: req.headers,
          body: req.body,
          now,
        },
        deps,
        env.auth,
      );
      if (caller.kind !== 'signed') {
        throw apiErrorWithStatus(
          'MissingSignature',
          401,
          'The authorization point needs a signed request (signature V3).',
        );
      }
      await env.authorizer.authorize(
        caller.principal,
        [{ action: AUTHORIZE_ACTION, resource: `acs:ram:*:${caller.principal.accountId}:*` }],
        buildRequestContext({
          sourceIp,
          now,
          secure,
          principal: caller.principal,
          accessKeyId: caller.accessKeyId,
          mfaPresent: caller.mfaPresent === true,
          userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
          referer: undefined,
        }),
        caller.permissionsVersion,
      );
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw bad('The body must be a JSON object.');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw bad('The body must be a JSON object.');
      if (typeof body.Action !== 'string' || !ACTION.test(body.Action))
        throw bad('Action must be service:Name.');
      if (typeof body.Resource !== 'string' || body.Resource.length === 0 || body.Resource.length > 2048) {
        throw bad('Resource must be an ARN of at most 2048 characters.');
      }
      const who = await subject(body, now, caller.principal.accountId);
      if (who.principal.accountId !== caller.principal.accountId) throw otherAccount();
      // Without a prototype, so that a key named `__proto__` (a valid condition key) is a key.
      const given: Record<string, ContextValue> = Object.create(null) as Record<string, ContextValue>;
      if (body.Context !== undefined) {
        if (body.Context === null || typeof body.Context !== 'object' || Array.isArray(body.Context)) {
          throw bad('Context must be an object.');
        }
        const entries = Object.entries(body.Context as Record<string, unknown>);
        if (entries.length > 64) throw bad('Context has at most 64 keys.');
        for (const [k, v] of entries) given[k] = contextValue(k, v);
      }
      const base = buildRequestContext({
        sourceIp: '',
        now,
        secure: false,
        principal: who.principal,
        accessKeyId: who.accessKeyId,
        mfaPresent: who.mfa,
        userAgent: undefined,
        referer: undefined,
      });
      const context = withGiven(base, given);
      const role = assumedRoleRef(body.Action, body.Resource);
      let target: ResolvedTarget;
      if (role) {
        // sts:AssumeRole on a role: decided as AssumeRole decides it, with the role's trust policy.
        target = await trustTarget(
          { action: body.Action, resource: role, trustPolicy: true },
          role,
          env.services.roles,
        );
      } else {
        const stored = await env.resourcePolicy?.(body.Resource);
        const resource = stored?.resource ?? body.Resource;
        const owner = stored?.resourceOwnerAccountId ?? arnAccount(resource);
        target = {
          action: body.Action,
          resource,
          ...(owner && owner !== '*' && owner !== who.principal.accountId
            ? { resourceOwnerAccountId: owner }
            : {}),
          ...(stored?.resourcePolicy ? { resourcePolicy: stored.resourcePolicy } : {}),
        };
      }
      // Another account's resource is decided as stored but answered as the caller named it: the
      // owner's account id is not the asker's to learn (nor, in the explanation, its policy).
      const report = await env.authorizer.decide(who.principal, target, context, who.version, body.Resource);
      return json(200, requestId, {
        Decision: report.decision,
        Principal: principalArn(who.principal),
        Action: body.Action,
        Resource: report.resource,
        Explanation: report.explanation,
        ...(report.detail ? { AccessDeniedDetail: report.detail } : {}),
      });
    } catch (err) {
      return errorResponse(err, { requestId, format: 'JSON', service: undefined });
    }
  };
}

/** The resource policy of an OSS ARN: the stored bucket's policy and owner. */
export function ossResourcePolicy(
  findBucket: (name: string) => Promise<{ accountId: string; policy: string | null } | undefined>,
): ResourcePolicyLookup {
  return async (resource) => {
    const m = /^acs:oss:[^:]*:[^:]*:([a-z0-9][a-z0-9-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(resource);
    if (!m) return undefined;
    const b = await findBucket(m[1]!);
    if (!b) return undefined;
    return {
      resource: ossArn(b.accountId, m[1]!, m[2]),
      resourceOwnerAccountId: b.accountId,
      ...(b.policy !== null
        ? {
            resourcePolicy: {
              kind: 'oss-bucket-policy' as const,
              name: m[1]!,
              ownerAccountId: b.accountId,
              document: b.policy,
            },
          }
        : {}),
    };
  };
}
