import { egressGatewaysOf } from './categories';
import {
  HOURLY_INTERVAL_SECONDS,
  RAW_BRIDGE_SECONDS,
  RECORDED_HOURLY_METRIC,
  RECORDED_METRIC,
  RECORDING_INTERVAL_SECONDS,
} from './recording';
import { alternation, promString } from './escaping';
import { EGRESS_REPORTER, LABEL, type Listener, METRIC, UNKNOWN, type Verdict, WAYPOINT_REPORTER } from './labels';
import {
  destinationLabel,
  duration,
  type EgressScope,
  egressSelector,
  externalSelector,
  includesOf,
  ipLabelOf,
  listenersOf,
  meshHostRegex,
  NO_PEER,
  notRegisteredNames,
  shapeSelector,
  verdictsOf,
} from './selectors';

/** What a series of a query's result counts; shaping adds it to the cell field of the same name. */
export type Measure = 'requests' | 'connections' | 'bytesSent' | 'bytesReceived';

/**
 * Which kind of series a query reads, and so how shaping reads its labels:
 * - `catchAll`: PassthroughCluster / BlackHoleCluster on a sidecar (verdict from the cluster name);
 * - `dynamicDns`: Istio 1.31's AllowAnyDynamicDNSCluster (passthrough, labelled by the Host header);
 * - `registered`: ServiceEntry hosts, egress gateways and egress proxies (allowed);
 * - `ambient`: ztunnel's passthrough connections (no destination address);
 * - `waypoint`: an egress waypoint's requests to ServiceEntry hosts (403 = denied).
 */
export type QueryShape = 'catchAll' | 'dynamicDns' | 'registered' | 'ambient' | 'waypoint';

export interface EgressQuery {
  /** Stable id, e.g. `http.requests`: shows in frame meta, CLI output and refIds. */
  id: string;
  listener: Listener;
  measure: Measure;
  expr: string;
  shape: QueryShape;
  /** The label holding the destination; none for ambient connections, which carry no address. */
  destinationLabel?: string;
  /** Reads the recording rules' series (recording.ts) instead of raw Istio series. */
  recorded?: boolean;
}

const MEASURE_METRIC: Record<Measure, string> = {
  requests: METRIC.requests,
  connections: METRIC.tcpClosed,
  bytesSent: METRIC.tcpSent,
  bytesReceived: METRIC.tcpReceived,
};

/** The caller's labels a cell keeps: namespace and workload, and the cluster when the scope splits by it. */
function sourceLabels(scope: EgressScope): string[] {
  return scope.byCluster
    ? [LABEL.sourceNamespace, LABEL.sourceWorkload, LABEL.sourceCluster]
    : [LABEL.sourceNamespace, LABEL.sourceWorkload];
}

function sourceAndDestination(listener: Listener, scope: EgressScope): string[] {
  return [...sourceLabels(scope), destinationLabel(listener, scope), LABEL.clusterName];
}

/**
 * The measures each listener contributes. HTTP counts requests (by response code). TCP counts connections
 * from the closed metric (today's Istio opens and closes blackholed connections at once, so "opened" is
 * no verdict signal) and bytes, which only passthrough connections move.
 */
function plannedMeasures(scope: EgressScope): Array<{ listener: Listener; measure: Measure }> {
  const plan: Array<{ listener: Listener; measure: Measure }> = [];
  const passthrough = verdictsOf(scope).includes('passthrough');
  for (const listener of listenersOf(scope)) {
    if (listener === 'http') {
      plan.push({ listener, measure: 'requests' });
    } else {
      plan.push({ listener, measure: 'connections' });
      if (passthrough) {
        plan.push({ listener, measure: 'bytesSent' }, { listener, measure: 'bytesReceived' });
      }
    }
  }
  return plan;
}

/** TCP bytes, which only passthrough connections move; the other measures count events. */
const isBytes = (measure: Measure) => measure === 'bytesSent' || measure === 'bytesReceived';

