import { CatchAllClassifier, type Category, needsNamespaces } from './categories';
import { type EgressCell, type QueryResult, shapeCells, type VectorSample } from './cells';
import { EgressError } from './errors';
import { MAX_SECONDS } from './time';
import { LABEL, METRIC } from './labels';
import type { PrometheusApi } from './prometheusApi';
import { RECORDED_METRIC } from './recording';
import { type EgressScope, includesOf, scopeOnlySelector, verdictsOf } from './selectors';
import { type EgressQuery, cellQueries } from './templates';

/** Whether counts come from the recording rules' series: `auto` uses them for long ranges they cover. */
export type RecordedMode = 'auto' | 'always' | 'never';
export const RECORDED_MODES: readonly RecordedMode[] = ['auto', 'always', 'never'];

/**
 * From this window on, `auto` reads recorded series when they cover it: the recorded 5-minute windows
 * meet the range's edges to within 5 minutes (a few percent of six hours), while raw series cost one
 * sample per scrape per pod.
 */
export const RECORDED_MIN_WINDOW_SECONDS = 6 * 3600;

export interface CellsRequest {
  scope: EgressScope;
  /** Unix seconds. */
  from: number;
  to: number;
  signal?: AbortSignal;
  /** Default `never`: the raw series, exact to the scrape. */
  recorded?: RecordedMode;
}

/** Which series the counts came from, and why: the data source and the CLI say it. */
export interface CountSource {
  recorded: boolean;
  reason: string;
}

export interface CellsResult {
  from: number;
  to: number;
  cells: EgressCell[];
  queries: EgressQuery[];
  warnings: string[];
  /** Pairs of categories that were not asked for (scope.include), by category. */
  excluded: Partial<Record<Category, number>>;
  source: CountSource;
}

function assertWindow(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new EgressError('The time range is not a pair of valid times.');
  }
  if (to - from > MAX_SECONDS) {
    throw new EgressError('The range is longer than ten years: choose a shorter one.');
  }
  if (from >= to) {
    throw new EgressError(
      `The range starts (${new Date(from * 1000).toISOString()}) at or after it ends (${new Date(to * 1000).toISOString()}): swap from and to.`
    );
  }
}

/**
 * The mesh's namespaces, from the label index (cheap: no samples are read), so a Host such as
 * `reviews.shop` can be told from `example.com`. Asked only when such a two-label host shows up.
 */
async function meshNamespaces(
  api: PrometheusApi,
  scope: EgressScope,
  from: number,
  to: number,
  signal?: AbortSignal
): Promise<Set<string>> {
  const selectors = [scopeOnlySelector(METRIC.requests, scope), scopeOnlySelector(METRIC.tcpClosed, scope)];
  const lists = await Promise.all(
    [LABEL.sourceNamespace, LABEL.destinationServiceNamespace, LABEL.destinationWorkloadNamespace].map((label) =>
      api.labelValues(label, selectors, from, to, signal)
    )
  );
  const out = new Set(lists.flat());
  out.delete('unknown');
  out.delete('');
  return out;
}

/**
 * Runs the matrix queries (instant, at `to`, over [from, to]) in parallel, classifies every series
 * (categories.ts) and folds them into cells of the categories the scope includes.
 */
export async function fetchCells(api: PrometheusApi, req: CellsRequest): Promise<CellsResult> {
  assertWindow(req.from, req.to);
  const source = await countSource(api, { ...req, reads: req.to - req.from });
  const queries = cellQueries(req.scope, req.to - req.from, { recorded: source.recorded });
  const answers = await Promise.all(queries.map((q) => api.instant(q.expr, req.to, req.signal)));
  const results = queries.map((query, i) => ({ query, samples: answers[i].data }));
  const { cells, foreign, excluded, invalid } = shapeCells(results, {
    classifier: await classifierFor(api, results, req.scope, req.from, req.to, req.signal),
    include: includesOf(req.scope),
    verdicts: verdictsOf(req.scope),
  });
  const warnings = answers.flatMap((a) => a.warnings);
  if (foreign > 0) {
    warnings.push(
      `${foreign} series without a BlackHoleCluster/PassthroughCluster verdict were left out: the API ignored part of a selector.`
    );
  }
  if (invalid > 0) {
    warnings.push(
      `${invalid} sample${invalid === 1 ? ' was' : 's were'} no count (NaN, ±Inf or negative) and counted as 0: check the API or its recording rules.`
    );
  }
  return { from: req.from, to: req.to, cells, queries, warnings, excluded, source };
}

