import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/errors.js';
import {
  MAX_REQUEST_PARAMETERS,
  checkProtocol,
  chooseFormat,
  newRequestId,
  parseProtocol,
} from '../../../src/api/protocol/request.js';
import type { WireRequest } from '../../../src/api/protocol/wire.js';

function wire(over: Partial<WireRequest>): WireRequest {
  return {
    method: 'POST',
    path: '/',
    rawQuery: '',
    headers: {},
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    secure: false,
    ...over,
  };
}

describe('chooseFormat', () => {
  it.each([
    ['json', false, undefined, 'JSON'],
    ['XML', true, 'application/json', 'XML'],
    ['Json', false, undefined, 'JSON'],
    [undefined, true, undefined, 'JSON'],
    [undefined, false, 'application/json', 'JSON'],
    [undefined, false, undefined, 'XML'],
    [undefined, false, 'text/html', 'XML'],
  ] as const)('Format=%s, V3=%s, Accept=%s -> %s', (format, v3, accept, expected) => {
    expect(chooseFormat(format, v3, accept)).toBe(expected);
  });
});

describe('parseProtocol', () => {
  it('reads Action and Version from the V3 headers when the query has none', () => {
    const p = parseProtocol(
      wire({
        rawQuery: 'UserName=alice',
        headers: {
          'x-acs-action': 'GetUser',
          'x-acs-version': '2015-05-01',
          authorization: 'ACS3-HMAC-SHA256 x',
        },
      }),
      'R',
      new Date(),
    );
    expect([p.action, p.version, p.format, p.v3, p.params.UserName]).toEqual([
      'GetUser',
      '2015-05-01',
      'JSON',
      true,
      'alice',
    ]);
  });

  it('takes Action and Version of a request that is not V3 from the parameters only', () => {
    const headers = { 'x-acs-action': 'CreateUser', 'x-acs-version': '2015-05-01' };
    const withParams = parseProtocol(
      wire({ rawQuery: 'Action=ListUsers&Version=2015-04-01', headers }),
      'R',
      new Date(),
    );
    expect([withParams.action, withParams.version]).toEqual(['ListUsers', '2015-04-01']);
    // V2-signed or unsigned: the unsigned x-acs-* headers never route the request.
    const without = parseProtocol(wire({ rawQuery: 'AccessKeyId=AK&Signature=x', headers }), 'R', new Date());
    expect([without.action, without.version]).toEqual([undefined, undefined]);
  });

  it('takes Action and Version of a V3 request from its headers only', () => {
    const p = parseProtocol(
      wire({
        rawQuery: 'Action=CreateUser&Version=2015-04-01',
        headers: {
          authorization: 'ACS3-HMAC-SHA256 x',
          'x-acs-action': 'GetUser',
          'x-acs-version': '2015-05-01',
        },
      }),
      'R',
      new Date(),
    );
    expect([p.action, p.version]).toEqual(['GetUser', '2015-05-01']);
    const none = parseProtocol(
      wire({
        rawQuery: 'Action=CreateUser&Version=2015-05-01',
        headers: { authorization: 'ACS3-HMAC-SHA256 x' },
      }),
      'R',
      new Date(),
    );
    expect([none.action, none.version]).toEqual([undefined, undefined]);
  });

  it('merges the query and a form body, decoding %20 and + as a space and %2B as a plus sign', () => {
    const p = parseProtocol(
      wire({
        rawQuery: 'Action=CreateUser&Comments=q&DisplayName=Alice+Smith',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: Buffer.from('UserName=a%2Bb&Comments=x%20y+z&Name=%E4%B8%AD'),
      }),
      'R',
      new Date(),
    );
    expect(p.params).toMatchObject({
      Action: 'CreateUser',
      UserName: 'a+b',
      Comments: 'x y z',
      Name: '中',
      DisplayName: 'Alice Smith',
    });
    expect(p.query).toEqual([
      ['Action', 'CreateUser'],
      ['Comments', 'q'],
      ['DisplayName', 'Alice Smith'],
    ]);
  });

  it('reads headers with the one header reader: a repeated header is all its values', () => {
    // node:http types accept as one string; a transport may still hand over the repeated header as a list.
    const accept = ['text/html', 'application/json'] as unknown as string;
    const p = parseProtocol(wire({ headers: { accept } }), 'R', new Date());
    expect(p.format).toBe('JSON');
  });

  it('ignores a body that is not a form', () => {
    const p = parseProtocol(
      wire({ headers: { 'content-type': 'application/json' }, body: Buffer.from('{"UserName":"a"}') }),
      'R',
      new Date(),
    );
    expect(p.form).toEqual([]);
    expect(p.params.UserName).toBeUndefined();
  });
});

