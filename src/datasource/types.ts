import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type { DestinationNameRule, RecordedMode } from '../query';

/** Data source settings (jsonData). Credentials live in Grafana's standard HTTP settings / secureJsonData. */
export interface EgressOptions extends DataSourceJsonData {
  /** Prepended to API paths, e.g. /prometheus for Mimir. */
  pathPrefix?: string;
  /**
   * Added to every request, as Grafana's Prometheus data source does: `partial_response=false&dedup=true`
   * (Thanos), `nocache=1` (VictoriaMetrics).
   */
  customQueryParameters?: string;
  /**
   * The matrix from the recording rules' series (rules/istio-egress.rules.yml): `auto` (default) for ranges
   * of 6 hours and more that they cover, `always`, or `never`.
   */
  recordedSeries?: RecordedMode;
  /**
   * Prometheus' scrape interval, as Grafana's Prometheus data source names it (`timeInterval`, default
   * 15s): the shortest step a panel gets, and the base of rate windows (4 × scrape, as $__rate_interval).
   */
  timeInterval?: string;
  /** Extra label matchers for every query, e.g. cluster="eu-1". */
  extraMatchers?: string;
  ipLabel?: string;
  /** Top N destinations by volume kept in the matrix (cardinality guard). */
  destinationLimit?: number;
  destinationNames?: DestinationNameRule[];
  /** Pod and service CIDRs: catch-all traffic to them is in-mesh, not external. */
  inClusterCidrs?: string[];
  /** Kubernetes cluster domain (default cluster.local). */
  clusterDomain?: string;
  /** Service names of egress gateways and egress proxies (default istio-egressgateway). */
  egressGateways?: string[];
  /** meshConfig.rootNamespace (default istio-system): lock-down plans never put a selector-less Sidecar there. */
  rootNamespace?: string;
  /**
   * A core Prometheus data source on the same backend: "New alert rule" puts the query there, since
   * Grafana's alerting evaluates only backend data sources.
   */
  alertingDatasourceUid?: string;
}

export const DEFAULT_DESTINATION_LIMIT = 500;

/** What a query variable lists, by the name the editor shows: the one list of kinds (the type follows it). */
export const VARIABLE_KINDS = {
  namespaces: 'Namespaces',
  workloads: 'Workloads',
  destinations: 'Destinations',
  verdicts: 'Verdicts',
  labelValues: 'Label values',
} as const;

export type VariableQueryKind = keyof typeof VARIABLE_KINDS;

export interface EgressVariableQuery extends DataQuery {
  kind: VariableQueryKind;
  /** Workloads: only in this namespace (may be a variable). */
  namespace?: string;
  /** labelValues: the label whose values to list (e.g. cluster), over egress series. */
  label?: string;
  /** labelValues: extra matchers, e.g. `mesh="prod"` (variables inside double quotes). */
  matchers?: string;
}
