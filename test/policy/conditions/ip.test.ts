import { describe, expect, it } from 'vitest';
import { parseIpAddress, parseIpRange } from '../../../src/policy/conditions/ip.js';
import { conditionRows, ip, str, type Row } from '../helpers.js';

const K = 'acs:SourceIp';
const rows: Row[] = [
  ['IPv4 CIDR contains', { IpAddress: { [K]: '192.0.2.0/24' } }, { [K]: ip('192.0.2.255') }, true],
  ['IPv4 CIDR does not contain', { IpAddress: { [K]: '192.0.2.0/24' } }, { [K]: ip('192.0.3.0') }, false],
  ['bare IPv4 is /32', { IpAddress: { [K]: '203.0.113.5' } }, { [K]: ip('203.0.113.5') }, true],
  ['bare IPv4 other address', { IpAddress: { [K]: '203.0.113.5' } }, { [K]: ip('203.0.113.6') }, false],
  ['/0 contains every IPv4', { IpAddress: { [K]: '0.0.0.0/0' } }, { [K]: ip('255.255.255.255') }, true],
  ['host bits masked', { IpAddress: { [K]: '192.0.2.7/24' } }, { [K]: ip('192.0.2.200') }, true],
  ['list ORed', { IpAddress: { [K]: ['10.0.0.0/8', '192.0.2.0/24'] } }, { [K]: ip('192.0.2.1') }, true],
  ['IPv6 CIDR', { IpAddress: { [K]: '2001:db8::/32' } }, { [K]: ip('2001:db8:ffff::1') }, true],
  ['IPv6 outside', { IpAddress: { [K]: '2001:db8::/32' } }, { [K]: ip('2001:db9::1') }, false],
  [
    'IPv6 spelling',
    { IpAddress: { [K]: '2001:0db8:0000:0000:0000:0000:0000:0001' } },
    { [K]: ip('2001:db8::1') },
    true,
  ],
  ['IPv4 CIDR vs native IPv6', { IpAddress: { [K]: '0.0.0.0/0' } }, { [K]: ip('2001:db8::1') }, false],
  ['IPv6 /0 vs IPv4', { IpAddress: { [K]: '::/0' } }, { [K]: ip('192.0.2.1') }, false],
  [
    'mapped IPv4 request compared as IPv4',
    { IpAddress: { [K]: '192.0.2.0/24' } },
    { [K]: ip('::ffff:192.0.2.10') },
    true,
  ],
  [
    'mapped IPv6 policy block',
    { IpAddress: { [K]: '::ffff:192.0.2.0/120' } },
    { [K]: ip('192.0.2.10') },
    true,
  ],
  ['absent key', { IpAddress: { [K]: '0.0.0.0/0' } }, {}, false],
  ['unparseable request', { IpAddress: { [K]: '0.0.0.0/0' } }, { [K]: str('localhost') }, false],
  ['NotIpAddress outside', { NotIpAddress: { [K]: '192.0.2.0/24' } }, { [K]: ip('198.51.100.1') }, true],
  ['NotIpAddress inside', { NotIpAddress: { [K]: '192.0.2.0/24' } }, { [K]: ip('192.0.2.1') }, false],
  ['NotIpAddress absent', { NotIpAddress: { [K]: '192.0.2.0/24' } }, {}, true],
  [
    'NotIpAddress several: one inside',
    { NotIpAddress: { [K]: '192.0.2.0/24' } },
    { [K]: ip('1.1.1.1', '192.0.2.9') },
    false,
  ],
  [
    'IpAddress several: any inside',
    { IpAddress: { [K]: '192.0.2.0/24' } },
    { [K]: ip('1.1.1.1', '192.0.2.9') },
    true,
  ],
];

describe('IP operators', () => {
  conditionRows(rows, it);

  it.each([
    '300.1.1.1',
    '192.0.2.0/33',
    '1.2.3',
    '1.2.3.4/',
    '1.2.3.4/-1',
    '::1/129',
    '1:2:3:4:5:6:7:8:9',
    'a::b::c',
    'fe80::1%eth0',
    '',
    'x',
  ])('rejects %j', (v) => expect(parseIpRange(v)).toBeUndefined());

  it('reads ranges', () => {
    expect(parseIpRange('192.0.2.7/24')).toEqual({ v6: false, lo: 0xc0000200, hi: 0xc00002ff });
    expect(parseIpRange('2001:db8::/126')).toEqual({
      v6: true,
      lo: 0x20010db8n << 96n,
      hi: (0x20010db8n << 96n) | 3n,
    });
    expect(parseIpAddress('::ffff:10.0.0.1')).toEqual({ v6: false, n: 0x0a000001 });
    expect(parseIpAddress('::1')).toEqual({ v6: true, n: 1n });
    expect(parseIpAddress('1::2:3.4.5.6')).toEqual({ v6: true, n: (1n << 112n) | (2n << 32n) | 0x03040506n });
  });
});
