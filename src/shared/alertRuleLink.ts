import { urlUtil } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { grafanaRuleQueries } from '../query';
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
