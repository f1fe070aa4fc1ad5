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

  /** One query of the form defaults, as Grafana's rule form keeps it (AlertQuery: refId, datasourceUid, model). */
  type Query = {
    refId: string;
    datasourceUid: string;
    relativeTimeRange: { from: number; to: number };
    model: Record<string, unknown>;
  };

  /**
   * The defaults evaluated the way Grafana's server-side expressions run a rule (grafana/grafana pkg/expr:
   * each expression reads the refId named in `expression`; `reduce` with reducer `last` takes each series'
   * last value, `threshold` with evaluator `gt` compares it), on the series query A returns. Nothing here
   * reads the builder's code: a chain that names a missing refId, or a threshold that is not "above 0",
   * evaluates wrong.
   */
  function evaluate(defaults: { queries: Query[]; condition: string }, answer: Record<string, number[]>) {
    const byRef = new Map(defaults.queries.map((q) => [q.refId, q]));
    const run = (refId: string): Record<string, number[]> => {
      const q = byRef.get(refId);
      if (!q) {
        throw new Error(`no query ${refId}`);
      }
      if (q.datasourceUid !== '__expr__') {
        return answer;
      }
      const input = run(String(q.model.expression));
      if (q.model.type === 'reduce' && q.model.reducer === 'last') {
        return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, [v[v.length - 1]]]));
      }
      const conditions = q.model.conditions as Array<{ evaluator: { type: string; params: number[] } }>;
      const ev = conditions[0].evaluator;
      if (q.model.type === 'threshold' && ev.type === 'gt') {
        return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, [v[0] > ev.params[0] ? 1 : 0]]));
      }
      throw new Error(`expression ${refId} is no reduce-last or threshold-gt`);
    };
    const result = run(defaults.condition);
    return Object.keys(result).filter((k) => result[k][0] === 1);
  }

  it('fires, as Grafana evaluates it, for every series of the query whose last value is above 0', () => {
    const defaults = newAlertRuleDefaults(rule) as unknown as { queries: Query[]; condition: string };
    const firing = evaluate(defaults, { 'shop/checkout': [0, 3], 'shop/web': [2, 0], 'data/etl': [0, 0] });
    expect(firing).toEqual(['shop/checkout']);
  });

  it('asks the alerting data source for the expression, instantly, over the rule window', () => {
    const defaults = newAlertRuleDefaults(rule) as unknown as { queries: Query[]; type: string; name: string };
    const [query] = defaults.queries.filter((q) => q.datasourceUid !== '__expr__');
    expect(defaults.type).toBe('grafana-alerting');
    expect(defaults.name).toBe(rule.title);
    expect(query).toMatchObject({ datasourceUid: 'prom-1', relativeTimeRange: { from: rule.windowSeconds, to: 0 } });
    expect(query.model).toMatchObject({ expr: rule.expr, instant: true, range: false });
  });

  it("links the rule to its panel and labels it as Grafana's form reads them (key/value lists)", () => {
    const defaults = newAlertRuleDefaults(rule) as unknown as {
      labels: Array<{ key: string; value: string }>;
      annotations: Array<{ key: string; value: string }>;
    };
    expect(defaults.labels).toEqual([{ key: 'source', value: 'istio-egress' }]);
    // Grafana's own names for the panel link (annotations __dashboardUid__ and __panelId__).
    expect(defaults.annotations).toEqual(
      expect.arrayContaining([
        { key: '__dashboardUid__', value: 'dash' },
        { key: '__panelId__', value: '5' },
      ])
    );
  });

  it('links to alerting/new under the app sub-URL, the defaults as one JSON parameter', () => {
    const url = new URL(newAlertRuleUrl({ ...rule, appSubUrl: '/grafana', returnTo: '/d/x?a=1' }), 'http://g');
    expect(url.pathname).toBe('/grafana/alerting/new');
    expect(JSON.parse(url.searchParams.get('defaults')!)).toEqual(newAlertRuleDefaults(rule));
    expect(url.searchParams.get('returnTo')).toBe('/d/x?a=1');
  });
});
