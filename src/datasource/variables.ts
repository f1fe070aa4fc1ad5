import { from, map, type Observable, of } from 'rxjs';
import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import type { EgressOptions, EgressVariableQuery, VariableQueryKind } from './types';
import type { EgressDataQuery } from '../shared/queryModel';

const KINDS: readonly VariableQueryKind[] = ['namespaces', 'workloads', 'destinations', 'verdicts', 'labelValues'];

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

/**
 * Query variables through Grafana's current API, as its Prometheus data source does
 * (grafana/grafana packages/grafana-prometheus/src/variables.ts): Grafana runs a data source with
 * `variables` through its custom runner (grafana/scenes createQueryVariableRunner.ts) and hands this class
 * the request whose first target is the saved query, instead of the legacy path that passed the stored
 * object to metricFindQuery.
 */
export class EgressVariableSupport extends CustomVariableSupport<
  DataSource,
  EgressVariableQuery,
  EgressDataQuery,
  EgressOptions
> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<EgressVariableQuery>): Observable<DataQueryResponse> {
    const target = request.targets[0] as unknown;
    if (target === undefined) {
      return of({ data: [] });
    }
    const q = migrateVariableQuery(target);
    return from(this.datasource.findValues(q, { range: request.range, scopedVars: request.scopedVars })).pipe(
      map((values) => ({ data: values }))
    );
  }
}
