import { cellVolume, type EgressCell } from './cells';
import type { Listener } from './labels';

/** What destinations are ranked by: events (requests and closed connections, `volume`) or TCP bytes. */
export type RankBy = 'volume' | 'bytes';

export interface RankedDestination {
  listener: Listener;
  destination: string;
  port?: number;
  volume: number;
  bytes: number;
}

/**
 * Destinations of `cells` (per listener, host or IP and port, summed over sources and verdicts), the most
 * traffic first: by `by`, then the other measure, then name, so the same cut comes out every time.
 * The matrix's destination limit and the time series' top destinations rank with this one order.
 */
export function rankDestinations(
  cells: readonly EgressCell[],
  by: RankBy = 'volume',
  key: (c: EgressCell) => string = (c) => c.destination
): Array<RankedDestination & { key: string }> {
  const rank = new Map<string, RankedDestination & { key: string }>();
  for (const c of cells) {
    const k = key(c);
    let r = rank.get(k);
    if (!r) {
      r = { key: k, listener: c.listener, destination: c.destination, port: c.port, volume: 0, bytes: 0 };
      rank.set(k, r);
    }
    r.volume += cellVolume(c);
    r.bytes += c.bytesSent + c.bytesReceived;
  }
  const [first, second] = by === 'bytes' ? (['bytes', 'volume'] as const) : (['volume', 'bytes'] as const);
  return Array.from(rank.values()).sort(
    (x, y) => y[first] - x[first] || y[second] - x[second] || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)
  );
}

/**
 * A destination as the destination filter names it: `host:port` when the traffic had a port, an IPv6
 * address bracketed before its port (`[2001:db8::9]:443`, as Envoy writes it).
 */
export function destinationValue(d: Pick<RankedDestination, 'destination' | 'port'>): string {
  if (d.port === undefined) {
    return d.destination;
  }
  return d.destination.includes(':') ? `[${d.destination}]:${d.port}` : `${d.destination}:${d.port}`;
}
