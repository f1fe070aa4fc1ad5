import { newAlertRuleDefaults, newAlertRuleUrl } from './alertRuleLink';

describe("Grafana's new-rule form defaults", () => {
  const rule = {
    title: 'Blocked egress from shop',
    expr: 'sum(x) > 0',
    datasourceUid: 'prom-1',
    windowSeconds: 300,
    labels: { source: 'istio-egress' },
    dashboardUid: 'dash',
    panelId: 5,
  };

  it("has the shape Grafana 12's rule form reads (RuleFormValues: queries, condition, labels, annotations)", () => {
    expect(newAlertRuleDefaults(rule)).toEqual({
      type: 'grafana-alerting',
      name: 'Blocked egress from shop',
      queries: [
        {
          refId: 'A',
          queryType: '',
          relativeTimeRange: { from: 300, to: 0 },
          datasourceUid: 'prom-1',
          model: {
            refId: 'A',
            expr: 'sum(x) > 0',
            instant: true,
            range: false,
            datasource: { type: 'prometheus', uid: 'prom-1' },
          },
        },
        {
          refId: 'B',
          queryType: '',
          relativeTimeRange: { from: 0, to: 0 },
          datasourceUid: '__expr__',
          model: {
            refId: 'B',
            type: 'reduce',
            expression: 'A',
            reducer: 'last',
            datasource: { type: '__expr__', uid: '__expr__' },
          },
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
            datasource: { type: '__expr__', uid: '__expr__' },
          },
        },
      ],
      condition: 'C',
      labels: [{ key: 'source', value: 'istio-egress' }],
      annotations: [
        { key: '__dashboardUid__', value: 'dash' },
        { key: '__panelId__', value: '5' },
      ],
    });
  });

  it('links to alerting/new under the app sub-URL, the defaults as one JSON parameter', () => {
    const url = new URL(newAlertRuleUrl({ ...rule, appSubUrl: '/grafana', returnTo: '/d/x?a=1' }), 'http://g');
    expect(url.pathname).toBe('/grafana/alerting/new');
    expect(JSON.parse(url.searchParams.get('defaults')!)).toEqual(newAlertRuleDefaults(rule));
    expect(url.searchParams.get('returnTo')).toBe('/d/x?a=1');
  });
});
