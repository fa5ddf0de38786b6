/**
 * A middleware for node:http-style servers (plain `http.createServer`, Express, Connect):
 * it sends each request's OSS-style signature (V1 or V4, header or presigned URL, AccessKeys
 * or STS credentials) to Rampart's authorization point (`POST /authorize`), which
 * authenticates it and decides `action` on `resource` with the same engine, caches and
 * invalidation as Rampart's own API: a revoked permission is refused on the next request.
 *
 *     import { rampartAuthorization } from 'rampart/middleware';
 *     const guard = rampartAuthorization({
 *       endpoint: 'http://127.0.0.1:8080',
 *       accessKeyId, accessKeySecret,              // the service's own credentials
 *       action: (req) => (req.method === 'GET' ? 'files:Read' : 'files:Write'),
 *       resource: (req) => `acs:files:*:${accountId}:${req.url}`,
 *     });
 *     http.createServer((req, res) => guard(req, res, () => serve(req, res)));
 *
 * An allowed request goes on to `next()` with `req.rampart` set to the decision; a refused
 * one is answered 403 (or the authentication error's status) in JSON, and `next` is not called.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signRequestV3 } from '../auth/signature-v3.js';

export type ContextInput = Readonly<
  Record<string, string | number | boolean | readonly (string | number | boolean)[]>
>;

export interface RampartAuthorizationOptions {
  /** Rampart's base URL, e.g. http://127.0.0.1:8080. */
  readonly endpoint: string;
  /** The asking service's credentials (allowed rampart:Authorize in its account). */
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
  readonly action: (req: IncomingMessage) => string;
  readonly resource: (req: IncomingMessage) => string;
  /** Extra condition keys; acs:SourceIp and acs:SecureTransport are filled in from the connection. */
  readonly context?: (req: IncomingMessage) => ContextInput;
}

export interface RampartDecision {
  readonly Decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  readonly Principal: string;
  readonly Action: string;
  readonly Resource: string;
  readonly Explanation: string;
  readonly AccessDeniedDetail?: Record<string, string>;
  readonly RequestId: string;
}

export type AuthorizedRequest = IncomingMessage & { rampart?: RampartDecision };

/** Asks the authorization point about one request. */
export async function askRampart(
  opts: Omit<RampartAuthorizationOptions, 'action' | 'resource' | 'context'>,
  question: { request: IncomingMessage; action: string; resource: string; context?: ContextInput },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const req = question.request;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const socket = req.socket as { remoteAddress?: string; encrypted?: boolean };
  const context: Record<string, unknown> = {
    ...(socket.remoteAddress
      ? { 'acs:SourceIp': socket.remoteAddress.replace(/^::ffff:(?=\d+\.)/, '') }
      : {}),
    'acs:SecureTransport': socket.encrypted === true,
    ...(question.context ?? {}),
  };
  const body = JSON.stringify({
    Request: { Method: req.method ?? 'GET', Path: req.url ?? '/', Headers: headers },
    Action: question.action,
    Resource: question.resource,
    Context: context,
  });
  const url = new URL('/authorize', opts.endpoint);
  const signed = signRequestV3({
    method: 'POST',
    path: '/authorize',
    host: url.host,
    action: 'Authorize',
    version: '2015-05-01',
    query: [],
    body,
    contentType: 'application/json',
    accessKeyId: opts.accessKeyId,
    accessKeySecret: opts.accessKeySecret,
    ...(opts.securityToken ? { securityToken: opts.securityToken } : {}),
  });
  const { host: _host, ...sendHeaders } = signed;
  void _host;
  const res = await fetch(url, { method: 'POST', headers: sendHeaders, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export function rampartAuthorization(opts: RampartAuthorizationOptions) {
  return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const refuse = (status: number, body: object): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    let action: string;
    let resource: string;
    let context: ContextInput | undefined;
    try {
      action = opts.action(req);
      resource = opts.resource(req);
      context = opts.context?.(req);
    } catch (err) {
      next(err);
      return;
    }
    askRampart(opts, { request: req, action, resource, ...(context ? { context } : {}) }).then(
      ({ status, body }) => {
        if (status === 200 && body.Decision === 'Allow') {
          (req as AuthorizedRequest).rampart = body as unknown as RampartDecision;
          next();
          return;
        }
        if (status === 200) {
          refuse(403, { Code: 'AccessDenied', ...body });
          return;
        }
        // The request's own credentials were refused (unknown key, bad signature, expired...).
        refuse(status >= 500 ? 502 : status === 400 ? 403 : status, body);
      },
      (err: unknown) => next(err),
    );
  };
}
