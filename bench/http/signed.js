// A RAM request signed with V3 as the official V3 clients send it: POST, every parameter in
// the query, an empty body. Shared by the load (pre-signed for wrk) and the in-process profile.
import { percentEncode } from '../../dist/auth/percent-encode.js';
import { signRequestV3 } from '../../dist/auth/signature-v3.js';

/**
 * `{ path, headers }` of one signed request; `nonce` and `now` default to fresh ones. A key
 * with a `securityToken` (temporary credentials) signs it in, as the V3 clients do.
 */
export function signed(host, key, action, params, { nonce, now, version = '2015-05-01' } = {}) {
  const query = Object.entries(params);
  const headers = signRequestV3({
    method: 'POST',
    host,
    action,
    version,
    query,
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    ...(key.securityToken ? { securityToken: key.securityToken } : {}),
    ...(nonce ? { nonce } : {}),
    ...(now ? { now } : {}),
  });
  const path = `/?${query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`;
  return { path, headers };
}
