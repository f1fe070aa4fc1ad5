import { version } from '../../package.json';
import { RAW_BRIDGE_SECONDS } from '../query/recording';
import { APP_ID, BLACKHOLE_RULE_UID, DASHBOARD_UID, DATASOURCE_TYPE, PANEL_TYPE } from '../shared/ids';

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
/**
 * Where the dashboards and the alert rules live in Grafana: one folder (its title; `name` for the Operator's
 * resource and the Helm chart's dashboard key) and one dashboard provider, by every way of provisioning.
 */
export const FOLDER = { title: 'Istio egress', name: 'istio-egress', provider: 'istio-egress' } as const;

/** The provisioned alert rules' uids (provisioning/alertRules.ts): links and tests name rules by these. */
export const RULE_UID = {
  blackhole: BLACKHOLE_RULE_UID,
  newDestination: 'istio-egress-new-destination',
  blockedInMesh: 'istio-egress-blocked-in-mesh',
  ipCardinality: 'istio-egress-ip-cardinality',
  policyViolation: 'istio-egress-policy-violation',
} as const;

export const ALERTING = {
  folder: FOLDER.title,
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
  releaseUrl: `https://github.com/meshlens/istio-egress/releases/download/v${version}/${APP_ID}-${version}.zip`,
  /** The label the operator's resources select their Grafana instance by. */
  instanceSelector: { dashboards: 'grafana' },
  namespace: 'monitoring',
} as const;

export const PLUGIN_IDS = [APP_ID, DATASOURCE_TYPE, PANEL_TYPE] as const;
