import type { EgressCell } from './cells';
import type { Matcher } from './matchers';
import { DEFAULT_SCRAPE_SECONDS } from './time';
import type { EgressQuery } from './measures';
import type { PrometheusApi } from './prometheusApi';
import { type SeriesOptions, seriesQueries } from './templates';

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
  rateIntervalSeconds = 300,
  form: SeriesOptions['form'] = 'rate'
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
    { groupBy: form === 'rate' ? ['verdict'] : [], rateIntervalSeconds, form }
  );
}

/** When a pair was active in a range, to the resolution of the step the range query used. */
export interface PairActivity {
  /** First step with the pair's series or a change of its counters; undefined when there was none. */
  first?: number;
  /** Last step its counters changed (or, never changing, when its series appeared). */
  last?: number;
  /** The pair's series existed at the range's first step: it started before the range. */
  before: boolean;
  stepSeconds: number;
}

/** The step of an activity query: about 300 points over the range, at least a minute and a scrape. */
export function activityStep(from: number, to: number, scrapeSeconds = DEFAULT_SCRAPE_SECONDS): number {
  return Math.max(60, Math.ceil(scrapeSeconds / 60) * 60, Math.ceil((to - from) / 300 / 60) * 60);
}

/**
 * The range queries for a pair's first and last activity: whether its series exist, and whether its
 * counters changed within each step (`changes` needs no extrapolation and is 0 for an idle counter).
 */
export function pairActivityQueries(
  sources: Parameters<typeof pairQueries>[0],
  scope: PairScope,
  stepSeconds: number
): { present: EgressQuery[]; changes: EgressQuery[] } {
  return {
    present: pairQueries(sources, scope, stepSeconds, 'present'),
    // Twice the step: a counter scraped once per step still has two samples in each window.
    changes: pairQueries(sources, scope, stepSeconds * 2, 'changes'),
  };
}

type RangeValues = ReadonlyArray<{ values: ReadonlyArray<readonly [number, string]> }>;

/** First and last activity from the answers of pairActivityQueries (each a range result). */
export function activitySpan(
  present: readonly RangeValues[],
  changes: readonly RangeValues[],
  from: number,
  stepSeconds: number
): PairActivity {
  let first: number | undefined;
  let last: number | undefined;
  let firstPresent: number | undefined;
  const earliest = (a: number | undefined, b: number) => (a === undefined || b < a ? b : a);
  for (const series of present.flat()) {
    for (const [t, v] of series.values) {
      if (Number(v) > 0) {
        firstPresent = earliest(firstPresent, t);
        break;
      }
    }
  }
  for (const series of changes.flat()) {
    for (const [t, v] of series.values) {
      if (Number(v) > 0) {
        first = earliest(first, t);
        last = last === undefined || t > last ? t : last;
      }
    }
  }
  if (firstPresent !== undefined) {
    first = earliest(first, firstPresent);
    last = last ?? firstPresent;
  }
  return { first, last, before: firstPresent !== undefined && firstPresent <= from, stepSeconds };
}

/**
 * When a pair was active in [from, to]: its activity queries as range queries at `activityStep`, then
 * `activitySpan` of their answers (the panel's pinned cell asks this).
 */
export async function fetchPairActivity(
  api: PrometheusApi,
  req: { sources: Parameters<typeof pairQueries>[0]; scope: PairScope; from: number; to: number; scrapeSeconds: number }
): Promise<PairActivity> {
  const step = activityStep(req.from, req.to, req.scrapeSeconds);
  const start = Math.floor(req.from / step) * step;
  const { present, changes } = pairActivityQueries(req.sources, req.scope, step);
  const run = (qs: EgressQuery[]) => Promise.all(qs.map((q) => api.range(q.expr, start, req.to, step)));
  const [p, c] = await Promise.all([run(present), run(changes)]);
  return activitySpan(
    p.map((a) => a.data),
    c.map((a) => a.data),
    start,
    step
  );
}
