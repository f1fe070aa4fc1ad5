import { urlUtil } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { ALERT_DEFAULTS, type EgressScope, grafanaRuleQueries, queryAlertExpr } from '../query';
import { urlSafeJson } from './urlJson';

/**
 * Grafana's new-rule form, prefilled the way its own panel menu does it
 * (grafana/grafana public/app/features/alerting/unified/utils/rule-form.ts `panelToRuleFormValues`,
 * and NewRuleFromPanelButton: `urlUtil.renderUrl('alerting/new', { defaults: JSON.stringify(formValues),
 * returnTo })`): the query on a Prometheus data source, a reduce (last) and a threshold (> 0), labels,
 * and the dashboard and panel it came from as the `__dashboardUid__` / `__panelId__` annotations.
 */
export interface NewAlertRule {
  title: string;
  expr: string;
  /** A Prometheus data source on the same backend: Grafana's alerting evaluates only backend data sources. */
  datasourceUid: string;
  /** Seconds before now the query looks at. */
  windowSeconds: number;
  labels?: Record<string, string>;
  dashboardUid?: string;
  panelId?: number;
  returnTo?: string;
  appSubUrl?: string;
}

/** A rule as a data source query gives it, before the panel it lives on is known. */
export type QueryAlertRule = Omit<NewAlertRule, 'dashboardUid' | 'panelId' | 'returnTo' | 'appSubUrl'>;

/**
 * "New alert rule" for a data source query: its filters as one expression (query/alerts.ts
 * `queryAlertExpr`, ALERT_DEFAULTS' window) on the Prometheus data source set for alerting.
 */
export function queryAlertRule(
  q: { verdicts?: readonly string[]; namespace?: string; destination?: string },
  scope: EgressScope,
  datasourceUid: string
): QueryAlertRule {
  const what = q.verdicts?.length === 1 ? (q.verdicts[0] === 'blackhole' ? 'Blocked' : 'Passthrough') : 'External';
  return {
    title: `${what} egress${q.namespace ? ` from ${q.namespace}` : ''}${q.destination ? ` to ${q.destination}` : ''}`,
    expr: queryAlertExpr(scope, { windowSeconds: ALERT_DEFAULTS.windowSeconds }),
    datasourceUid,
    windowSeconds: ALERT_DEFAULTS.windowSeconds,
    labels: { ...ALERT_DEFAULTS.labels },
  };
}

export function newAlertRuleDefaults(r: NewAlertRule) {
  const annotations = [
    ...(r.dashboardUid ? [{ key: '__dashboardUid__', value: r.dashboardUid }] : []),
    ...(r.dashboardUid && r.panelId !== undefined ? [{ key: '__panelId__', value: String(r.panelId) }] : []),
  ];
  return {
    type: 'grafana-alerting',
    name: r.title,
    // The form's query objects carry every field, empty ones too (rule-form.ts AlertQuery defaults).
    queries: grafanaRuleQueries(r.expr, r.datasourceUid, r.windowSeconds).map((q) => ({
      queryType: '',
      relativeTimeRange: { from: 0, to: 0 },
      ...q,
    })),
    condition: 'C',
    labels: Object.entries(r.labels ?? {}).map(([key, value]) => ({ key, value })),
    annotations,
  };
}

/** The URL of Grafana's new-rule form with those defaults. */
export function newAlertRuleUrl(r: NewAlertRule): string {
  return urlUtil.renderUrl(`${r.appSubUrl ?? ''}/alerting/new`, {
    // JSON that survives Grafana 13.1+'s LinkButton decoding the URL (urlJson.ts).
    defaults: urlSafeJson(newAlertRuleDefaults(r)),
    ...(r.returnTo ? { returnTo: r.returnTo } : {}),
  });
}

/**
 * Where the new-rule form returns to: the page's location as Grafana's router has it (relative to the
 * sub-path, as its own NewRuleFromPanelButton passes it), through locationService, never window.location.
 */
export function returnTo(): string {
  const l = locationService.getLocation();
  return l.pathname + l.search;
}
