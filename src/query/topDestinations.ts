import { cellVolume, destinationKey, type EgressCell } from './cells';
import type { CellsResult } from './fetchCells';
import { EgressError } from './errors';
import { alternation } from './escaping';
import type { LabelFilter } from './matchers';
import { listenersOf, type EgressScope } from './selectors';
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
 * A time series query's scopes narrowed to its top destinations by volume in the range (or bytes, for the
 * bytes chart), ranked from the range's matrix (`cellsOf`, which the caller may share with other panels):
 * one scope per listener that has any. Undefined where every destination is shown: no limit, no split by
 * destination, or no more destinations than the limit.
 */
export async function topDestinationScopes(
  scope: EgressScope,
  q: { topDestinations?: number; groupBy?: readonly string[] },
  kind: 'events' | 'bytes',
  cellsOf: () => Promise<CellsResult>
): Promise<{ scopes: EgressScope[]; notice: string } | undefined> {
  const limit = q.topDestinations ?? 0;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new EgressError(
      `Top destinations must be a whole number of destinations, 0 or empty for all; the query has ${JSON.stringify(q.topDestinations)}.`
    );
  }
  if (limit === 0 || !(q.groupBy ?? []).includes('destination')) {
    return undefined;
  }
  const { cells, spellings } = await cellsOf();
  const ranked = rankDestinations(
    // Bytes are passthrough TCP's alone, as the bytes chart plots them.
    cells.filter((c) => c.category === 'external' && (kind === 'events' || c.listener === 'tcp')),
    kind === 'bytes' ? 'bytes' : 'volume',
    (c) => destinationKey(c.listener, c.destination, c.port)
  );
  if (ranked.length <= limit) {
    return undefined;
  }
  const top = ranked.slice(0, limit);
  // A destination without a port matches its ports too (the destination filter's rule): a host seen both
  // with and without one can add a line, never lose one.
  // Named as the matrix's series spelled them (every ranked destination is a cell's, so it has spellings): a
  // literal alternation Prometheus matches as a set (the any-case filter took 0.65 s per chart in the index
  // alone, 100k series over a week).
  const scopes = listenersOf(scope).flatMap((listener) => {
    const mine = top.filter((r) => r.listener === listener);
    const destination: LabelFilter = {
      kind: 'regex',
      pattern: alternation(mine.flatMap((r) => [...spellings.get(r.key)!])),
    };
    return mine.length > 0 ? [{ ...scope, listeners: [listener], destination }] : [];
  });
  const by = kind === 'bytes' ? 'bytes' : 'requests and connections';
  return {
    scopes,
    notice: `Showing the top ${limit} of ${ranked.length} destinations by ${by} in the range ("Top destinations" in the query; 0 shows all).`,
  };
}
