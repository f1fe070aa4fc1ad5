import { alternation, promString } from './escaping';
import { LABEL, METRIC } from './labels';
import { duration, type EgressScope, egressSelector, ipLabelOf } from './selectors';

/**
 * PromQL for the alert rules, shared by the Grafana-managed rules, the Prometheus rule file and the
 * PrometheusRule resource. Each expression returns one series per thing to alert on, with the labels the
 * notification names: source namespace, source workload and `destination` (host or IP label value).
 */

export interface AlertExprOptions {
  /** The window each evaluation looks at. */
  windowSeconds: number;
}

function byDestination(
  metric: string,
  listener: 'http' | 'tcp',
  scope: EgressScope,
  verdict: 'blackhole' | 'passthrough',
  windowSeconds: number
): string {
  const from = listener === 'http' ? LABEL.destinationService : ipLabelOf(scope);
  const sel = egressSelector(metric, listener, scope, [verdict]);
  return (
    `sum by (${LABEL.sourceNamespace}, ${LABEL.sourceWorkload}, destination) ` +
    `(label_replace(increase(${sel}[${duration(windowSeconds)}]), "destination", "$1", ${promString(from)}, "(.*)"))`
  );
}

/** 1. A workload hits BlackHoleCluster, on HTTP (502s) or TCP (refused connections). */
export function blackholeAlertExpr(scope: EgressScope, o: AlertExprOptions): string {
  return `(${byDestination(METRIC.requests, 'http', scope, 'blackhole', o.windowSeconds)} > 0) or (${byDestination(METRIC.tcpClosed, 'tcp', scope, 'blackhole', o.windowSeconds)} > 0)`;
}

/** 2. A destination appears through PassthroughCluster that nobody reached in the look-back before. */
export function newPassthroughAlertExpr(scope: EgressScope, o: AlertExprOptions & { lookbackSeconds: number }): string {
  const part = (metric: string, listener: 'http' | 'tcp') => {
    const from = listener === 'http' ? LABEL.destinationService : ipLabelOf(scope);
    const sel = egressSelector(metric, listener, scope, ['passthrough']);
    return (
      `(${byDestination(metric, listener, scope, 'passthrough', o.windowSeconds)} > 0) unless on (destination) ` +
      `label_replace(count by (${from}) (count_over_time(${sel}[${duration(o.lookbackSeconds)}] offset ${duration(o.windowSeconds)})), "destination", "$1", ${promString(from)}, "(.*)")`
    );
  };
  return `(${part(METRIC.requests, 'http')}) or (${part(METRIC.tcpClosed, 'tcp')})`;
}

/** 3. Passthrough traffic from namespaces declared REGISTRY_ONLY: the policy is not what was declared. */
export function policyViolationAlertExpr(
  scope: EgressScope,
  o: AlertExprOptions & { registryOnlyNamespaces: readonly string[] }
): string {
  const scoped: EgressScope = { ...scope, sourceNamespace: { kind: 'values', values: o.registryOnlyNamespaces } };
  return `(${byDestination(METRIC.requests, 'http', scoped, 'passthrough', o.windowSeconds)} > 0) or (${byDestination(METRIC.tcpClosed, 'tcp', scoped, 'passthrough', o.windowSeconds)} > 0)`;
}

/** 4. Distinct destination IP label values above a threshold: the cardinality risk the seed warns about. */
export function ipCardinalityAlertExpr(scope: EgressScope, o: { threshold: number }): string {
  const ip = ipLabelOf(scope);
  const sel = egressSelector(METRIC.tcpClosed, 'tcp', scope).replace(
    /\}$/,
    `, ${ip}!~${promString(alternation(['', 'n/a']))}}`
  );
  return `count(count by (${ip}) (${sel})) > ${o.threshold}`;
}
