import type { DataSourceInstanceSettings } from '@grafana/data';
import type { FakeVariable } from '../../../test/fakes/grafana';
import type { QueryVariableDef } from './variables';

/** What the host server hands the page (/host/config.json): the plugin, its data source, panel and dashboards. */
export interface HostConfig {
  pluginBase: string;
  datasource: DataSourceInstanceSettings;
  panel: {
    id: number;
    dashboardUid: string;
    type: string;
    title: string;
    options: Record<string, unknown>;
    targets: Array<Record<string, unknown>>;
  };
  variables: FakeVariable[];
  /** The provisioned dashboard's query variables, run as Grafana runs them. */
  queryVariables: QueryVariableDef[];
  range: { from: number; to: number };
  /** The provisioned dashboards, for the plugin page's Dashboards tab. */
  dashboards: Array<{ uid: string; title: string }>;
  /** The core Prometheus data source the alert rules and Explore links use (same Prometheus). */
  prometheusUid: string;
  prometheus: DataSourceInstanceSettings;
  datasourceUrl: string;
}
