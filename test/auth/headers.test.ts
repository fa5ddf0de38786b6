import { describe, expect, it } from 'vitest';
import { headerValue } from '../../src/auth/headers.js';
import { V3_REQUIRED_SIGNED_HEADERS, canonicalRequestV3 } from '../../src/auth/signature-v3.js';

describe('headerValue, the one header reader', () => {
  it.each([
    ['absent', {}, undefined],
    ['a single value', { 'x-acs-action': 'GetUser' }, 'GetUser'],
    ['an empty value', { 'x-acs-action': '' }, ''],
    ['surrounding whitespace', { 'x-acs-action': '  GetUser \t' }, 'GetUser'],
    ['a repeated header, in the order received', { 'x-acs-action': ['b', 'a'] }, 'b, a'],
    [
      'a repeated header, each value trimmed',
      { 'x-acs-action': [' CreateUser ', 'GetUser '] },
      'CreateUser, GetUser',
    ],
    ['an empty list', { 'x-acs-action': [] }, undefined],
  ] as const)('reads %s', (_what, headers, expected) => {
    expect(headerValue(headers, 'x-acs-action')).toBe(expected);
  });

  it('reads a list the same as node:http joins the repeated header into one string', () => {
    expect(headerValue({ 'x-acs-date': ['a', 'b'] }, 'x-acs-date')).toBe(
      headerValue({ 'x-acs-date': 'a, b' }, 'x-acs-date'),
    );
  });

  it('is the value the V3 canonical request signs', () => {
    const canonical = (headers: Record<string, string | string[]>) =>
      canonicalRequestV3({
        method: 'POST',
        path: '/',
        query: [],
        headers,
        signedHeaders: ['x-acs-action'],
        payloadHash: 'h',
      });
    expect(canonical({ 'x-acs-action': [' CreateUser', 'GetUser '] })).toBe(
      canonical({ 'x-acs-action': 'CreateUser, GetUser' }),
    );
    // Reordering repeated values changes what is read, so it changes what is signed too.
    expect(canonical({ 'x-acs-action': ['GetUser', 'CreateUser'] })).not.toBe(
      canonical({ 'x-acs-action': ['CreateUser', 'GetUser'] }),
    );
    expect(canonical({ 'x-acs-action': '  GetUser  ' }).split('\n')[3]).toBe('x-acs-action:GetUser');
  });
});

describe('the headers that route a V3 request', () => {
  it('are among those a V3 signature must cover', () => {
    expect(V3_REQUIRED_SIGNED_HEADERS).toEqual(expect.arrayContaining(['x-acs-action', 'x-acs-version']));
  });
});
