import { instantAnswer } from './splitQuery';
import {
  CatchAllClassifier,
  type Category,
  clusterDomainOf,
  KnownServices,
  type ServiceCandidate,
  serviceCandidate,
} from './categories';
import { parseDestination } from './destination';
import { alternation } from './escaping';
import { type EgressCell, type QueryResult, shapeCells } from './cells';
import { EgressError, errorMessage } from './errors';
import { MAX_SECONDS } from './time';
import { KUBE_SERVICE_INFO, LABEL, METRIC } from './labels';
import type { PrometheusApi } from './prometheusApi';
import { type EgressScope, includesOf, scopeOnlySelector, verdictsOf } from './selectors';
import type { EgressQuery } from './measures';
import { cellQueries } from './templates';
import { recordingCovers, tiersFor } from './tiers';

/** Whether counts come from the recording rules' series: `auto` uses them for long ranges they cover. */
export type RecordedMode = 'auto' | 'always' | 'never';
export const RECORDED_MODES: readonly RecordedMode[] = ['auto', 'always', 'never'];
/**
 * Recorded series where they cover the range and the range is long enough to gain (countSource): the one
 * default of the data source setting, the query editor, the CLI and every caller of fetchCells, so the
 * matrix, `serviceentries` and the lockdown plan count the same way.
 */
export const DEFAULT_RECORDED_MODE: RecordedMode = 'auto';

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
  /** Default `DEFAULT_RECORDED_MODE`. */
  recorded?: RecordedMode;
  /**
   * Where to ask whether the recording covers the range (`recordingCovers`, `tiersFor`): the data source
   * passes one that shares identical requests, since every panel of a dashboard asks the same probes.
   */
  probes?: PrometheusApi;
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
  /** Each destination's label values as its series spell them (cells.ts `ShapedCells`). */
  spellings: Map<string, Set<string>>;
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

/** The label-values endpoint takes GET only: keep each request's matchers well under common URL limits. */
const MAX_CANDIDATE_CHARS = 3000;

function candidateChunks(candidates: readonly ServiceCandidate[]): ServiceCandidate[][] {
  const unique = [...new Map(candidates.map((c) => [`${c.name}.${c.namespace}`, c])).values()];
  const chunks: ServiceCandidate[][] = [];
  let size = Infinity;
  for (const c of unique) {
    const len = c.name.length + c.namespace.length + 2;
    if (size + len > MAX_CANDIDATE_CHARS) {
      chunks.push([]);
      size = 0;
    }
    chunks[chunks.length - 1].push(c);
    size += len;
  }
  return chunks;
}

/**
 * Evidence that the services `candidates` name exist, from the series index (no samples are read): a
 * mesh series whose `destination_service` is `name.namespace.svc.…` (the mesh's own traffic reached it),
 * or kube-state-metrics' `kube_service_info`. Two index requests, narrowed to the candidates' names.
 */
export async function knownServices(
  api: PrometheusApi,
  scope: EgressScope,
  candidates: readonly ServiceCandidate[],
  from: number,
  to: number,
  signal?: AbortSignal
): Promise<KnownServices> {
  const out = new KnownServices();
  const domain = clusterDomainOf(scope.mesh);
  for (const chunk of candidateChunks(candidates)) {
    const names = alternation([...new Set(chunk.map((c) => c.name))]);
    const namespaces = alternation([...new Set(chunk.map((c) => c.namespace))]);
    const mesh = [METRIC.requests, METRIC.tcpOpened].map((m) =>
      scopeOnlySelector(m, scope, [
        { label: LABEL.clusterName, op: '=~', value: names },
        { label: LABEL.destinationServiceNamespace, op: '=~', value: namespaces },
      ])
    );
    const ksm = scopeOnlySelector(KUBE_SERVICE_INFO, scope, [
      { label: 'service', op: '=~', value: names },
      { label: 'namespace', op: '=~', value: namespaces },
    ]);
    const [hosts, services] = await Promise.all([
      api.labelValues(LABEL.destinationService, mesh, from, to, signal),
      api.series([ksm], from, to, signal),
    ]);
    for (const host of hosts) {
      const c = serviceCandidate(host, domain);
      if (c?.form === 'svc') {
        out.add(c.name, c.namespace, 'mesh traffic');
      }
    }
    for (const s of services) {
      if (s.service && s.namespace) {
        out.add(s.service, s.namespace, 'kube-state-metrics');
      }
    }
  }
  return out;
}

