/**
 * Every page the host serves, as `npm start` prints them and the host's header links them: the app's pages,
 * the Grafana pages the product links to (dashboards, data source settings, alert rules), one list.
 */
import { UID } from '../../src/provisioning/config';
import { APP_ID, APP_ROUTES } from '../../src/shared/ids';

const app = `/a/${APP_ID}`;

export const HOST_PAGES: ReadonlyArray<readonly [string, string]> = [
  ['Overview', `${app}/${APP_ROUTES.overview}`],
  ['Lock down', `${app}/${APP_ROUTES.lockdown}`],
  ['Lock down the mesh', `${app}/${APP_ROUTES.lockdownMesh}`],
  ['App configuration', `/plugins/${APP_ID}`],
  ['Overview dashboard', `/d/${UID.overview}`],
  ['Workload dashboard', `/d/${UID.workload}?var-namespace=shop&var-workload=frontend`],
  ['Data source settings', `/connections/datasources/edit/${UID.egress}`],
  ['Alert rules', '/alerting/list'],
];
