import { from, map, type Observable, of } from 'rxjs';
import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import type { EgressOptions, EgressVariableQuery } from './types';
import { migrateVariableQuery } from './variableQueries';
import type { EgressDataQuery } from '../shared/queryModel';

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
