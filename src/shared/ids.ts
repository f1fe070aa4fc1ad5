/**
 * The plugin's and its dashboards' ids: one definition for the app's pages, the provisioning builders,
 * the browser host and the tests. plugin.json files repeat the plugin ids (Grafana reads them there);
 * test/integration/pluginPackage.test.ts checks that they agree.
 */
export const APP_ID = 'meshlens-istioegress-app';
export const DATASOURCE_TYPE = 'meshlens-istioegress-datasource';
export const PANEL_TYPE = 'meshlens-istioegress-panel';

export const DASHBOARD_UID = {
  overview: 'istio-egress-overview',
  workload: 'istio-egress-workload',
} as const;

/** The provisioned rule that fires when a workload hits BlackHoleCluster (provisioning/alertRules.ts). */
export const BLACKHOLE_RULE_UID = 'istio-egress-blackhole';

/** The app's pages, under /a/<APP_ID>/ (react-router paths relative to the app root). */
export const APP_ROUTES = {
  overview: 'overview',
  lockdown: 'lockdown',
  /** The mesh-wide switch (meshConfig): its own route, since a namespace may be named anything. */
  lockdownMesh: 'lockdown-mesh',
} as const;

/** The app's configuration page: a tab of its plugin page, /plugins/<app id>?page=<this>. */
export const APP_CONFIG_PAGE = 'configuration';

export const appPath = (...parts: string[]) => `/a/${APP_ID}/${parts.map((p) => encodeURIComponent(p)).join('/')}`;
