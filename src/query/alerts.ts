import { inClusterCidrsOf } from './categories';
import { ipv4CidrRegex } from './cidr';
import { alternation, promString } from './escaping';
import { KUBE_SERVICE_INFO, LABEL, METRIC } from './labels';
import { RECORDED_METRIC } from './recording';
import {
  duration,
  type EgressScope,
  egressSelector,
  externalSelector,
  ipLabelOf,
  listenersOf,
  meshHostRegex,
  notRegisteredNames,
  scopeOnlySelector,
  verdictsOf,
} from './selectors';

/**
 * What every alert this product makes looks at and carries, provisioned or "New alert rule": the window
 * each evaluation reads (the settings file's `alerts.window` overrides it for provisioned rules) and the
 * label that routes them.
 */
export const ALERT_DEFAULTS = {
  windowSeconds: 300,
  labels: { source: 'istio-egress' },
} as const;

/**
 * PromQL for the alert rules, shared by the Grafana-managed rules, the Prometheus rule file and the
 * PrometheusRule resource. Each expression returns one series per thing to alert on, with the labels the
 * notification names: source namespace, source workload and `destination` (host or IP label value).
 *
 * External alerts read only series PromQL can tell are external (selectors.ts `externalSelector`), and
 * leave out `service.namespace` hosts of services there is evidence of (the mesh's own traffic reaches
 * them, or kube-state-metrics lists them), as the matrix does (categories.ts): in-mesh traffic that passes
 * the catch-all clusters (pod IPs, Sidecar-scoped mesh services) never fires them, and `status.io` stays
 * external in a mesh with an `io` namespace.
 */

export interface AlertExprOptions {
  /** The window each evaluation looks at. */
  windowSeconds: number;
}

const SERVICE_HOST = 'service_host';
/** A two-label host (`reviews.shop`, maybe with a port and a trailing dot): the `name.namespace` it could mean. */
const TWO_LABEL_HOST = '([^.:]+\\.[^.:]+)\\.?(?::[0-9]+)?';
/** A mesh service's own `destination_service`: `name.namespace.svc.<domain>`. */
const SVC_HOST = '([^.]+\\.[^.]+)\\.svc(?:\\..*)?';

/**
 * The mesh services there is evidence of, one series each with `service_host` = `name.namespace`: those
 * the mesh's own traffic reaches (any reporter, any listener) and those kube-state-metrics lists. Instant
 * selectors, so each evaluation reads one sample per series, not a range (fetchCells.ts `knownServices`
 * is the matrix's counterpart).
 */
function knownServicesVector(scope: EgressScope): string {
  const mesh = (metric: string) =>
    `group by (${SERVICE_HOST}) (label_replace(${scopeOnlySelector(metric, scope, [
      { label: LABEL.clusterName, op: '!~', value: notRegisteredNames() },
      { label: LABEL.destinationService, op: '=~', value: SVC_HOST },
    ])}, ${promString(SERVICE_HOST)}, "$1", ${promString(LABEL.destinationService)}, ${promString(SVC_HOST)}))`;
  const ksm = `group by (${SERVICE_HOST}) (label_join(${scopeOnlySelector(KUBE_SERVICE_INFO, scope)}, ${promString(SERVICE_HOST)}, ".", "service", "namespace"))`;
  return `(${mesh(METRIC.requests)} or ${mesh(METRIC.tcpOpened)} or ${ksm})`;
}

function withDestination(inner: string, from: string): string {
  return `label_replace(${inner}, "destination", "$1", ${promString(from)}, "(.*)")`;
}

function withServiceHost(inner: string): string {
  return `label_replace(${inner}, ${promString(SERVICE_HOST)}, "$1", ${promString(LABEL.destinationService)}, ${promString(TWO_LABEL_HOST)})`;
}

const BY = `${LABEL.sourceNamespace}, ${LABEL.sourceWorkload}, destination`;

function byDestination(
  metric: string,
  listener: 'http' | 'tcp',
  scope: EgressScope,
  verdict: 'blackhole' | 'passthrough',
  windowSeconds: number
): string {
  const from = listener === 'http' ? LABEL.destinationService : ipLabelOf(scope);
  const inc = `increase(${externalSelector(metric, listener, scope, [verdict])}[${duration(windowSeconds)}])`;
  if (listener === 'tcp') {
    return `sum by (${BY}) (${withDestination(inc, from)})`;
  }
  return `sum by (${BY}) (${withServiceHost(withDestination(inc, from))} unless on (${SERVICE_HOST}) ${knownServicesVector(scope)})`;
}

/** 1. A workload hits BlackHoleCluster, on HTTP (502s) or TCP (refused connections). */
export function blackholeAlertExpr(scope: EgressScope, o: AlertExprOptions): string {
  return `(${byDestination(METRIC.requests, 'http', scope, 'blackhole', o.windowSeconds)} > 0) or (${byDestination(METRIC.tcpClosed, 'tcp', scope, 'blackhole', o.windowSeconds)} > 0)`;
}

/**
 * 2. A destination appears through PassthroughCluster that nobody reached in the look-back before. The
 * look-back reads the recorded 5-minute series (recording.ts), plus the last hour of raw series: that hour
 * covers the recording's own delay, and a first week in which the recording has less history than the
 * look-back (a destination reached before the recording started, and not within the hour, then counts as
 * new once). No evaluation reads more than an hour of raw samples.
 */
