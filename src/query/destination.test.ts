import { parseDestination, parseIPv6 } from './destination';
import { compileDestinationNames } from './destinationNames';

describe('parseDestination', () => {
  it.each([
    ['203.0.113.10', { host: '203.0.113.10', kind: 'ipv4' }],
    ['203.0.113.10:5432', { host: '203.0.113.10', port: 5432, kind: 'ipv4' }],
    ['[2001:db8::7]:443', { host: '2001:db8::7', port: 443, kind: 'ipv6' }],
    ['2001:DB8::9', { host: '2001:db8::9', kind: 'ipv6' }],
    ['[::ffff:1.2.3.4]', { host: '::ffff:1.2.3.4', port: undefined, kind: 'ipv6' }],
    ['api.github.com:8443', { host: 'api.github.com', port: 8443, kind: 'host' }],
    ['api.github.com', { host: 'api.github.com', kind: 'host' }],
    ['host:99999', { host: 'host:99999', kind: 'host' }],
    ['1.2.3.400', { host: '1.2.3.400', kind: 'host' }],
  ])('%s', (raw, want) => {
    expect(parseDestination(raw)).toEqual(want);
  });

  it('parses IPv6 forms into eight groups', () => {
    expect(parseIPv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIPv6('1::2::3')).toBeUndefined();
    expect(parseIPv6('1:2:3')).toBeUndefined();
    expect(parseIPv6('example.com')).toBeUndefined();
  });
});

describe('compileDestinationNames', () => {
  const lookup = compileDestinationNames([
    { cidr: '52.216.0.0/15', name: 'S3' },
    { cidr: '52.216.4.0/24', name: 'S3 eu-west' },
    { cidr: '2001:db8::/32', name: 'Docs v6' },
    { cidr: '203.0.113.10', name: 'Partner DB' },
  ]);
  it('names by the longest matching prefix', () => {
    expect(lookup('52.217.0.20')).toBe('S3');
    expect(lookup('52.216.4.9')).toBe('S3 eu-west');
    expect(lookup('52.218.0.1')).toBeUndefined();
    expect(lookup('2001:db8::7')).toBe('Docs v6');
    expect(lookup('2001:db9::7')).toBeUndefined();
    expect(lookup('203.0.113.10')).toBe('Partner DB');
    expect(lookup('203.0.113.11')).toBeUndefined();
    expect(lookup('not-an-ip')).toBeUndefined();
  });
  it.each([
    [{ cidr: '52.216.0.0/33', name: 'x' }, /rule 1 .*not an IP or CIDR/],
    [{ cidr: 'example.com', name: 'x' }, /not an IP or CIDR/],
    [{ cidr: '10.0.0.0/8', name: ' ' }, /has no name/],
  ])('rejects %j', (rule, re) => {
    expect(() => compileDestinationNames([rule])).toThrow(re);
  });
});
