import { RAW_BRIDGE_SECONDS } from '../query/recording';
import { APP_ID, DASHBOARD_UID, DATASOURCE_TYPE, PANEL_TYPE } from '../shared/ids';

export { DATASOURCE_TYPE, PANEL_TYPE };

/**
 * What the provisioned dashboards and alert rules are made of, beyond the user's mesh settings
 * (istio-egress.yaml, settings.ts). Edit here, then `npm run generate`; a test fails while the committed
 * files differ from what the generator writes.
 */
export const UID = {
  /** The core Prometheus data source: Grafana-managed alert rules need a backend data source. */
  prometheus: 'istio-egress-prometheus',
  /** This plugin's data source, on the same Prometheus. */
  egress: 'istio-egress',
  overview: DASHBOARD_UID.overview,
  workload: DASHBOARD_UID.workload,
} as const;


/** The matrix panel's id in the overview dashboard: alert rules link back to it. */
export const MATRIX_PANEL_ID = 5;

/**
 * Where the alert rules live and how often they run. What they look for in the user's mesh (ranges,
 * REGISTRY_ONLY namespaces, windows, thresholds) is in the user's settings file (settings.ts).
 */
export const ALERTING = {
  folder: 'Istio egress',
  group: 'istio-egress',
  interval: '1m',
  /** The raw series a rule may read at most per evaluation: longer look-backs read recorded series. */
  rawLookbackSeconds: RAW_BRIDGE_SECONDS,
  recordingGroup: 'istio-egress-recording',
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

export const PLUGIN_IDS = [APP_ID, DATASOURCE_TYPE, PANEL_TYPE] as const;
