import { from, map, type Observable, of } from 'rxjs';
import {
  CustomVariableSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type MetricFindValue,
} from '@grafana/data';
import { VariableQueryEditor } from './components/VariableQueryEditor';
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
/** What variables ask of the data source (datasource.ts `findValues`): this file needs no more of it. */
export interface VariableValues extends DataSourceApi<EgressDataQuery, EgressOptions> {
  findValues(
    q: EgressVariableQuery,
    options: { range?: DataQueryRequest['range']; scopedVars?: DataQueryRequest['scopedVars'] }
  ): Promise<MetricFindValue[]>;
}

export class EgressVariableSupport extends CustomVariableSupport<
  VariableValues,
  EgressVariableQuery,
  EgressDataQuery,
  EgressOptions
> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: VariableValues) {
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
