import { RAW_BRIDGE_SECONDS } from '../query/recording';

/**
 * What the provisioned dashboards and alert rules are made of. Edit here, then `npm run generate`; a test
 * fails while the committed files differ from what the generator writes.
 */
export const UID = {
  /** The core Prometheus data source: Grafana-managed alert rules need a backend data source. */
  prometheus: 'istio-egress-prometheus',
  /** This plugin's data source, on the same Prometheus. */
  egress: 'istio-egress',
  overview: 'istio-egress-overview',
  workload: 'istio-egress-workload',
} as const;

export const DATASOURCE_TYPE = 'meshlens-istioegress-datasource';
export const PANEL_TYPE = 'meshlens-istioegress-panel';

/** The matrix panel's id in the overview dashboard: alert rules link back to it. */
export const MATRIX_PANEL_ID = 5;

export const ALERTING = {
  folder: 'Istio egress',
  group: 'istio-egress',
  interval: '1m',
  /** Each evaluation looks at the last 5 minutes. */
  windowSeconds: 300,
  /** New destinations: traffic in the last 10 minutes, none in the 7 days before. */
  newDestinationWindowSeconds: 600,
  lookbackSeconds: 7 * 86400,
  /** The raw series a rule may read at most per evaluation: longer look-backs read recorded series. */
  rawLookbackSeconds: RAW_BRIDGE_SECONDS,
  recordingGroup: 'istio-egress-recording',
  /** Namespaces declared REGISTRY_ONLY (Sidecar outboundTrafficPolicy): passthrough there is a policy gap. */
  registryOnlyNamespaces: ['payments', 'legacy'],
  /** What tells in-mesh traffic apart in the rules (the same settings as the provisioned data source). */
  mesh: {
    clusterDomain: 'cluster.local',
    /**
     * Pod and service ranges: kubeadm's defaults, which the demo mesh uses. Set your cluster's (IPv4 in
     * the rules; the data source also takes IPv6).
     */
    inClusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'],
  },
  /** Distinct destination IP label values above which the cardinality warning fires. */
  ipCardinalityThreshold: 1000,
} as const;

/** Where an existing Grafana finds things (Helm chart and Grafana Operator resources under deploy/). */
export const DEPLOY = {
  /** The in-cluster Prometheus the data sources point at: kube-prometheus-stack's default service. */
  prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090',
  /** Where `npm run package`'s archive is published; the Helm chart and the operator install it from there. */
  releaseUrl: 'https://github.com/meshlens/istio-egress/releases/download/v1.0.0/meshlens-istioegress-app-1.0.0.zip',
  /** The label the operator's resources select their Grafana instance by. */
  instanceSelector: { dashboards: 'grafana' },
  namespace: 'monitoring',
} as const;

export const PLUGIN_IDS = ['meshlens-istioegress-app', 'meshlens-istioegress-datasource', 'meshlens-istioegress-panel'] as const;
