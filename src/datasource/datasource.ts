import {
  DataSourceApi,
  type DataQuery,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
} from '@grafana/data';

// Placeholder until the data source issue lands.
export class DataSource extends DataSourceApi<DataQuery> {
  constructor(settings: DataSourceInstanceSettings) {
    super(settings);
  }
  async query(_req: DataQueryRequest<DataQuery>): Promise<DataQueryResponse> {
    return { data: [] };
  }
  async testDatasource() {
    return { status: 'error', message: 'Not implemented yet' };
  }
}
