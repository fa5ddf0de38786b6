import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { request } from 'node:https';
import { constantTimeEqual } from '../../crypto/constant-time.js';

/**
 * GET of a JSON document over HTTPS from an OIDC issuer whose certificate is pinned: the
 * connection is accepted when the SHA-1 fingerprint of a certificate of the chain the server
 * presents is one of the provider's Fingerprints, every certificate below it being signed by
 * the next, and the leaf names the host. No certificate authority is consulted, so a
 * self-signed issuer works, and a changed certificate is refused even when a CA vouches for it.
 */

export type PinnedFetchFailure =
  /** TLS could not be set up, the host does not match the certificate, or the answer is unusable. */
  | 'https'
  /** No certificate of the chain has a pinned fingerprint. */
  | 'fingerprint';

export class PinnedFetchError extends Error {
  constructor(
    readonly failure: PinnedFetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'PinnedFetchError';
  }
}

export interface PinnedFetchOptions {
  /** Lower-case SHA-1 hex of the accepted certificates (40 characters each). */
  readonly fingerprints: readonly string[];
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_BYTES = 512 * 1024;

/** The chain as presented: leaf first, each entry followed by its issuer, ending at a self-issued one. */
function presentedChain(leaf: PeerCertificate & { issuerCertificate?: PeerCertificate }): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let c: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = leaf;
  while (c && c.raw && !seen.has(c.fingerprint256) && out.length < 10) {
    seen.add(c.fingerprint256);
    out.push(new X509Certificate(c.raw));
    c = c.issuerCertificate as typeof c;
  }
  return out;
}

const sha1Hex = (c: X509Certificate): string => c.fingerprint.replace(/:/g, '').toLowerCase();

/**
 * Whether the chain is pinned: some certificate has a pinned fingerprint and every certificate
 * below it was issued and signed by the next one (a server cannot borrow a pinned CA
 * certificate it does not chain to).
 */
export function chainIsPinned(chain: readonly X509Certificate[], fingerprints: readonly string[]): boolean {
  for (let i = 0; i < chain.length; i++) {
    const fp = sha1Hex(chain[i]!);
    if (fingerprints.some((f) => constantTimeEqual(f.toLowerCase(), fp))) return true;
    const issuer = chain[i + 1];
    if (!issuer || !chain[i]!.checkIssued(issuer) || !chain[i]!.verify(issuer.publicKey)) return false;
  }
  return false;
}

export function fetchPinnedJson(url: URL, opts: PinnedFetchOptions): Promise<unknown> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (url.protocol !== 'https:') return Promise.reject(new PinnedFetchError('https', 'not an https URL'));
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: PinnedFetchError): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    const req = request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      // The pin replaces the CA check; it is done on the socket before anything is sent.
      rejectUnauthorized: false,
      agent: false,
      timeout: timeoutMs,
    });
    req.on('socket', (socket) => {
      (socket as TLSSocket).once('secureConnect', () => {
        const tls = socket as TLSSocket;
        const leaf = tls.getPeerCertificate(true);
        if (!leaf || !leaf.raw)
          return fail(new PinnedFetchError('https', 'the issuer presented no certificate'));
        const hostError = checkServerIdentity(url.hostname.replace(/^\[|\]$/g, ''), leaf);
        if (hostError)
          return fail(new PinnedFetchError('https', 'the issuer certificate does not name its host'));
        if (!chainIsPinned(presentedChain(leaf), opts.fingerprints)) {
          return fail(
            new PinnedFetchError('fingerprint', 'no certificate of the issuer has a registered fingerprint'),
          );
        }
      });
    });
    req.on('timeout', () => fail(new PinnedFetchError('https', 'the issuer did not answer in time')));
    req.on('error', (err) =>
      fail(new PinnedFetchError('https', `the issuer could not be reached: ${err.message}`)),
    );
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(new PinnedFetchError('https', `the issuer answered HTTP ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(new PinnedFetchError('https', 'the issuer answer is too large'));
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(new PinnedFetchError('https', err.message)));
      res.on('end', () => {
        if (settled) return;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          settled = true;
          resolve(body);
        } catch {
          fail(new PinnedFetchError('https', 'the issuer answer is not JSON'));
        }
      });
    });
    req.end();
  });
}