/**
 * Runs the matrix queries (instant, at `to`, over [from, to]) in parallel, classifies every series
 * (categories.ts) and folds them into cells of the categories the scope includes.
 */
export async function fetchCells(api: PrometheusApi, req: CellsRequest): Promise<CellsResult> {
  assertWindow(req.from, req.to);
  // Both look-ups are cheap and independent: at once, one round trip instead of two.
  let probeFailed: string | undefined;
  const [counted, hourly] = await Promise.all([
    countSource(api, { ...req, reads: req.to - req.from }),
    // The hourly tier only makes reading cheaper: where the look-up fails, the 5-minute tier answers alone
    // (and a real problem with the API fails the counts themselves, with its message), and the frame says so.
    (req.recorded ?? DEFAULT_RECORDED_MODE) === 'never'
      ? undefined
      : tiersFor(req.probes ?? api, req.scope, req.from, req.to, req.signal).catch((err: unknown) => {
          probeFailed = errorMessage(err);
          return undefined;
        }),
  ]);
  let source = counted;
  const tiers = source.recorded ? hourly : undefined;
  if (tiers) {
    source = {
      recorded: true,
      reason: `${source.reason}, whole hours from the hourly tier istio_egress:*:increase1h`,
    };
  }
  const queries = cellQueries(req.scope, req.to - req.from, { recorded: source.recorded, tiers });
  const answers = await Promise.all(queries.map((q) => instantAnswer(api, q, req.to, req.signal)));
  const results = queries.map((query, i) => ({ query, samples: answers[i].data }));
  const { cells, foreign, excluded, invalid, spellings } = shapeCells(results, {
    classifier: await classifierFor(api, results, req.scope, req.from, req.to, req.signal),
    include: includesOf(req.scope),
    verdicts: verdictsOf(req.scope),
    byCluster: req.scope.byCluster,
  });
  const warnings = answers.flatMap((a) => a.warnings);
  if (source.recorded && probeFailed) {
    // Seen through Thanos on a week of 100k series: the fallback read 50x the samples, said nowhere.
    warnings.push(
      `The hourly tier could not be looked up (${probeFailed}): the range was read from the 5-minute tier, up to twelve times the samples.`
    );
  }
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
  return { from: req.from, to: req.to, cells, queries, warnings, excluded, source, spellings };
}

/**
 * Recorded or raw series for queries that read `reads` seconds back from `to` (the matrix: its range; new
 * destinations: their look-back before it), by the mode: `auto` takes recorded series for 6 hours and
 * more when they exist where the reading starts.
 */
export async function countSource(
  api: PrometheusApi,
  req: Pick<CellsRequest, 'scope' | 'to' | 'recorded' | 'signal' | 'probes'> & {
    reads: number;
    /** Where the recorded series must exist for `auto` to take them; default where the reading starts. */
    coverFrom?: number;
  }
): Promise<CountSource> {
  const mode = req.recorded ?? DEFAULT_RECORDED_MODE;
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
  return (await recordingCovers(req.probes ?? api, req.scope, req.coverFrom ?? req.to - req.reads, req.signal))
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
 * The classifier for these results, with evidence for the mesh services their HTTP hosts could name
 * (`knownServices`: two index requests), asked only when such a host shows up.
 */
export async function classifierFor(
  api: PrometheusApi,
  results: readonly QueryResult[],
  scope: EgressScope,
  from: number,
  to: number,
  signal?: AbortSignal
): Promise<CatchAllClassifier> {
  const domain = clusterDomainOf(scope.mesh);
  const candidates: ServiceCandidate[] = [];
  for (const { query, samples } of results) {
    const label = query.destinationLabel;
    if (query.listener !== 'http' || label === undefined) {
      continue;
    }
    for (const s of samples) {
      const c = serviceCandidate(parseDestination(s.metric[label] ?? '').host, domain, s.metric[LABEL.sourceNamespace]);
      if (c) {
        candidates.push(c);
      }
    }
  }
  return new CatchAllClassifier(scope.mesh, await knownServices(api, scope, candidates, from, to, signal));
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
