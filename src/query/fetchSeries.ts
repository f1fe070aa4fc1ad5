import { type CellsResult, countSource, type RecordedMode } from './fetchCells';
import type { EgressQuery } from './measures';
import type { PrometheusApi, PromAnswer, RangeSeries } from './prometheusApi';
import { RECORDING_INTERVAL_SECONDS } from './recording';
import type { EgressScope } from './selectors';
import { type SeriesGroup, seriesQueries } from './templates';
import { rateInterval } from './time';
import { topDestinationScopes } from './topDestinations';

export interface SeriesRequest {
  scope: EgressScope;
  kind: 'events' | 'bytes';
  groupBy: readonly SeriesGroup[];
  /** Only the top N destinations by volume in the range (0 or unset: all). */
  topDestinations?: number;
  from: number;
  to: number;
  /** The step, no finer than a scrape (the caller fits Grafana's interval to it). */
  stepSeconds: number;
  scrapeSeconds: number;
  /** The setting "Recorded series". */
  recorded: RecordedMode;
  /** Where the recording probes go (shared between panels). */
  probes?: PrometheusApi;
  /** The range's matrix, which ranks the top destinations (the caller may share it with other panels). */
  cellsOf: () => Promise<CellsResult>;
}

export interface SeriesResult {
  queries: EgressQuery[];
  answers: Array<PromAnswer<RangeSeries[]>>;
  /** Said when only the top destinations are drawn. */
  topNotice?: string;
}

/**
 * Rates over time for a time series panel: range queries at its step, from recorded series where the step
 * is a recording interval or more and they cover the range (raw samples add nothing at such steps), and
 * narrowed to the top destinations when asked.
 */
export async function fetchSeries(api: PrometheusApi, req: SeriesRequest): Promise<SeriesResult> {
  const { scope, kind, from, to, stepSeconds } = req;
  const [source, top] = await Promise.all([
    stepSeconds >= RECORDING_INTERVAL_SECONDS
      ? countSource(api, { scope, to, recorded: req.recorded, reads: to - from, probes: req.probes })
      : undefined,
    topDestinationScopes(scope, req, kind, req.cellsOf),
  ]);
  const queries = (top?.scopes ?? [scope]).flatMap((s) =>
    seriesQueries(s, {
      groupBy: req.groupBy,
      // Recorded increases need no rate-window margin: each point sums the recordings of its step.
      rateIntervalSeconds: source?.recorded ? stepSeconds : rateInterval(stepSeconds, req.scrapeSeconds),
      kind,
      recorded: source?.recorded,
    })
  );
  const start = Math.floor(from / stepSeconds) * stepSeconds;
  const answers = await Promise.all(queries.map((query) => api.range(query.expr, start, to, stepSeconds)));
  return { queries, answers, topNotice: top?.notice };
}