/** The event measures (requests, closed connections) of the planned ones: what new or first-seen asks of. */
const eventMeasures = (scope: EgressScope) => plannedMeasures(scope).filter(({ measure }) => !isBytes(measure));

/** The verdicts a measure has: bytes only pass through (a blocked connection sends none). */
const measureVerdicts = (measure: Measure, scope: EgressScope): readonly Verdict[] =>
  isBytes(measure) ? ['passthrough'] : verdictsOf(scope);

/** Every catch-all series of a measure: the matrix classifies them in the client. */
function selectorFor(listener: Listener, measure: Measure, scope: EgressScope): string {
  return egressSelector(MEASURE_METRIC[measure], listener, scope, measureVerdicts(measure, scope));
}

/** Catch-all series that PromQL can tell are external (selectors.ts `externalSelector`). */
function externalSelectorFor(listener: Listener, measure: Measure, scope: EgressScope): string {
  return externalSelector(MEASURE_METRIC[measure], listener, scope, measureVerdicts(measure, scope));
}

/**
 * Where the hourly tier's samples fall in a window [from, to] (unix seconds, to the millisecond): the first
 * and last hourly sample whose hour lies wholly inside it. Each hourly sample at `h` sums the 5-minute
 * samples in (h - 1h, h].
 */
export interface HourlyTiers {
  from: number;
  to: number;
  firstHour: number;
  lastHour: number;
}

/** A PromQL duration in milliseconds: the tiers meet at recorded sample times, which have milliseconds. */
function ms(seconds: number): string {
  return `${Math.round(seconds * 1000)}ms`;
}

/**
 * The sum of a pair's 5-minute samples in (from, to] from both tiers: the hourly samples firstHour..lastHour
 * (the 5-minute samples in (firstHour - 1h, lastHour]), plus the 5-minute samples in (from, firstHour - 1h]
 * and (lastHour, to]. Each part keeps its series' labels; the edges are tagged so `or` keeps all three
 * parts of a pair, and the caller's `sum by` adds them. Window lengths sit between sample times (half an
 * hour of slack on the hourly one), so a left-closed range (Prometheus 2) and a left-open one (3) read
 * the same samples.
 */
function tieredSum(fiveMinute: string, hourly: string, t: HourlyTiers): string {
  const offset = (seconds: number) => (seconds >= 0.001 ? ` offset ${ms(seconds)}` : '');
  const parts = [
    `sum_over_time(${hourly}[${ms(t.lastHour - t.firstHour + HOURLY_INTERVAL_SECONDS / 2)}]${offset(t.to - t.lastHour)})`,
  ];
  const leftEnd = t.firstHour - HOURLY_INTERVAL_SECONDS;
  if (leftEnd - t.from >= 0.001) {
    parts.push(
      `label_replace(sum_over_time(${fiveMinute}[${ms(leftEnd - t.from)}]${offset(t.to - leftEnd)}), "tier", "left", "", "")`
    );
  }
  if (t.to - t.lastHour >= 0.001) {
    parts.push(`label_replace(sum_over_time(${fiveMinute}[${ms(t.to - t.lastHour)}]), "tier", "right", "", "")`);
  }
  return parts.join(' or ');
}

/** `sum by (...) (increase(sel[window]))`, possibly over several selectors joined with `or`. */
function increaseBy(by: readonly string[], selectors: readonly string[], windowSeconds: number): string {
  return selectors
    .map((sel) => `sum by (${by.join(', ')}) (increase(${sel}[${duration(windowSeconds)}]))`)
    .join(' or ');
}

const PEER = [LABEL.destinationWorkload, LABEL.destinationWorkloadNamespace];

/**
 * ALLOW_ANY_DYNAMIC_DNS (Istio 1.31): route `allow_any_dynamic_dns` is not `allow_any`, and its cluster
 * carries no service metadata, so istio_stats.cc (`populatePeerInfo`) names the series after the Host
 * header and leaves destination_service_namespace `unknown`, which every registered service sets.
 */
