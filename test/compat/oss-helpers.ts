/**
 * Helpers of the OSS compatibility tests: the official `ali-oss` client (unchanged) pointed at
 * a test server in its three addressing forms, and its errors.
 */
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { KeyPair } from '../helpers/server.js';

// ali-oss ships no types; the tests read its answers as JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Oss = any;

const require = createRequire(import.meta.url);
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => Oss;

export type Addressing = 'ip' | 'path';

export interface OssOptions {
  readonly bucket?: string;
  /** V4 signatures (authorizationV4: true); V1 otherwise, the client's default. */
  readonly v4?: boolean;
  /**
   * `ip` (default): endpoint 127.0.0.1:<port>; the client sends the bucket in the Host header
   * (`<bucket>.oss-cn-hangzhou.aliyuncs.com`). `path`: endpoint localhost:<port> with
   * sldEnable, the bucket as the first path segment (the form presigned URLs need).
   */
  readonly addressing?: Addressing;
}

/** An ali-oss client for a test server (root keys unless others are given). */
export function ossClient(server: { port: number }, keys: KeyPair, opts: OssOptions = {}): Oss {
  const path = opts.addressing === 'path';
  return new OSS({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    ...(keys.securityToken ? { stsToken: keys.securityToken } : {}),
    endpoint: path ? `http://localhost:${server.port}` : `http://127.0.0.1:${server.port}`,
    ...(path ? { sldEnable: true } : {}),
    ...(opts.v4 ? { authorizationV4: true } : {}),
    ...(opts.bucket ? { bucket: opts.bucket } : {}),
    // The client refreshes nothing on its own; keep tests quick when something hangs.
    timeout: 20_000,
  });
}

export interface OssFailure {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly requestId?: string;
  readonly ecCode?: string;
}

/** The error an ali-oss call fails with; fails the test when the call succeeds. */
export async function ossFailure(promise: Promise<unknown>): Promise<OssFailure> {
  try {
    await promise;
  } catch (err) {
    const e = err as OssFailure;
    return { code: e.code, status: e.status, message: e.message, requestId: e.requestId, ecCode: e.ecCode };
  }
  expect.fail('the call succeeded');
}

/** The EncodedDiagnosticMessage an AccessDenied message carries. */
export function encodedDiagnostic(message: string): string {
  const m = /EncodedDiagnosticMessage: (\S+)/.exec(message);
  if (!m) throw new Error(`no diagnostic in: ${message}`);
  return m[1]!;
}
