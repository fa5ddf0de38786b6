import type { IncomingHttpHeaders } from 'node:http';

/** One HTTP request as the transport received it, body fully read. */
export interface WireRequest {
  readonly method: string;
  /** Path without the query, e.g. `/`. */
  readonly path: string;
  /** The query string as sent, without `?`. */
  readonly rawQuery: string;
  /** Lower-case header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The TCP peer address, or the forwarded client address when the peer is a trusted proxy (src/server.ts). */
  readonly sourceIp: string;
  /** Whether the connection was TLS. */
  readonly secure: boolean;
}

/** What the transport writes back. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Set-Cookie headers, one per cookie (a header of headers holds one value). */
  readonly setCookies?: readonly string[];
  readonly body: string;
}

export type ResponseFormat = 'JSON' | 'XML';

export const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';
/** Exactly this string: the V3 clients compare it literally before parsing an XML error. */
export const XML_CONTENT_TYPE = 'text/xml;charset=utf-8';
