import { grafanaAlertRules } from './alertRules';
import { ALERTING, DEPLOY, FOLDER, PLUGIN_IDS, UID } from './config';
import { datasources } from './datasources';
import type { GenerateSettings } from './settings';
import { overviewDashboard, workloadDashboard } from './dashboards';

const DASHBOARDS = () => [
  { name: UID.overview, json: overviewDashboard() },
  { name: UID.workload, json: workloadDashboard() },
];

/**
 * Values for the grafana/grafana Helm chart: the plugin from its release archive (`url;id`, the chart's
 * plugin syntax), unsigned plugins allowed by id, the data sources, a dashboard provider with the two
 * dashboards, and the alert rules as a provisioning file. `helm install -f deploy/helm/values.yaml`.
 */
export function helmValues(s: GenerateSettings) {
  return {
    plugins: [`${DEPLOY.releaseUrl};${PLUGIN_IDS[0]}`],
    'grafana.ini': { plugins: { allow_loading_unsigned_plugins: PLUGIN_IDS.join(',') } },
    datasources: { 'datasources.yaml': { apiVersion: 1, datasources: datasources(DEPLOY.prometheusUrl, s) } },
    dashboardProviders: {
      'dashboardproviders.yaml': {
        apiVersion: 1,
        providers: [
          {
            name: FOLDER.provider,
            orgId: 1,
            folder: FOLDER.title,
            type: 'file',
            disableDeletion: false,
            editable: true,
            options: { path: `/var/lib/grafana/dashboards/${FOLDER.name}` },
          },
        ],
      },
    },
    dashboards: {
      [FOLDER.name]: Object.fromEntries(DASHBOARDS().map((d) => [d.name, { json: JSON.stringify(d.json, null, 2) }])),
    },
    alerting: { 'istio-egress-rules.yaml': grafanaAlertRules(s) },
  };
}

const API_VERSION = 'grafana.integreatly.org/v1beta1';

/**
 * Grafana Operator resources (v5, grafana.integreatly.org/v1beta1) for a Grafana it manages: a folder, the
 * two data sources, the dashboards in that folder, and the alert rules as one rule group. The plugin is not
 * on grafana.com, so the operator's `spec.plugins` (name and version from the catalog) cannot install it:
 * the Grafana resource installs it from the release archive (GF_INSTALL_PLUGINS=url;id, see README).
 */
export function operatorResources(s: GenerateSettings) {
  const selector = { matchLabels: DEPLOY.instanceSelector };
  const meta = (name: string) => ({ name, namespace: DEPLOY.namespace });
  const group = grafanaAlertRules(s).groups[0];
  return [
    {
      apiVersion: API_VERSION,
      kind: 'GrafanaFolder',
      metadata: meta(FOLDER.name),
      spec: { instanceSelector: selector, title: ALERTING.folder },
    },
    ...datasources(DEPLOY.prometheusUrl, s).map((ds) => ({
      apiVersion: API_VERSION,
      kind: 'GrafanaDatasource',
      metadata: meta(ds.uid),
      spec: {
        instanceSelector: selector,
        datasource: ds,
      },
    })),
    ...DASHBOARDS().map((d) => ({
      apiVersion: API_VERSION,
      kind: 'GrafanaDashboard',
      metadata: meta(d.name),
      spec: {
        instanceSelector: selector,
        folderRef: FOLDER.name,
        json: JSON.stringify(d.json, null, 2),
      },
    })),
    {
      apiVersion: API_VERSION,
      kind: 'GrafanaAlertRuleGroup',
      metadata: meta('istio-egress'),
      spec: {
        instanceSelector: selector,
        folderRef: FOLDER.name,
        interval: group.interval,
        rules: group.rules.map((r) => ({
          uid: r.uid,
          title: r.title,
          condition: r.condition,
          data: r.data,
          noDataState: r.noDataState,
          execErrState: r.execErrState,
          for: r.for,
          annotations: r.annotations,
          labels: r.labels,
          isPaused: r.isPaused,
        })),
      },
    },
  ];
}
