import type { MetricFindValue } from '@grafana/data';
import {
  assertLabelName,
  egressSelector,
  type EgressScope,
  LABEL,
  METRIC,
  type PrometheusApi,
  VERDICTS,
} from '../query';
import { type EgressVariableQuery, VARIABLE_KINDS, type VariableQueryKind } from './types';

/**
 * Template variable values and ad hoc filter keys and values, from the series index (label names and
 * values of catch-all egress series: no samples read). The data source resolves the scope (its settings,
 * the variable's matchers, the other filters) and the range.
 */

/* The saved query's shapes, read here so the variable editor and the variable support share one reader. */
const KINDS = Object.keys(VARIABLE_KINDS) as VariableQueryKind[];

/**
 * Saved variable queries in every shape they were stored in: an object of this plugin, a bare kind
 * (`namespaces`, from dashboards as code), or Grafana's `{ query: "..." }` wrapper of a string.
 */
export function migrateVariableQuery(raw: unknown): EgressVariableQuery {
  if (typeof raw === 'string') {
    return migrateVariableQuery({ query: raw });
  }
  const q = (raw ?? {}) as Partial<EgressVariableQuery> & { query?: unknown };
  if (q.kind === undefined && typeof q.query === 'string') {
    const text = q.query.trim();
    const labelValues = /^label_values\(\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(text);
    if (labelValues) {
      return { refId: q.refId ?? 'variable', kind: 'labelValues', label: labelValues[1] };
    }
    return { refId: q.refId ?? 'variable', kind: (text || 'namespaces') as VariableQueryKind };
  }
  return { ...q, kind: q.kind ?? 'namespaces' } as EgressVariableQuery;
}

export function isVariableKind(kind: string): kind is VariableQueryKind {
  return (KINDS as readonly string[]).includes(kind);
}

const selectorsOf = (scope: EgressScope) => [
  egressSelector(METRIC.requests, 'http', scope),
  egressSelector(METRIC.tcpClosed, 'tcp', scope),
];

const asValues = (values: string[]): MetricFindValue[] =>
  Array.from(new Set(values))
    .sort()
    .map((v) => ({ text: v, value: v }));

/**
 * Ad hoc filter keys: the labels of catch-all egress series, Istio's source and destination labels
 * first; labels the plugin sets itself (reporter, destination_service_name) are not offered.
 */
export async function adHocKeys(
  api: PrometheusApi,
  scope: EgressScope,
  from: number,
  to: number
): Promise<MetricFindValue[]> {
  const names = await api.labelNames(selectorsOf(scope), from, to);
  const first = [
    LABEL.sourceNamespace,
    LABEL.sourceWorkload,
    LABEL.destinationService,
    scope.ipLabel!,
    LABEL.responseCode,
  ];
  const hidden = new Set<string>(['__name__', LABEL.reporter, LABEL.clusterName]);
  const keys = names.filter((n) => !hidden.has(n));
  keys.sort((a, b) => {
    const ia = first.indexOf(a);
    const ib = first.indexOf(b);
    return (ia < 0 ? first.length : ia) - (ib < 0 ? first.length : ib) || (a < b ? -1 : a > b ? 1 : 0);
  });
  return keys.map((k) => ({ text: k, value: k }));
}

/** Ad hoc filter values of one label, in a scope the other filters narrow. */
export async function adHocValues(
  api: PrometheusApi,
  key: string,
  scope: EgressScope,
  from: number,
  to: number
): Promise<MetricFindValue[]> {
  assertLabelName(key, 'ad hoc filter key');
  if (key === LABEL.reporter || key === LABEL.clusterName) {
    throw new Error(`${key} is set by the plugin itself: use the verdict filter instead.`);
  }
  return asValues(await api.labelValues(key, selectorsOf(scope), from, to));
}

/**
 * Variable values: namespaces, workloads (the scope narrowed to a namespace), destinations, verdicts, and
 * the values of any label on egress series (the scope narrowed by the variable's matchers).
 */
export async function variableValues(
  api: PrometheusApi,
  q: EgressVariableQuery,
  scope: EgressScope,
  from: number,
  to: number
): Promise<MetricFindValue[]> {
  if (!isVariableKind(q.kind)) {
    throw new Error(
      `Unknown variable query ${JSON.stringify(q.kind)}: use namespaces, workloads, destinations, verdicts or labelValues.`
    );
  }
  if (q.kind === 'verdicts') {
    return VERDICTS.map((v) => ({ text: v, value: v }));
  }
  const selectors = selectorsOf(scope);
  if (q.kind === 'destinations') {
    const [hosts, ips] = await Promise.all([
      api.labelValues(LABEL.destinationService, [selectors[0]], from, to),
      api.labelValues(scope.ipLabel!, [selectors[1]], from, to),
    ]);
    return asValues([...hosts, ...ips]);
  }
  const label =
    q.kind === 'namespaces' ? LABEL.sourceNamespace : q.kind === 'workloads' ? LABEL.sourceWorkload : q.label;
  if (!label) {
    throw new Error('Label values: name the label whose values to list, e.g. cluster.');
  }
  assertLabelName(label, 'label for label values');
  return asValues(await api.labelValues(label, selectors, from, to));
}
