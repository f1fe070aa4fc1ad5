import type { EgressCell } from '../query';
import { limitDestinations, timeSeriesFrames } from './frames';

const cell = (destination: string, requests: number, bytes: number): EgressCell => ({
  sourceNamespace: 'shop',
  sourceWorkload: 'checkout',
  destination,
  verdict: 'passthrough',
  listener: bytes > 0 ? 'tcp' : 'http',
  category: 'external',
  requests: bytes > 0 ? 0 : requests,
  connections: bytes > 0 ? requests : 0,
  bytesSent: bytes,
  bytesReceived: 0,
  responseCodes: {},
});

describe('the destination limit', () => {
  it('keeps the destinations with the most requests and connections; bytes only break ties', () => {
    const cells = [cell('a.com', 10, 0), cell('10.0.0.1', 5, 1e9), cell('10.0.0.2', 5, 10)];
    // A gigabyte over 5 connections is less traffic than 10 requests, as the panel's intensity counts it.
    expect(limitDestinations(cells, 1).cells.map((c) => c.destination)).toEqual(['a.com']);
    expect(limitDestinations(cells, 2).cells.map((c) => c.destination)).toEqual(['a.com', '10.0.0.1']);
    expect(limitDestinations(cells, 2).notice?.text).toMatch(/^Showing the top 2 of 3 destinations by volume\./);
    expect(limitDestinations(cells, 3)).toEqual({ cells });
  });
});

describe('time series names', () => {
  const query = {
    id: 'tcp.connections',
    listener: 'tcp' as const,
    measure: 'connections' as const,
    expr: '',
    shape: 'range' as const,
  };
  const series = (metric: Record<string, string>) => ({ metric, values: [[0, '1']] as Array<[number, string]> });
  const names = (byDestination: boolean) =>
    timeSeriesFrames(
      'A',
      query as never,
      [series({ destination_ip: '52.216.10.4:443' }), series({})],
      'destination_ip',
      'cps',
      byDestination
    ).map((f) => f.fields[1].config.displayNameFromDS);

  it('names a line split by destination without one "unknown", as the matrix names that column', () => {
    expect(names(true)).toEqual(['52.216.10.4:443 (tcp connections)', 'unknown (tcp connections)']);
  });

  it('adds no destination to lines not split by it', () => {
    expect(names(false)[1]).toBe('(tcp connections)');
  });
});
