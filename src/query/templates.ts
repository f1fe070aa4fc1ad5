import { LABEL, type Listener, METRIC } from './labels';
import {
  destinationLabel,
  duration,
  type EgressScope,
  egressSelector,
  ipLabelOf,
  listenersOf,
  verdictsOf,
} from './selectors';

/** What a series of a query's result counts; shaping adds it to the cell field of the same name. */
export type Measure = 'requests' | 'connections' | 'bytesSent' | 'bytesReceived';

export interface EgressQuery {
  /** Stable id, e.g. `http.requests`: shows in frame meta, CLI output and refIds. */
  id: string;
  listener: Listener;
  measure: Measure;
  expr: string;
}

const MEASURE_METRIC: Record<Measure, string> = {
  requests: METRIC.requests,
  connections: METRIC.tcpClosed,
  bytesSent: METRIC.tcpSent,
  bytesReceived: METRIC.tcpReceived,
};

function sourceAndDestination(listener: Listener, scope: EgressScope): string[] {
  return [LABEL.sourceNamespace, LABEL.sourceWorkload, destinationLabel(listener, scope), LABEL.clusterName];
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

function selectorFor(listener: Listener, measure: Measure, scope: EgressScope): string {
  const bytes = measure === 'bytesSent' || measure === 'bytesReceived';
  return egressSelector(MEASURE_METRIC[measure], listener, scope, bytes ? ['passthrough'] : verdictsOf(scope));
}

/**
 * Instant queries for the destination matrix: the increase of every catch-all series over the whole
 * window, evaluated once at its end. Prometheus reduces; the client gets one sample per series.
 */
export function matrixQueries(scope: EgressScope, windowSeconds: number): EgressQuery[] {
  return plannedMeasures(scope).map(({ listener, measure }) => {
    const by = sourceAndDestination(listener, scope);
    if (measure === 'requests') {
      by.push(LABEL.responseCode);
    }
    const expr = `sum by (${by.join(', ')}) (increase(${selectorFor(listener, measure, scope)}[${duration(windowSeconds)}]))`;
    return { id: `${listener}.${measure}`, listener, measure, expr };
  });
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
}

/** Range queries: per-second rates over time, grouped as asked. */
export function seriesQueries(scope: EgressScope, opts: SeriesOptions): EgressQuery[] {
  const kind = opts.kind ?? 'events';
  const plan = plannedMeasures(scope).filter(({ measure }) =>
    kind === 'bytes'
      ? measure === 'bytesSent' || measure === 'bytesReceived'
      : measure === 'requests' || measure === 'connections'
  );
  return plan.map(({ listener, measure }) => {
    const by = groupLabels(listener, opts.groupBy, scope);
    const rate = `rate(${selectorFor(listener, measure, scope)}[${duration(opts.rateIntervalSeconds)}])`;
    const expr = by.length > 0 ? `sum by (${by.join(', ')}) (${rate})` : `sum(${rate})`;
    return { id: `${listener}.${measure}`, listener, measure, expr };
  });
}

export interface NewDestinationOptions {
  /** The window the destinations must be seen in (the dashboard range). */
  windowSeconds: number;
  /** How far before the window a destination must not have been seen. */
  lookbackSeconds: number;
}

/**
 * Instant queries for destinations with traffic in the window and no series at all in the look-back
 * before it: `unless on (destination)` drops every pair whose destination was seen by anyone, so a host
 * is new to the mesh, not merely to one workload.
 */
export function newDestinationQueries(scope: EgressScope, opts: NewDestinationOptions): EgressQuery[] {
  return plannedMeasures(scope)
    .filter(({ measure }) => measure === 'requests' || measure === 'connections')
    .map(({ listener, measure }) => {
      const sel = selectorFor(listener, measure, scope);
      const dest = destinationLabel(listener, scope);
      const by = sourceAndDestination(listener, scope);
      const expr =
        `(sum by (${by.join(', ')}) (increase(${sel}[${duration(opts.windowSeconds)}])) > 0)` +
        ` unless on (${dest}) ` +
        `count by (${dest}) (count_over_time(${sel}[${duration(opts.lookbackSeconds)}] offset ${duration(opts.windowSeconds)}))`;
      return { id: `${listener}.new`, listener, measure, expr };
    });
}

/**
 * When each destination was first seen inside the window (to the subquery step): the time of "first seen"
 * annotations for new destinations.
 */
export function firstSeenQueries(
  scope: EgressScope,
  opts: { windowSeconds: number; stepSeconds: number }
): EgressQuery[] {
  return plannedMeasures(scope)
    .filter(({ measure }) => measure === 'requests' || measure === 'connections')
    .map(({ listener, measure }) => {
      const dest = destinationLabel(listener, scope);
      const expr = `min by (${dest}) (min_over_time(timestamp(${selectorFor(listener, measure, scope)})[${duration(opts.windowSeconds)}:${duration(opts.stepSeconds)}]))`;
      return { id: `${listener}.firstSeen`, listener, measure, expr };
    });
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
  }));
}

/** Every template with its id, for `istio-egress promql` and docs. */
export function describeTemplates(scope: EgressScope, windowSeconds: number, rateIntervalSeconds: number) {
  return {
    matrix: matrixQueries(scope, windowSeconds),
    rates: seriesQueries(scope, { groupBy: ['verdict', 'destination'], rateIntervalSeconds }),
    bytes: seriesQueries(scope, { groupBy: ['destination'], rateIntervalSeconds, kind: 'bytes' }),
    newDestinations: newDestinationQueries(scope, { windowSeconds, lookbackSeconds: 7 * 86400 }),
    ipLabel: ipLabelOf(scope),
  };
}
