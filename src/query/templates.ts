import { egressGatewaysOf } from './categories';
import {
  HOURLY_INTERVAL_SECONDS,
  RECORDED_HOURLY_METRIC,
  RECORDED_METRIC,
  RECORDING_INTERVAL_SECONDS,
} from './recording';
import { alternation, promString } from './escaping';
import { EGRESS_REPORTER, LABEL, type Listener, METRIC, UNKNOWN, WAYPOINT_REPORTER } from './labels';
import {
  destinationLabel,
  duration,
  type EgressScope,
  egressSelector,
  includesOf,
  ipLabelOf,
  listenersOf,
  meshHostRegex,
  NO_PEER,
  notRegisteredNames,
  shapeSelector,
  verdictsOf,
} from './selectors';
import {
  dynamicDnsSelector,
  type EgressQuery,
  externalSeries,
  increaseBy,
  isBytes,
  MEASURE_METRIC,
  PEER,
  plannedMeasures,
  selectorFor,
  sourceAndDestination,
  sourceLabels,
} from './measures';
import { DEFAULT_LOOKBACK_SECONDS, newDestinationQueries } from './newDestinationTemplates';
import { type HourlyTiers, tieredParts, tieredSum } from './tiers';

/**
 * Instant queries for the destination matrix: the increase of every series of each shape over the whole
 * window, evaluated once at its end. Prometheus reduces; the client gets one sample per series group.
 * Catch-all series keep the destination workload, which tells pod-direct (in-mesh) traffic apart
 * (categories.ts); the other shapes run only when their category is asked for, except Istio 1.31's
 * dynamic-DNS passthrough, which is external traffic.
 */
