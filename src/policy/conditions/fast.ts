/**
 * Allocation-free request-value readers for the compiled engine. Each returns exactly what the
 * reference parser (date.ts, ip.ts) returns, only faster for the common spellings; anything
 * else falls through to the reference parser. A one-entry memo serves the same text seen
 * twice in a row (several clauses on acs:CurrentTime, or repeated requests).
 */
import { parseDate } from './date.js';
import { parseIpAddress } from './ip.js';
import type { Scalar } from './string.js';

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** YYYY-MM-DDTHH:MM:SS followed by Z or ±HH:MM (no fraction); undefined otherwise. */
function quickDate(s: string): number | undefined {
  const n = s.length;
  if (n !== 20 && n !== 25) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return undefined;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
    return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 && leap ? 29 : (MONTH_DAYS[mo - 1] as number))) return undefined;
  let offsetMin = 0;
  const z = s.charCodeAt(19);
  if (n === 20) {
    if (z !== 90) return undefined;
  } else {
    if ((z !== 43 && z !== 45) || s.charCodeAt(22) !== 58) return undefined;
    const oh = digits(s, 20, 2);
    const om = digits(s, 23, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
  }
  const ms = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + sec * 1000;
  return ms - offsetMin * 60_000 + 0;
}

let lastDateText: Scalar | undefined;
let lastDate: number | undefined;

export function readDate(v: Scalar): number | undefined {
  if (v === lastDateText) return lastDate;
  const t = typeof v === 'string' ? (quickDate(v) ?? parseDate(v)) : parseDate(v);
  lastDateText = v;
  lastDate = t;
  return t;
}

/** Dotted-quad IPv4 as a number; -1 when the text is not one. */
function quickIPv4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let octet = 0;
  let len = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (len === 0) return -1;
      value = value * 256 + octet;
      octet = 0;
      len = 0;
      dots++;
      continue;
    }
    const dgt = c - 48;
    if (dgt < 0 || dgt > 9 || ++len > 3) return -1;
    octet = octet * 10 + dgt;
    if (octet > 255) return -1;
  }
  if (dots !== 3 || len === 0) return -1;
  return value * 256 + octet;
}

let lastIpText: Scalar | undefined;
let lastIp: number | bigint | undefined;

/** A request address: a number for IPv4 (mapped IPv6 included), a bigint for IPv6. */
export function readIp(v: Scalar): number | bigint | undefined {
  if (v === lastIpText) return lastIp;
  let out: number | bigint | undefined;
  const quick = typeof v === 'string' ? quickIPv4(v) : -1;
  if (quick >= 0) out = quick;
  else {
    const a = parseIpAddress(v);
    out = a === undefined ? undefined : a.n;
  }
  lastIpText = v;
  lastIp = out;
  return out;
}