describe('the parameter limit', () => {
  const pairs = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}${i}=v`).join('&');
  const form = (body: string) =>
    wire({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(body) });

  it('is 1,000 parameters, query and form body together', () => {
    expect(MAX_REQUEST_PARAMETERS).toBe(1000);
    expect(parseProtocol(wire({ rawQuery: pairs('Q', 1000) }), 'R', new Date()).tooManyParameters).toBe(
      false,
    );
    expect(parseProtocol(form(pairs('F', 1000)), 'R', new Date()).tooManyParameters).toBe(false);
    expect(
      parseProtocol({ ...form(pairs('F', 400)), rawQuery: pairs('Q', 600) }, 'R', new Date())
        .tooManyParameters,
    ).toBe(false);
    for (const w of [
      wire({ rawQuery: pairs('Q', 1001) }),
      form(pairs('F', 1001)),
      { ...form(pairs('F', 401)), rawQuery: pairs('Q', 600) },
    ]) {
      expect(parseProtocol(w, 'R', new Date()).tooManyParameters).toBe(true);
    }
  });

  it('reads no more than one pair past the limit', () => {
    const p = parseProtocol(form(pairs('F', 100_000)), 'R', new Date());
    expect(p.form).toHaveLength(1001);
    expect(Object.keys(p.params)).toHaveLength(1001);
  });

  it('does not count empty pieces between ampersands', () => {
    const p = parseProtocol(wire({ rawQuery: `&&${pairs('Q', 1000)}&&&` }), 'R', new Date());
    expect(p.tooManyParameters).toBe(false);
  });
});

describe('checkProtocol', () => {
  const fails = (w: WireRequest): ApiError => {
    try {
      checkProtocol(parseProtocol(w, 'R', new Date()));
    } catch (err) {
      return err as ApiError;
    }
    throw new Error('expected a refusal');
  };

  it('refuses more than 1,000 parameters first', () => {
    const rawQuery = Array.from({ length: 1001 }, (_, i) => `P${i}=v`).join('&');
    const e = fails(wire({ method: 'PUT', rawQuery }));
    expect([e.code, e.status, e.message]).toEqual([
      'InvalidParameter',
      400,
      'The request carries more than 1000 parameters (query and form body together).',
    ]);
  });

  it('refuses a method other than GET and POST', () => {
    const e = fails(wire({ method: 'PUT' }));
    expect([e.code, e.status, e.message]).toEqual([
      'UnsupportedHTTPMethod',
      400,
      'The HTTP method PUT is not supported for this API.',
    ]);
  });

  it('refuses a Format other than JSON and XML', () => {
    const e = fails(wire({ rawQuery: 'Format=yaml' }));
    expect([e.code, e.status, e.message]).toEqual([
      'InvalidParameter.Format',
      400,
      'The specified parameter "Format" is not valid.',
    ]);
  });

  it('accepts GET and POST with either format', () => {
    for (const method of ['GET', 'POST']) {
      for (const f of ['JSON', 'xml']) {
        expect(() =>
          checkProtocol(parseProtocol(wire({ method, rawQuery: `Format=${f}` }), 'R', new Date())),
        ).not.toThrow();
      }
    }
  });
});

describe('newRequestId', () => {
  it('is an upper-case UUID of version 7 whose order is the order of time', async () => {
    const first = newRequestId();
    await new Promise((r) => setTimeout(r, 3));
    const ids = Array.from({ length: 1000 }, () => newRequestId());
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-7[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
      expect(id > first).toBe(true);
    }
    // The first 48 bits are the time in milliseconds.
    const ms = parseInt(first.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(5000);
  });
});