export function cellQueries(
  scope: EgressScope,
  windowSeconds: number,
  opts: {
    /**
     * Catch-all counts from the recorded 5-minute increases (`sum_over_time`), which keep every label but
     * the pod's: one sample per 5 minutes per pair instead of one per scrape per pod. The other shapes have
     * no recorded series and stay raw.
     */
    recorded?: boolean;
    /**
     * With `recorded`: read the hourly tier for the whole hours of the window and the 5-minute tier only
     * at its edges (fetchCells.ts `tiersFor` finds where the hourly samples fall).
     */
    tiers?: HourlyTiers;
  } = {}
): EgressQuery[] {
  const queries: EgressQuery[] = plannedMeasures(scope).map(({ listener, measure }) => {
    const by = [...sourceAndDestination(listener, scope), ...PEER];
    if (measure === 'requests') {
      by.push(LABEL.responseCode);
    }
    const metric = MEASURE_METRIC[measure];
    const verdicts = isBytes(measure) ? (['passthrough'] as const) : verdictsOf(scope);
    const fiveMinute = egressSelector(RECORDED_METRIC[metric], listener, scope, verdicts);
    const hourly = egressSelector(RECORDED_HOURLY_METRIC[metric], listener, scope, verdicts);
    const tiered = opts.recorded ? opts.tiers : undefined;
    const sumBy = (e: string) => `sum by (${by.join(', ')}) (${e})`;
    const expr = tiered
      ? sumBy(tieredSum(fiveMinute, hourly, tiered))
      : opts.recorded
        ? sumBy(`sum_over_time(${fiveMinute}[${duration(windowSeconds)}])`)
        : increaseBy(by, [selectorFor(listener, measure, scope)], windowSeconds);
    return {
      id: `${listener}.${measure}`,
      listener,
      measure,
      expr,
      shape: 'catchAll',
      destinationLabel: destinationLabel(listener, scope),
      ...(opts.recorded ? { recorded: true } : {}),
      ...(tiered
        ? { split: { parts: tieredParts(fiveMinute, hourly, tiered).map((p) => sumBy(p.expr)), join: 'sum' as const } }
        : {}),
    };
  });
  const include = includesOf(scope);
  const http = listenersOf(scope).includes('http');
  const tcp = listenersOf(scope).includes('tcp');
  const reporter = `${LABEL.reporter}=${promString(EGRESS_REPORTER)}`;
  const notRegistered = `${LABEL.clusterName}!~${promString(notRegisteredNames())}`;
  const hostBy = [...sourceLabels(scope), LABEL.destinationService, LABEL.clusterName];

  if (http && verdictsOf(scope).includes('passthrough')) {
    const sel = dynamicDnsSelector(scope);
    queries.push({
      id: 'http.dynamicDns',
      listener: 'http',
      measure: 'requests',
      expr: increaseBy([...hostBy, ...PEER, LABEL.responseCode], [sel], windowSeconds),
      shape: 'dynamicDns',
      destinationLabel: LABEL.destinationService,
    });
  }

  if (include.has('registered') && verdictsOf(scope).includes('passthrough')) {
    const gateways = egressGatewaysOf(scope.mesh);
    for (const { listener, measure } of plannedMeasures({ ...scope, verdicts: ['passthrough'] })) {
      const metric = MEASURE_METRIC[measure];
      // ServiceEntry hosts: a registered name (its namespace set since Istio 1.23), no mesh workload
      // behind it, and not a Kubernetes service name.
      const direct = shapeSelector(
        metric,
        [
          reporter,
          notRegistered,
          `${LABEL.destinationServiceNamespace}!=${promString(UNKNOWN)}`,
          NO_PEER,
          `${LABEL.destinationService}!~${promString(meshHostRegex(scope))}`,
        ],
        scope,
        LABEL.destinationService
      );
      const selectors = [direct];
      if (gateways.length > 0) {
        selectors.push(
          shapeSelector(
            metric,
            [reporter, `${LABEL.clusterName}=~${promString(alternation(gateways))}`],
            scope,
            LABEL.destinationService
          )
        );
      }
      const by = measure === 'requests' ? [...hostBy, LABEL.responseCode] : hostBy;
      queries.push({
        id: `${listener}.registered.${measure}`,
        listener,
        measure,
        expr: increaseBy(by, selectors, windowSeconds),
        shape: 'registered',
        destinationLabel: LABEL.destinationService,
      });
    }
  }

  if (include.has('ambient')) {
    if (tcp && verdictsOf(scope).includes('passthrough')) {
      // ztunnel (istio/ztunnel src/proxy/metrics.rs): `reporter="source"` and every destination label
      // `unknown` for passthrough; it has no label for the address (istio/ztunnel#1600).
      const base = [reporter, `${LABEL.clusterName}=${promString(UNKNOWN)}`, NO_PEER];
      for (const measure of ['connections', 'bytesSent', 'bytesReceived'] as const) {
        queries.push({
          id: `tcp.ambient.${measure}`,
          listener: 'tcp',
          measure,
          expr: increaseBy(
            sourceLabels(scope),
            [shapeSelector(MEASURE_METRIC[measure], base, scope, LABEL.destinationService)],
            windowSeconds
          ),
          shape: 'ambient',
        });
      }
    }
    if (http) {
      // An egress waypoint reports as `waypoint` (istio_stats.cc Reporter::ServerGateway); a request its
      // AuthorizationPolicy denies is a 403.
      const sel = shapeSelector(
        METRIC.requests,
        [
          `${LABEL.reporter}=${promString(WAYPOINT_REPORTER)}`,
          NO_PEER,
          `${LABEL.destinationService}!~${promString(meshHostRegex(scope))}`,
        ],
        scope,
        LABEL.destinationService
      );
      queries.push({
        id: 'http.waypoint.requests',
        listener: 'http',
        measure: 'requests',
        expr: increaseBy([...hostBy, LABEL.responseCode], [sel], windowSeconds),
        shape: 'waypoint',
        destinationLabel: LABEL.destinationService,
      });
    }
  }
  return queries;
}
/** What a time series query groups by; `listener` is always kept apart (one query per listener). */
export type SeriesGroup = 'verdict' | 'destination' | 'sourceWorkload' | 'sourceNamespace';

export const SERIES_GROUPS: readonly SeriesGroup[] = ['verdict', 'destination', 'sourceWorkload', 'sourceNamespace'];

