/**
 * Identity providers inside the tests: self-signed certificates made by the `openssl` command,
 * a real OpenID Provider (oidc-provider) over HTTPS, and a TLS front for a Rampart server (the
 * OIDC credentials provider of @alicloud/credentials speaks HTTPS only).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, request as httpsRequest, type Server } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  /** SHA-1 of the DER, 40 lower-case hex digits (the form of an OIDC provider's Fingerprints). */
  readonly fingerprint: string;
  /** The PEM files (for NODE_EXTRA_CA_CERTS). */
  readonly certFile: string;
  remove(): void;
}

/** A self-signed certificate for 127.0.0.1 and localhost (or the names given), valid one day. */
export function selfSignedCertificate(cn = '127.0.0.1', san = 'IP:127.0.0.1,DNS:localhost'): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-cert-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certFile, 'utf8');
  return {
    key: readFileSync(keyFile, 'utf8'),
    cert,
    fingerprint: new X509Certificate(cert).fingerprint.replace(/:/g, '').toLowerCase(),
    certFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface OidcIssuer {
  /** https://127.0.0.1:<port> */
  readonly issuer: string;
  /** The client whose client_credentials tokens are JWTs with audience `audience`. */
  readonly clientId: string;
  readonly audience: string;
  /** The issuer's signing key and its kid (tests mint tokens the issuer could have minted). */
  readonly signingKey: CryptoKey;
  readonly kid: string;
  /** A fresh access token (JWT) from the token endpoint: a token the real issuer minted. */
  issueToken(): Promise<string>;
  /** Serves another certificate from now on (the issuer changed its certificate). */
  changeCertificate(c: TestCertificate): void;
  stop(): Promise<void>;
}

/** An HTTPS GET or POST trusting `ca` only. */
export function httpsCall(
  url: string,
  ca: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * A real OpenID Provider (oidc-provider) on 127.0.0.1 over HTTPS with `cert`: discovery, JWKS,
 * and client_credentials access tokens in JWT form (RS256, the key generated here).
 */
export async function startOidcIssuer(cert: TestCertificate, audience = 'rampart-sts'): Promise<OidcIssuer> {
  let handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = (
    _q,
    s,
  ) => s.end();
  const server: Server = createHttpsServer({ key: cert.key, cert: cert.cert }, (q, s) => handler(q, s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const issuer = `https://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `key-${port}`;
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid, use: 'sig', alg: 'RS256' };
  const clientId = 'ci-runner';
  const clientSecret = 'ci-runner-secret-for-tests-only';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
    ],
    jwks: { keys: [jwk] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:rampart:sts',
        getResourceServerInfo: () => ({
          scope: '',
          audience,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
        useGrantedResource: () => true,
      },
    },
    ttl: { ClientCredentials: 600 },
  } as never);
  handler = provider.callback() as typeof handler;
  let ca = cert.cert;
  return {
    issuer,
    clientId,
    audience,
    signingKey: privateKey,
    kid,
    async issueToken() {
      const r = await httpsCall(`${issuer}/token`, ca, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
      if (r.status !== 200) throw new Error(`token endpoint answered ${r.status}: ${r.body}`);
      return (JSON.parse(r.body) as { access_token: string }).access_token;
    },
    changeCertificate(c) {
      server.setSecureContext({ key: c.key, cert: c.cert });
      ca = c.cert;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JWT signed by `key` (RS256 unless alg is given), with the given header kid and claims. */
export async function mintToken(
  key: CryptoKey | Uint8Array,
  claims: JWTPayload,
  header: { kid?: string; alg?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: header.alg ?? 'RS256', ...(header.kid ? { kid: header.kid } : {}) })
    .sign(key);
}

/** A TLS front on 127.0.0.1 that passes every connection to `port` (HTTPS for an HTTP server). */
export async function tlsFront(
  cert: TestCertificate,
  port: number,
): Promise<{ host: string; stop(): Promise<void> }> {
  const server: TlsServer = createTlsServer({ key: cert.key, cert: cert.cert }, (socket) => {
    const upstream = connect(port, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
