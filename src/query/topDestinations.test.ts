import type { EgressCell } from './cells';
import { rankDestinations } from './topDestinations';

const cell = (over: Partial<EgressCell>): EgressCell => ({
  sourceNamespace: 'n',
  sourceWorkload: 'w',
  destination: 'a.example.com',
  verdict: 'passthrough',
  listener: 'http',
  requests: 0,
  connections: 0,
  bytesSent: 0,
  bytesReceived: 0,
  category: 'external',
  ...over,
});

describe('rankDestinations', () => {
  const cells = [
    cell({ destination: 'a.example.com', requests: 5 }),
    cell({ destination: 'a.example.com', sourceWorkload: 'v', requests: 6 }),
    cell({ destination: 'b.example.com', requests: 10 }),
    cell({ destination: '2001:db8::9', listener: 'tcp', port: 443, connections: 3, bytesReceived: 9000 }),
    cell({ destination: '203.0.113.9', listener: 'tcp', port: 443, connections: 3, bytesReceived: 100 }),
  ];

  it('sums a destination over its sources, most traffic first, ties by the other measure', () => {
    expect(rankDestinations(cells).map((r) => [r.destination, r.volume])).toEqual([
      ['a.example.com', 11],
      ['b.example.com', 10],
      ['2001:db8::9', 3],
      ['203.0.113.9', 3],
    ]);
    expect(rankDestinations(cells, 'bytes').map((r) => r.destination)).toEqual([
      '2001:db8::9',
      '203.0.113.9',
      'a.example.com',
      'b.example.com',
    ]);
  });
});
