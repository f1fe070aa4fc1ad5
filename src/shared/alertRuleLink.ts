import { urlUtil } from '@grafana/data';

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
  const expr = { type: '__expr__', uid: '__expr__' };
  const annotations = [
    ...(r.dashboardUid ? [{ key: '__dashboardUid__', value: r.dashboardUid }] : []),
    ...(r.dashboardUid && r.panelId !== undefined ? [{ key: '__panelId__', value: String(r.panelId) }] : []),
  ];
  return {
    type: 'grafana-alerting',
    name: r.title,
    queries: [
      {
        refId: 'A',
        queryType: '',
        relativeTimeRange: { from: r.windowSeconds, to: 0 },
        datasourceUid: r.datasourceUid,
        model: {
          refId: 'A',
          expr: r.expr,
          instant: true,
          range: false,
          datasource: { type: 'prometheus', uid: r.datasourceUid },
        },
      },
      {
        refId: 'B',
        queryType: '',
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: '__expr__',
        model: { refId: 'B', type: 'reduce', expression: 'A', reducer: 'last', datasource: expr },
      },
      {
        refId: 'C',
        queryType: '',
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: '__expr__',
        model: {
          refId: 'C',
          type: 'threshold',
          expression: 'B',
          conditions: [{ type: 'query', evaluator: { type: 'gt', params: [0] } }],
          datasource: expr,
        },
      },
    ],
    condition: 'C',
    labels: Object.entries(r.labels ?? {}).map(([key, value]) => ({ key, value })),
    annotations,
  };
}

/** The URL of Grafana's new-rule form with those defaults. */
export function newAlertRuleUrl(r: NewAlertRule): string {
  return urlUtil.renderUrl(`${r.appSubUrl ?? ''}/alerting/new`, {
    defaults: JSON.stringify(newAlertRuleDefaults(r)),
    ...(r.returnTo ? { returnTo: r.returnTo } : {}),
  });
}
