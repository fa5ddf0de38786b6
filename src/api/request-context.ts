import { roleArn } from '../arn.js';
import { principalArn, type Principal } from '../auth/principal.js';
import type { ContextValue, RequestContext } from '../policy/request.js';

/** What the transport and authentication know about a request, for the engine's acs:* keys. */
export interface ContextSource {
  /** The client address: the TCP peer, or the forwarded address when the peer is a trusted proxy. */
  readonly sourceIp: string;
  readonly now: Date;
  readonly secure: boolean;
  /** Undefined for an unsigned (anonymous) call. */
  readonly principal: Principal | undefined;
  readonly accessKeyId: string | undefined;
  readonly mfaPresent?: boolean;
  readonly userAgent: string | undefined;
  readonly referer: string | undefined;
}

const str = (v: string): ContextValue => ({ type: 'String', values: [v] });
const bool = (v: boolean): ContextValue => ({ type: 'Bool', values: [v] });

/** An IPv4-mapped IPv6 peer (::ffff:10.0.0.1) is presented as plain IPv4. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** The global condition keys of one request. AccessKey calls never carry MFA. */
export function buildRequestContext(src: ContextSource): RequestContext {
  const ctx: Record<string, ContextValue> = {
    'acs:SourceIp': { type: 'IP', values: [normalizeIp(src.sourceIp)] },
    'acs:CurrentTime': { type: 'Date', values: [src.now.toISOString()] },
    'acs:SecureTransport': bool(src.secure),
    'acs:MFAPresent': bool(src.mfaPresent ?? false),
  };
  if (src.principal) {
    // A role session is its role (`acs:ram::<uid>:role/<name in lower case>`, no session name):
    // control policies exempt a role by that ARN (docs/policy-language.md).
    const p = src.principal;
    ctx['acs:PrincipalARN'] = str(
      p.type === 'AssumedRole' ? roleArn(p.accountId, p.roleName) : principalArn(p),
    );
    ctx['acs:PrincipalAccount'] = str(src.principal.accountId);
    if (src.principal.type === 'RAMUser') ctx['acs:PrincipalRAMUserId'] = str(src.principal.userId);
  }
  if (src.accessKeyId) ctx['acs:AccessId'] = str(src.accessKeyId);
  if (src.userAgent) ctx['acs:UserAgent'] = str(src.userAgent);
  if (src.referer) ctx['acs:Referer'] = str(src.referer);
  return ctx;
}