/**
 * Whether the recording rules' series exist at the range's start (their last 10 minutes there: two
 * recordings), in the scope's own labels. One instant query over the index's recent samples: cheap.
 */
async function recordingCovers(api: PrometheusApi, scope: EgressScope, from: number, signal?: AbortSignal) {
  const exprs = [METRIC.requests, METRIC.tcpClosed].map(
    (m) => `count(last_over_time(${scopeOnlySelector(RECORDED_METRIC[m], scope)}[10m]))`
  );
  const a = await api.instant(exprs.join(' or '), from + 600, signal);
  return a.data.some((s) => Number(s.value[1]) > 0);
}

/**
 * Recorded or raw series for queries that read `reads` seconds back from `to` (the matrix: its range; new
 * destinations: their look-back before it), by the mode: `auto` takes recorded series for 6 hours and
 * more when they exist where the reading starts.
 */
export async function countSource(
  api: PrometheusApi,
  req: Pick<CellsRequest, 'scope' | 'to' | 'recorded' | 'signal'> & { reads: number }
): Promise<CountSource> {
  const mode = req.recorded ?? 'never';
  const window = req.reads;
  if (mode === 'never') {
    return { recorded: false, reason: 'raw Istio series (recorded series turned off)' };
  }
  if (mode === 'always') {
    return { recorded: true, reason: 'recorded series istio_egress:*:increase5m (always, by setting)' };
  }
  if (window < RECORDED_MIN_WINDOW_SECONDS) {
    return { recorded: false, reason: 'raw Istio series (a range under 6h: exact to the scrape, and cheap)' };
  }
  return (await recordingCovers(api, req.scope, req.to - req.reads, req.signal))
    ? {
        recorded: true,
        reason: 'recorded series istio_egress:*:increase5m (5-minute resolution: the range edges to within 5 minutes)',
      }
    : {
        recorded: false,
        reason:
          'raw Istio series: no recorded series at the range start (install the recording group of rules/istio-egress.rules.yml for cheaper long ranges)',
      };
}

/**
 * The classifier for these results: with the mesh's namespaces when an HTTP host of theirs has the
 * `service.namespace` form (one cheap label-index look-up), without them otherwise.
 */
export async function classifierFor(
  api: PrometheusApi,
  results: readonly QueryResult[],
  scope: EgressScope,
  from: number,
  to: number,
  signal?: AbortSignal
): Promise<CatchAllClassifier> {
  const needed = results.some(({ query, samples }) => query.listener === 'http' && hasTwoLabelHost(query, samples));
  return new CatchAllClassifier(scope.mesh, needed ? await meshNamespaces(api, scope, from, to, signal) : new Set());
}

function hasTwoLabelHost(query: EgressQuery, samples: readonly VectorSample[]): boolean {
  const label = query.destinationLabel;
  return label !== undefined && samples.some((s) => needsNamespaces(s.metric[label] ?? ''));
}

/** One line naming what `excluded` left out and how to see it, or undefined when nothing was. */
export function excludedNote(
  excluded: Partial<Record<Category, number>>,
  how: (c: Category) => string
): string | undefined {
  const parts = (Object.entries(excluded) as Array<[Category, number]>)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${n} ${c} pair${n === 1 ? '' : 's'} (${how(c)})`);
  return parts.length > 0 ? `Not external, so not shown: ${parts.join(', ')}.` : undefined;
}