function dynamicDnsSelector(scope: EgressScope): string {
  return shapeSelector(
    METRIC.requests,
    [
      `${LABEL.reporter}=${promString(EGRESS_REPORTER)}`,
      `${LABEL.clusterName}!~${promString(notRegisteredNames())}`,
      `${LABEL.destinationServiceNamespace}=${promString(UNKNOWN)}`,
    ],
    scope,
    LABEL.destinationService
  );
}

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
    const expr =
      opts.recorded && opts.tiers
        ? `sum by (${by.join(', ')}) (${tieredSum(fiveMinute, egressSelector(RECORDED_HOURLY_METRIC[metric], listener, scope, verdicts), opts.tiers)})`
        : opts.recorded
          ? `sum by (${by.join(', ')}) (sum_over_time(${fiveMinute}[${duration(windowSeconds)}]))`
          : increaseBy(by, [selectorFor(listener, measure, scope)], windowSeconds);
    return {
      id: `${listener}.${measure}`,
      listener,
      measure,
      expr,
      shape: 'catchAll',
      destinationLabel: destinationLabel(listener, scope),
      ...(opts.recorded ? { recorded: true } : {}),
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

export interface NewDestinationOptions {
  /** The window the destinations must be seen in (the dashboard range). */
  windowSeconds: number;
  /** How far before the window a destination must not have been seen. */
  lookbackSeconds: number;
  /**
   * Read the recording rules' series for the window and the look-back, and raw series for the last hour
   * before the window only (the recording's delay), as the new-destination alert does.
   */
  recorded?: boolean;
  /** With `recorded`: the look-back from the hourly tier (fetchCells.ts `tiersFor` says it covers it). */
  hourlyLookback?: boolean;
  /** With `recorded`: the window's whole hours from the hourly tier, as the matrix reads them. */
  tiers?: HourlyTiers;
}

/** Catch-all series PromQL can tell are external, raw or recorded. */
function externalSeries(
  listener: Listener,
  measure: Measure,
  scope: EgressScope,
  recorded?: boolean | 'hourly'
): string {
  if (!recorded) {
    return externalSelectorFor(listener, measure, scope);
  }
  const names = recorded === 'hourly' ? RECORDED_HOURLY_METRIC : RECORDED_METRIC;
  return externalSelector(names[MEASURE_METRIC[measure]], listener, scope, measureVerdicts(measure, scope));
}

/**
 * Instant queries for destinations with traffic in the window and no series at all in the look-back
 * before it: `unless on (destination)` drops every pair whose destination was seen by anyone, so a host
 * is new to the mesh, not merely to one workload. One query per listener, for pasting into Prometheus;
 * the data source asks the look-back alone (`lookbackQueries`) and takes the window from the matrix.
 */
export function newDestinationQueries(scope: EgressScope, opts: NewDestinationOptions): EgressQuery[] {
  const seen = new Map(lookbackQueries(scope, opts).map((q) => [q.listener, q.expr]));
  return eventMeasures(scope).map(({ listener, measure }) => {
    const sel = externalSeries(listener, measure, scope, opts.recorded);
    const dest = destinationLabel(listener, scope);
    const by = [...sourceAndDestination(listener, scope), ...PEER];
    const hourly = externalSeries(listener, measure, scope, 'hourly');
    const inWindow = opts.recorded
      ? opts.tiers
        ? tieredSum(sel, hourly, opts.tiers)
        : `sum_over_time(${sel}[${duration(opts.windowSeconds)}])`
      : `increase(${sel}[${duration(opts.windowSeconds)}])`;
    return {
      id: `${listener}.new`,
      listener,
      measure,
      expr: `(sum by (${by.join(', ')}) (${inWindow}) > 0) unless on (${dest}) (${seen.get(listener)})`,
      shape: 'catchAll' as const,
      destinationLabel: dest,
      ...(opts.recorded ? { recorded: true } : {}),
    };
  });
}

/**
 * Per listener, the destinations seen in the look-back before the window (`count by (destination)`, one
 * sample each): what makes a destination of the window not new. Recorded, the look-back reads the hourly
 * tier where it covers it (it asks only whether a destination was seen: a sample per hour answers that) and
 * the finer series for the last hour before the window, which the hourly tier may not have recorded yet.
 * HTTP also reads Istio 1.31's dynamic-DNS series (raw: there are no recorded ones), which the matrix
 * counts as external traffic too.
 */
export function lookbackQueries(
  scope: EgressScope,
  opts: Pick<NewDestinationOptions, 'windowSeconds' | 'lookbackSeconds' | 'recorded' | 'hourlyLookback'>
): EgressQuery[] {
  const offset = ` offset ${duration(opts.windowSeconds)}`;
  return eventMeasures(scope).map(({ listener, measure }) => {
    const dest = destinationLabel(listener, scope);
    const seen = (s: string, seconds: number) =>
      `count by (${dest}) (count_over_time(${s}[${duration(seconds)}]${offset}))`;
    const sel = externalSeries(listener, measure, scope, opts.recorded);
    const parts = !opts.recorded
      ? [seen(sel, opts.lookbackSeconds)]
      : opts.hourlyLookback
        ? [
            seen(externalSeries(listener, measure, scope, 'hourly'), opts.lookbackSeconds),
            seen(sel, RAW_BRIDGE_SECONDS),
          ]
        : // The 5-minute tier for the look-back, and raw series for the hour the recording may not have
          // caught up with (rules evaluated now).
          [seen(sel, opts.lookbackSeconds), seen(externalSelectorFor(listener, measure, scope), RAW_BRIDGE_SECONDS)];
    if (listener === 'http' && verdictsOf(scope).includes('passthrough')) {
      parts.push(seen(dynamicDnsSelector(scope), opts.lookbackSeconds));
    }
    return {
      id: `${listener}.seen`,
      listener,
      measure,
      expr: parts.join(' or '),
      shape: 'catchAll' as const,
      destinationLabel: dest,
      ...(opts.recorded ? { recorded: true } : {}),
    };
  });
}

/** Whether first seen reads the hourly tier (at hour steps): recorded, tiered, steps of half an hour and more. */
function firstSeenReadsHourly(opts: { stepSeconds: number; recorded?: boolean; tiers?: HourlyTiers }): boolean {
  return opts.recorded === true && opts.tiers !== undefined && opts.stepSeconds >= HOURLY_INTERVAL_SECONDS / 2;
}

/**
 * When each destination was first seen inside the window (to the subquery step): the time of "first seen"
 * annotations for new destinations. With `tiers` and a step of half an hour or more (a range of about a
 * week), the window's whole hours read the hourly tier at one-hour steps (a twelfth of the samples; first
 * seen to the hour) and the minutes after its last sample the 5-minute tier.
 */
export function firstSeenQueries(
  scope: EgressScope,
  opts: { windowSeconds: number; stepSeconds: number; recorded?: boolean; tiers?: HourlyTiers }
): EgressQuery[] {
  const hourlySteps = firstSeenReadsHourly(opts);
  return eventMeasures(scope).map(({ listener, measure }) => {
    const dest = destinationLabel(listener, scope);
    const sel = externalSeries(listener, measure, scope, opts.recorded);
    // `timestamp()` of a function's result is the step's time: the first step whose window holds a sample,
    // so first seen to the step. `timestamp(selector)` gives the sample's own time, but Prometheus 2.42
    // takes 20× as long over a week of steps (10 s against 0.5 s on 10k series, bench dashboard).
    const firstStep = (s: string, range: string, step: string) =>
      `min_over_time(timestamp(last_over_time(${s}[${step}]))[${range}:${step}])`;
    const t = opts.tiers;
    const expr =
      hourlySteps && t
        ? // Both parts keep each series' labels: for a pair the hourly tier has, `or` keeps its earlier time.
          `min by (${dest}) (${firstStep(externalSeries(listener, measure, scope, 'hourly'), duration(opts.windowSeconds), duration(HOURLY_INTERVAL_SECONDS))} or ${firstStep(sel, ms(t.to - t.lastHour + RECORDING_INTERVAL_SECONDS), duration(RECORDING_INTERVAL_SECONDS))})`
        : `min by (${dest}) (${firstStep(sel, duration(opts.windowSeconds), duration(opts.stepSeconds))})`;
    return {
      id: `${listener}.firstSeen`,
      listener,
      measure,
      expr,
      shape: 'catchAll' as const,
      destinationLabel: dest,
    };
  });
}

/** Above this many new destinations, first seen reads every series instead of a regex of their names. */
export const FIRST_SEEN_HOST_LIMIT = 50;

/**
 * The first-seen queries for the new destinations `newHosts` of a window (`all`: every destination, when
 * every one is new): those destinations' series only when they are few (new ones usually are), at about
 * 300 steps, no finer than the series read (a scrape, or 5 minutes). Many new hosts would make a regex
 * Prometheus matches at every step: then every series, and at the hourly tier's steps where it covers the
 * window (100k series over a day, every one new: 8.4M samples at 5-minute steps, a twelfth of that
 * hourly), which makes first seen to the hour (`toTheHour`). `hourly`: the plan reads the hourly tier.
 */
export function firstSeenPlan(
  scope: EgressScope,
  newHosts: readonly string[] | 'all',
  opts: { windowSeconds: number; minStepSeconds: number; recorded?: boolean; tiers?: HourlyTiers }
): { queries: EgressQuery[]; toTheHour: boolean; hourly: boolean } {
  if (newHosts.length === 0) {
    return { queries: [], toTheHour: false, hourly: false };
  }
  const few = newHosts !== 'all' && newHosts.length <= FIRST_SEEN_HOST_LIMIT;
  const tiered = opts.recorded === true && opts.tiers !== undefined;
  const windowStep = Math.max(opts.minStepSeconds, Math.ceil(opts.windowSeconds / 300));
  const toTheHour = !few && tiered && windowStep < HOURLY_INTERVAL_SECONDS / 2;
  const stepSeconds = toTheHour ? HOURLY_INTERVAL_SECONDS : windowStep;
  return {
    queries: firstSeenQueries(
      few ? { ...scope, destination: { kind: 'values', values: newHosts as readonly string[] } } : scope,
      { windowSeconds: opts.windowSeconds, stepSeconds, recorded: opts.recorded, tiers: opts.tiers }
    ),
    toTheHour,
    hourly: firstSeenReadsHourly({ stepSeconds, recorded: opts.recorded, tiers: opts.tiers }),
  };
}

/**
 * The naive form a Table-panel user builds: raw counters over a range, reduced in the client.
 * Kept for the benchmark that shows why the matrix uses instant `increase`.
 */
export function rawCounterQueries(scope: EgressScope): EgressQuery[] {
  return plannedMeasures(scope).map(({ listener, measure }) => ({
    id: `${listener}.${measure}`,
    listener,
    measure,
    expr: selectorFor(listener, measure, scope),
    shape: 'catchAll' as const,
    destinationLabel: destinationLabel(listener, scope),
  }));
}

/** Every template with its id, for `istio-egress promql` and docs. */
export function describeTemplates(scope: EgressScope, windowSeconds: number, rateIntervalSeconds: number) {
  return {
    matrix: cellQueries(scope, windowSeconds),
    rates: seriesQueries(scope, { groupBy: ['verdict', 'destination'], rateIntervalSeconds }),
    bytes: seriesQueries(scope, { groupBy: ['destination'], rateIntervalSeconds, kind: 'bytes' }),
    newDestinations: newDestinationQueries(scope, { windowSeconds, lookbackSeconds: 7 * 86400 }),
    ipLabel: ipLabelOf(scope),
  };
}
