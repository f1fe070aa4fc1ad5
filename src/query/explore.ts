import type { EgressCell } from './cells';
import type { Matcher } from './matchers';
import { type EgressQuery, seriesQueries } from './templates';

/** What of a data source query's scope the matrix frame carries, so a cell's PromQL matches its numbers. */
export interface PairScope {
  extraMatchers?: readonly Matcher[];
  ipLabel?: string;
}

/**
 * PromQL for what one matrix cell counted, over time and split by verdict: the queries "Explore this
 * pair" opens. A folded namespace cell covers several workloads, and a cell can span both listeners, so
 * every label set comes from the cell's own rows.
 */
export function pairQueries(
  sources: ReadonlyArray<Pick<EgressCell, 'sourceNamespace' | 'sourceWorkload' | 'destination' | 'listener'>>,
  scope: PairScope,
  rateIntervalSeconds = 300
): EgressQuery[] {
  if (sources.length === 0) {
    return [];
  }
  const values = (pick: (c: (typeof sources)[number]) => string) => ({
    kind: 'values' as const,
    values: Array.from(new Set(sources.map(pick))).sort(),
  });
  return seriesQueries(
    {
      extraMatchers: scope.extraMatchers,
      ipLabel: scope.ipLabel,
      sourceNamespace: values((c) => c.sourceNamespace),
      sourceWorkload: values((c) => c.sourceWorkload),
      destination: values((c) => c.destination),
      listeners: Array.from(new Set(sources.map((c) => c.listener))).sort(),
    },
    { groupBy: ['verdict'], rateIntervalSeconds }
  );
}