export function newPassthroughAlertExpr(
  scope: EgressScope,
  o: AlertExprOptions & {
    lookbackSeconds: number;
    rawLookbackSeconds: number;
    /** `raw`: the whole look-back over raw series, the reference the recorded form is tested against. */
    source?: 'recorded' | 'raw';
  }
): string {
  const part = (metric: string, listener: 'http' | 'tcp') => {
    const from = listener === 'http' ? LABEL.destinationService : ipLabelOf(scope);
    const seen = (sel: string, seconds: number) =>
      `label_replace(count by (${from}) (count_over_time(${sel}[${duration(seconds)}] offset ${duration(o.windowSeconds)})), "destination", "$1", ${promString(from)}, "(.*)")`;
    const recorded = egressSelector(RECORDED_METRIC[metric], listener, scope, ['passthrough']);
    const raw = egressSelector(metric, listener, scope, ['passthrough']);
    const now = `(${byDestination(metric, listener, scope, 'passthrough', o.windowSeconds)} > 0)`;
    return o.source === 'raw'
      ? `${now} unless on (destination) ${seen(raw, o.lookbackSeconds)}`
      : `${now} unless on (destination) ${seen(recorded, o.lookbackSeconds)}` +
          ` unless on (destination) ${seen(raw, o.rawLookbackSeconds)}`;
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

/**
 * 5. A workload's calls to a mesh service hit BlackHoleCluster: a Sidecar resource's egress hosts leave
 * that service out (istio/istio#21385). A misconfiguration, not an external destination.
 */
export function blockedInMeshAlertExpr(scope: EgressScope, o: AlertExprOptions): string {
  const window = duration(o.windowSeconds);
  const http = (extra: string) =>
    `increase(${egressSelector(METRIC.requests, 'http', scope, ['blackhole'], [extra])}[${window}])`;
  const named = `sum by (${BY}) (${withDestination(http(`${LABEL.destinationService}=~${promString(meshHostRegex(scope))}`), LABEL.destinationService)})`;
  const namespaced = `sum by (${BY}) (${withServiceHost(withDestination(http(`${LABEL.destinationService}=~${promString(TWO_LABEL_HOST)}`), LABEL.destinationService))} and on (${SERVICE_HOST}) ${knownServicesVector(scope)})`;
  const parts = [`(${named} > 0)`, `(${namespaced} > 0)`];
  const ranges = inClusterCidrsOf(scope.mesh)
    .map(ipv4CidrRegex)
    .filter((r): r is string => r !== undefined);
  if (ranges.length > 0) {
    const ip = ipLabelOf(scope);
    const tcp = egressSelector(
      METRIC.tcpClosed,
      'tcp',
      scope,
      ['blackhole'],
      [`${ip}=~${promString(ranges.map((r) => `(?:${r})`).join('|'))}`]
    );
    parts.push(`(sum by (${BY}) (${withDestination(`increase(${tcp}[${window}])`, ip)}) > 0)`);
  }
  return parts.join(' or ');
}

/** 4. Distinct destination IP label values above a threshold: the cardinality risk Istio's docs warn about (istio/istio.io#5027). */
export function ipCardinalityAlertExpr(scope: EgressScope, o: { threshold: number }): string {
  const ip = ipLabelOf(scope);
  const sel = egressSelector(METRIC.tcpClosed, 'tcp', scope, undefined, [
    `${ip}!~${promString(alternation(['', 'n/a']))}`,
  ]);
  return `count(count by (${ip}) (${sel})) > ${o.threshold}`;
}

/**
 * What the query in front of a user counts, as one alertable expression: external catch-all events
 * (requests and closed connections) per source workload and destination over `windowSeconds`, for the
 * query's verdicts, listeners and filters. "New alert rule" prefills Grafana's form with it.
 */
export function queryAlertExpr(scope: EgressScope, o: AlertExprOptions): string {
  const verdicts = verdictsOf(scope);
  const listeners = listenersOf(scope);
  const parts: string[] = [];
  for (const listener of listeners) {
    const metric = listener === 'http' ? METRIC.requests : METRIC.tcpClosed;
    for (const verdict of verdicts) {
      parts.push(`(${byDestination(metric, listener, scope, verdict, o.windowSeconds)} > 0)`);
    }
  }
  return parts.join(' or ');
}

/**
 * A Grafana-managed rule's queries, for the provisioned rules and the "New alert rule" form alike: A the
 * expression on a Prometheus data source (instant, over the window), B its last value (reduce), C the
 * condition B > 0 (threshold). Written in the provisioning file format, where empty fields are left out;
 * the form adds its own (shared/alertRuleLink.ts).
 */
export function grafanaRuleQueries(expr: string, datasourceUid: string, windowSeconds: number) {
  // A fresh object each time: a shared one would be written as a YAML anchor and alias.
  const exprDs = () => ({ type: '__expr__', uid: '__expr__' });
  return [
    {
      refId: 'A',
      relativeTimeRange: { from: windowSeconds, to: 0 },
      datasourceUid,
      model: {
        refId: 'A',
        expr,
        instant: true,
        range: false,
        datasource: { type: 'prometheus', uid: datasourceUid },
      },
    },
    {
      refId: 'B',
      datasourceUid: '__expr__',
      model: { refId: 'B', type: 'reduce', expression: 'A', reducer: 'last', datasource: exprDs() },
    },
    {
      refId: 'C',
      datasourceUid: '__expr__',
      model: {
        refId: 'C',
        type: 'threshold',
        expression: 'B',
        conditions: [{ type: 'query', evaluator: { type: 'gt', params: [0] } }],
        datasource: exprDs(),
      },
    },
  ];
}
