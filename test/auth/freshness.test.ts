import { describe, expect, it } from 'vitest';
import { checkTimestamp, nonceExpiry, parseTimestamp } from '../../src/auth/freshness.js';
import { percentDecode, percentEncode } from '../../src/auth/percent-encode.js';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('checkTimestamp', () => {
  it.each([
    ['2026-11-23T12:00:00Z', 'ok'],
    ['2026-11-23T12:15:00Z', 'ok'],
    ['2026-11-23T11:45:00Z', 'ok'],
    ['2026-11-23T12:15:01Z', 'expired'],
    ['2026-11-23T11:44:59Z', 'expired'],
    ['2026-11-23T12:00:00.123Z', 'ok'],
    ['2026-11-23 12:00:00', 'format'],
    ['2026-11-23T12:00:00+08:00', 'format'],
    ['2026-02-31T12:00:00Z', 'format'],
    ['1700000000', 'format'],
    ['', 'format'],
  ])('%j -> %s', (text, expected) => {
    expect(checkTimestamp(text, NOW)).toBe(expected);
  });

  it('parses UTC', () => {
    expect(parseTimestamp('2026-11-23T12:04:43Z')?.toISOString()).toBe('2026-11-23T12:04:43.000Z');
  });

  it('keeps a nonce past the window on both sides of the clock', () => {
    expect(nonceExpiry(NOW).getTime() - NOW.getTime()).toBe(30 * 60 * 1000);
  });
});

describe('percentEncode / percentDecode', () => {
  it.each([
    [' ', '%20'],
    ['*', '%2A'],
    ['~', '~'],
    ['/', '%2F'],
    ['+', '%2B'],
    ['=', '%3D'],
    ['&', '%26'],
    ["!'()", '%21%27%28%29'],
    ['中', '%E4%B8%AD'],
    ['😀', '%F0%9F%98%80'],
    ['aZ09-_.', 'aZ09-_.'],
  ])('%j <-> %s', (plain, encoded) => {
    expect(percentEncode(plain)).toBe(encoded);
    expect(percentDecode(encoded)).toBe(plain);
  });

  it('does not turn + into a space and keeps a malformed escape', () => {
    expect(percentDecode('a+b')).toBe('a+b');
    expect(percentDecode('100%')).toBe('100%');
    expect(percentDecode('%E4%B8%AD%zz')).toBe('中%zz');
  });
});
