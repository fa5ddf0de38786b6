/**
 * The wire of the data plane: request ids, the XML error envelope (in the body, or for HEAD
 * Base64-encoded in `x-oss-err`), and small header helpers.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { toXml } from '../api/protocol/xml.js';
import type { OssError } from './errors.js';

const PROCESS_ID = randomBytes(6).toString('hex').toUpperCase();
let sequence = 0;

/**
 * 24 upper-case hex characters, the form of the service's x-oss-request-id: 12 random to
 * this process, then a counter (unique per process without a random draw per request).
 */
export function newOssRequestId(): string {
  sequence = (sequence + 1) % 0x1000000000000;
  return PROCESS_ID + sequence.toString(16).toUpperCase().padStart(12, '0');
}

/** Header values as single strings (repeated headers joined with a comma), names lower case. */
export function flatHeaders(h: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name in h) {
    const v = h[name];
    out[name] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}

/** The headers every answer carries. */
export function baseHeaders(res: ServerResponse, requestId: string, now: Date): void {
  res.setHeader('x-oss-request-id', requestId);
  res.setHeader('date', now.toUTCString());
  res.setHeader('server', 'AliyunOSS');
}

export function sendXml(
  res: ServerResponse,
  status: number,
  root: string,
  body: Record<string, unknown>,
): void {
  const text = toXml(root, body);
  res.setHeader('content-type', 'application/xml');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.writeHead(status);
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.setHeader('content-length', 0);
  res.writeHead(status);
  res.end();
}

/** The error envelope (reference/oss-data-plane.md section 4). */
export function sendError(
  res: ServerResponse,
  err: OssError,
  requestId: string,
  hostId: string,
  head: boolean,
): void {
  const body: Record<string, unknown> = {
    Code: err.code,
    Message: err.message,
    RequestId: requestId,
    HostId: hostId,
    ...err.extra,
    EC: err.ec,
    RecommendDoc: `https://api.aliyun.com/troubleshoot?q=${err.ec}`,
  };
  res.setHeader('x-oss-ec', err.ec);
  if (head) {
    res.setHeader('x-oss-err', Buffer.from(toXml('Error', body)).toString('base64'));
    sendEmpty(res, err.status);
    return;
  }
  sendXml(res, err.status, 'Error', body);
}
