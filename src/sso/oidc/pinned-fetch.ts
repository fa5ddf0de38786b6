import { X509Certificate } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
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
  | 'fingerprint'
  /** The host is, or resolves to, an address of a network not reached (`allowPrivateNetworks`). */
  | 'network';

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
  /** Longest silence on the connection. */
  readonly timeoutMs?: number;
  /** Longest the whole fetch may take, however the issuer trickles its answer. */
  readonly deadlineMs?: number;
  readonly maxBytes?: number;
  /**
   * Whether the issuer may be on a loopback, private, link-local or other non-public network
   * (PRIVATE_NETWORKS). Default false: a tenant that registers an issuer must not make this
   * server reach into the networks it sits in.
   */
  readonly allowPrivateNetworks?: boolean;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_DEADLINE_MS = 10_000;
const DEFAULT_MAX_BYTES = 512 * 1024;

/**
 * Addresses no public issuer has: this host, private and shared ranges, link-local (cloud
 * metadata services live there), multicast, reserved, and their IPv6 forms.
 */
export const PRIVATE_NETWORKS: BlockList = (() => {
  const list = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    list.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of [
    // (IPv4-mapped addresses are checked by their IPv4 form: isPrivateAddress.)
    ['::', 127],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const)
    list.addSubnet(net, bits, 'ipv6');
  return list;
})();

/** Whether an address is one of PRIVATE_NETWORKS (an IPv4-mapped IPv6 address by its IPv4 form). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE_NETWORKS.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE_NETWORKS.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const privateNetworkError = (): PinnedFetchError =>
  new PinnedFetchError('network', 'the issuer is on a loopback, private or link-local network');

/** dns.lookup that refuses every answer when any address is private: the connection uses only those checked. */
function publicLookup(
  hostname: string,
  options: object,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address)))
      return callback(privateNetworkError(), '');
    if ((options as { all?: boolean }).all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

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
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const allowPrivate = opts.allowPrivateNetworks ?? false;
  if (url.protocol !== 'https:') return Promise.reject(new PinnedFetchError('https', 'not an https URL'));
  // An address written in the URL is checked here; a name, when it is resolved (publicLookup).
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(literal) !== 0 && isPrivateAddress(literal))
    return Promise.reject(privateNetworkError());
  return new Promise((resolve, reject) => {
    let settled = false;
    const deadline = setTimeout(
      () => fail(new PinnedFetchError('https', 'the issuer did not answer in time')),
      deadlineMs,
    );
    const fail = (err: PinnedFetchError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
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
      ...(allowPrivate ? {} : { lookup: publicLookup }),
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
      fail(
        err instanceof PinnedFetchError
          ? err
          : new PinnedFetchError('https', `the issuer could not be reached: ${err.message}`),
      ),
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
          clearTimeout(deadline);
          resolve(body);
        } catch {
          fail(new PinnedFetchError('https', 'the issuer answer is not JSON'));
        }
      });
    });
    req.end();
  });
}
