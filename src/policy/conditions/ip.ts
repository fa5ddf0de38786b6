/** IP family: IpAddress, NotIpAddress. IPv4 as 32-bit numbers, IPv6 as 128-bit bigints. */
import type { Scalar } from './string.js';

export type IpAddress =
  { readonly v6: false; readonly n: number } | { readonly v6: true; readonly n: bigint };
export type IpRange =
  | { readonly v6: false; readonly lo: number; readonly hi: number }
  | { readonly v6: true; readonly lo: bigint; readonly hi: bigint };

const V4 = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/;

export function parseIPv4(s: string): number | undefined {
  const m = V4.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let k = 1; k <= 4; k++) {
    const o = Number(m[k]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

export function parseIPv6(s: string): bigint | undefined {
  if (s.length < 2 || s.length > 45 || s.includes('%')) return undefined;
  let tail4: number | undefined;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    tail4 = parseIPv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  if (tail4 !== undefined) n = (n & ~0xffffffffn) | BigInt(tail4);
  return n;
}

/** A request address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address. */
export function parseIpAddress(v: Scalar): IpAddress | undefined {
  if (typeof v !== 'string') return undefined;
  const v4 = parseIPv4(v);
  if (v4 !== undefined) return { v6: false, n: v4 };
  const v6 = parseIPv6(v);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { v6: false, n: Number(v6 & 0xffffffffn) };
  return { v6: true, n: v6 };
}

/**
 * A policy value: address or CIDR block. Host bits are masked off; a bare address is /32
 * or /128. An IPv4-mapped IPv6 block of prefix >= 96 is the IPv4 block it maps.
 */
export function parseIpRange(v: Scalar): IpRange | undefined {
  if (typeof v !== 'string') return undefined;
  const slash = v.indexOf('/');
  const addr = slash < 0 ? v : v.slice(0, slash);
  const lenText = slash < 0 ? undefined : v.slice(slash + 1);
  if (lenText !== undefined && !/^[0-9]{1,3}$/.test(lenText)) return undefined;
  const v4 = parseIPv4(addr);
  if (v4 !== undefined) {
    const len = lenText === undefined ? 32 : Number(lenText);
    if (len > 32) return undefined;
    const size = 2 ** (32 - len);
    const lo = v4 - (v4 % size);
    return { v6: false, lo, hi: lo + size - 1 };
  }
  const v6 = parseIPv6(addr);
  if (v6 === undefined) return undefined;
  const len = lenText === undefined ? 128 : Number(lenText);
  if (len > 128) return undefined;
  if (len >= 96 && v6 >> 32n === 0xffffn) {
    const size = 2 ** (128 - len);
    const a = Number(v6 & 0xffffffffn);
    const lo = a - (a % size);
    return { v6: false, lo, hi: lo + size - 1 };
  }
  const host = (1n << BigInt(128 - len)) - 1n;
  const lo = v6 & ~host & ((1n << 128n) - 1n);
  return { v6: true, lo, hi: lo | host };
}

export function ipInRange(a: IpAddress, r: IpRange): boolean {
  if (a.v6 !== r.v6) return false;
  return a.n >= r.lo && a.n <= r.hi;
}