function groupLabels(listener: Listener, groups: readonly SeriesGroup[], scope: EgressScope): string[] {
  const labels = groups.map((g) => {
    switch (g) {
      case 'verdict':
        return LABEL.clusterName;
      case 'destination':
        return destinationLabel(listener, scope);
      case 'sourceWorkload':
        return LABEL.sourceWorkload;
      case 'sourceNamespace':
        return LABEL.sourceNamespace;
    }
  });
  // A workload name is only unique within its namespace.
  if (groups.includes('sourceWorkload') && !groups.includes('sourceNamespace')) {
    labels.push(LABEL.sourceNamespace);
  }
  return Array.from(new Set(labels));
}

export interface SeriesOptions {
  groupBy: readonly SeriesGroup[];
  /** The rate() window in seconds: Grafana's $__rate_interval, computed by the caller. */
  rateIntervalSeconds: number;
  /** `events`: requests/s (HTTP) and closed connections/s (TCP); `bytes`: passthrough TCP bytes/s. */
  kind?: 'events' | 'bytes';
  /**
   * `rate`: per-second rates (default); `changes`: how often the counters changed in the window (0 when
   * idle); `present`: how many series exist (a counter's series appears with its first event).
   */
  form?: 'rate' | 'changes' | 'present';
  /**
   * Rates from the recording rules' 5-minute increases (summed, then `/ window`), for steps of 5
   * minutes and more: one sample per 5 minutes per pair instead of one per scrape per pod. The window is
   * rounded up to whole recordings. `rate` form only.
   */
  recorded?: boolean;
}

/** Range queries: per-second rates over time, grouped as asked. */
export function seriesQueries(scope: EgressScope, opts: SeriesOptions): EgressQuery[] {
  const kind = opts.kind ?? 'events';
  const plan = plannedMeasures(scope).filter(({ measure }) => isBytes(measure) === (kind === 'bytes'));
  return plan.map(({ listener, measure }) => {
    const by = groupLabels(listener, opts.groupBy, scope);
    const form = opts.form ?? 'rate';
    const recorded = opts.recorded === true && form === 'rate';
    // Windows of an hour and more read the hourly tier: one sample per hour per pair.
    const hourly = recorded && opts.rateIntervalSeconds >= HOURLY_INTERVAL_SECONDS;
    const tier = hourly ? HOURLY_INTERVAL_SECONDS : RECORDING_INTERVAL_SECONDS;
    const sel = externalSeries(listener, measure, scope, hourly ? 'hourly' : recorded);
    const seconds = recorded ? Math.ceil(opts.rateIntervalSeconds / tier) * tier : opts.rateIntervalSeconds;
    const window = duration(seconds);
    const inner =
      form === 'present' ? sel : recorded ? `sum_over_time(${sel}[${window}])` : `${form}(${sel}[${window}])`;
    const agg = form === 'present' ? 'count' : 'sum';
    // Recorded increases become rates after the sum: one division per group and step, not per series
    // (Prometheus 3.16, 10k series over a day: 206 ms against 358 ms with the division inside).
    const expr =
      (by.length > 0 ? `${agg} by (${by.join(', ')}) (${inner})` : `${agg}(${inner})`) +
      (recorded ? ` / ${seconds}` : '');
    return {
      id: `${listener}.${measure}`,
      listener,
      measure,
      expr,
      shape: 'catchAll',
      ...(recorded ? { recorded: true } : {}),
    };
  });
}

/** Every template with its id, for `istio-egress promql` and docs. */
export function describeTemplates(scope: EgressScope, windowSeconds: number, rateIntervalSeconds: number) {
  return {
    matrix: cellQueries(scope, windowSeconds),
    rates: seriesQueries(scope, { groupBy: ['verdict', 'destination'], rateIntervalSeconds }),
    bytes: seriesQueries(scope, { groupBy: ['destination'], rateIntervalSeconds, kind: 'bytes' }),
    newDestinations: newDestinationQueries(scope, { windowSeconds, lookbackSeconds: DEFAULT_LOOKBACK_SECONDS }),
    ipLabel: ipLabelOf(scope),
  };
}
