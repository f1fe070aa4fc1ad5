/**
 * Istio's standard metric and label names, and the two virtual clusters that mark catch-all egress.
 * Values follow today's telemetry v2: the `istio_stats` filter (envoyproxy/envoy
 * contrib/istio/filters/http/istio_stats/source/istio_stats.cc, `populatePeerInfo`), not Istio 1.3's Mixer
 * attributes that the 2019 istio.io post "Monitoring blocked and passthrough external service traffic" used.
 */

export const METRIC = {
  requests: 'istio_requests_total',
  tcpClosed: 'istio_tcp_connections_closed_total',
  tcpOpened: 'istio_tcp_connections_opened_total',
  tcpSent: 'istio_tcp_sent_bytes_total',
  tcpReceived: 'istio_tcp_received_bytes_total',
} as const;

/** kube-state-metrics' one series per Kubernetes service, labelled `service` and `namespace`. */
export const KUBE_SERVICE_INFO = 'kube_service_info';

export const LABEL = {
  reporter: 'reporter',
  clusterName: 'destination_service_name',
  destinationService: 'destination_service',
  sourceNamespace: 'source_workload_namespace',
  sourceWorkload: 'source_workload',
  /** The caller's cluster in a multi-cluster mesh (Istio's standard label). */
  sourceCluster: 'source_cluster',
  responseCode: 'response_code',
  destinationWorkload: 'destination_workload',
  destinationWorkloadNamespace: 'destination_workload_namespace',
  destinationServiceNamespace: 'destination_service_namespace',
} as const;

/** The only reporter whose catch-all series are egress: `destination` blackholes are inbound (port 15006). */
export const EGRESS_REPORTER = 'source';

export const DEFAULT_IP_LABEL = 'destination_ip';

export type Verdict = 'blackhole' | 'passthrough';
export type Listener = 'http' | 'tcp';

export const VERDICTS: readonly Verdict[] = ['blackhole', 'passthrough'];
export const LISTENERS: readonly Listener[] = ['http', 'tcp'];

/** Exact `destination_service_name` values; `InboundPassthroughCluster*` must never match. */
export const VERDICT_CLUSTER: Record<Verdict, string> = {
  blackhole: 'BlackHoleCluster',
  passthrough: 'PassthroughCluster',
};

export function verdictOfCluster(name: string | undefined): Verdict | undefined {
  if (name === VERDICT_CLUSTER.blackhole) {
    return 'blackhole';
  }
  if (name === VERDICT_CLUSTER.passthrough) {
    return 'passthrough';
  }
  return undefined;
}

/** What Istio writes where it does not know a value. */
export const UNKNOWN = 'unknown';

/**
 * Every `destination_service_name` the stats filter sets from a cluster or route name rather than a
 * service (istio_stats.cc `populatePeerInfo`, envoyproxy/envoy contrib/istio/filters/http/istio_stats):
 * none of them names a registered host.
 */
export const SPECIAL_CLUSTERS: readonly string[] = [
  'BlackHoleCluster',
  'PassthroughCluster',
  'InboundPassthroughCluster',
  'InboundPassthroughClusterIpv4',
  'InboundPassthroughClusterIpv6',
];

/** The reporter an ambient waypoint (a gateway-mode Envoy) writes on its metrics. */
export const WAYPOINT_REPORTER = 'waypoint';

/** Whether `name` can be a Kubernetes namespace (an RFC 1123 label): what a Sidecar's namespace must be. */
export const isNamespaceName = (name: string): boolean => /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name);
