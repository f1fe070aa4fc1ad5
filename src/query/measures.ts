/** What each listener measures, and the selectors and sums the templates (templates.ts, newDestinationTemplates.ts) are built from. */
import { RECORDED_HOURLY_METRIC, RECORDED_METRIC } from './recording';
import { promString } from './escaping';
import { EGRESS_REPORTER, LABEL, type Listener, METRIC, UNKNOWN, type Verdict } from './labels';
import {
  destinationLabel,
  duration,
  type EgressScope,
  egressSelector,
  externalSelector,
  listenersOf,
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

/**
 * An instant query asked as parts, each its own request, their answers joined per label set. Prometheus
 * gives all of one query's selectors the blocks its whole time span covers (one querier per query), and
 * decodes each matching series' labels in every one of them: the 5-minute edges of a week's tiered sum
 * decoded every series of the week's blocks twice more than the hourly part (100k series over a week:
 * 1.9 s against 0.8 s for the hourly part alone, bench dashboard). Asked apart, an edge reads its own block.
 */
export interface SplitQuery {
  parts: readonly string[];
  /** How one label set's values from several parts join: the `sum by` or `min by` each part ends in. */
  join: 'sum' | 'min';
}

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
  /** The same answer as `expr` (which stays what users see and paste) from parts asked apart: cheaper. */
  split?: SplitQuery;
}

export const MEASURE_METRIC: Record<Measure, string> = {
  requests: METRIC.requests,
  connections: METRIC.tcpClosed,
  bytesSent: METRIC.tcpSent,
  bytesReceived: METRIC.tcpReceived,
};

/** The caller's labels a cell keeps: namespace and workload, and the cluster when the scope splits by it. */
export function sourceLabels(scope: EgressScope): string[] {
  return scope.byCluster
    ? [LABEL.sourceNamespace, LABEL.sourceWorkload, LABEL.sourceCluster]
    : [LABEL.sourceNamespace, LABEL.sourceWorkload];
}

export function sourceAndDestination(listener: Listener, scope: EgressScope): string[] {
  return [...sourceLabels(scope), destinationLabel(listener, scope), LABEL.clusterName];
}

/**
 * The measures each listener contributes. HTTP counts requests (by response code). TCP counts connections
 * from the closed metric (today's Istio opens and closes blackholed connections at once, so "opened" is
 * no verdict signal) and bytes, which only passthrough connections move.
 */
export function plannedMeasures(scope: EgressScope): Array<{ listener: Listener; measure: Measure }> {
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
export const isBytes = (measure: Measure) => measure === 'bytesSent' || measure === 'bytesReceived';

/** The event measures (requests, closed connections) of the planned ones: what new or first-seen asks of. */
export const eventMeasures = (scope: EgressScope) => plannedMeasures(scope).filter(({ measure }) => !isBytes(measure));

/** The verdicts a measure has: bytes only pass through (a blocked connection sends none). */
export const measureVerdicts = (measure: Measure, scope: EgressScope): readonly Verdict[] =>
  isBytes(measure) ? ['passthrough'] : verdictsOf(scope);

/** Every catch-all series of a measure: the matrix classifies them in the client. */
export function selectorFor(listener: Listener, measure: Measure, scope: EgressScope): string {
  return egressSelector(MEASURE_METRIC[measure], listener, scope, measureVerdicts(measure, scope));
}

/** Catch-all series that PromQL can tell are external (selectors.ts `externalSelector`). */
export function externalSelectorFor(listener: Listener, measure: Measure, scope: EgressScope): string {
  return externalSelector(MEASURE_METRIC[measure], listener, scope, measureVerdicts(measure, scope));
}
/** `sum by (...) (increase(sel[window]))`, possibly over several selectors joined with `or`. */
export function increaseBy(by: readonly string[], selectors: readonly string[], windowSeconds: number): string {
  return selectors
    .map((sel) => `sum by (${by.join(', ')}) (increase(${sel}[${duration(windowSeconds)}]))`)
    .join(' or ');
}

export const PEER = [LABEL.destinationWorkload, LABEL.destinationWorkloadNamespace];

/**
 * ALLOW_ANY_DYNAMIC_DNS (Istio 1.31): route `allow_any_dynamic_dns` is not `allow_any`, and its cluster
 * carries no service metadata, so istio_stats.cc (`populatePeerInfo`) names the series after the Host
 * header and leaves destination_service_namespace `unknown`, which every registered service sets.
 */
export function dynamicDnsSelector(scope: EgressScope): string {
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

/** Catch-all series PromQL can tell are external, raw or recorded. */
export function externalSeries(
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
