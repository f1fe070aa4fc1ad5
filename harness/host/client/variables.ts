import { lastValueFrom, type Observable } from 'rxjs';
import type { DataQueryRequest, DataQueryResponse, DataSourceApi, MetricFindValue, TimeRange } from '@grafana/data';

/** A dashboard's query variable as the provisioned JSON stores it. */
export interface QueryVariableDef {
  name: string;
  query: unknown;
}

type VariableSupport = {
  getType(): string;
  editor?: unknown;
  query?: (request: DataQueryRequest) => Observable<DataQueryResponse>;
};

/**
 * Runs a query variable the way Grafana 12 does (grafana/scenes
 * packages/scenes/src/variables/variants/query/createQueryVariableRunner.ts, and guards.ts): a data
 * source with `metricFindQuery` and no `variables` takes the legacy path, which hands the stored query
 * object to metricFindQuery; one whose `variables` is custom gets a request whose first target is that
 * object, and its answer goes through toMetricFindValues (plain {text, value} objects or frames).
 */
export async function runQueryVariable(
  ds: DataSourceApi,
  def: QueryVariableDef,
  range: TimeRange
): Promise<MetricFindValue[]> {
  const support = (ds as unknown as { variables?: VariableSupport }).variables;
  if (support?.getType() === 'standard') {
    throw new Error('standard variable support: not what this plugin uses');
  }
  if (!support && ds.metricFindQuery) {
    return ds.metricFindQuery(def.query, { range, variable: { name: def.name } });
  }
  if (support?.getType() === 'custom' && support.editor && support.query) {
    const request = {
      requestId: `variable-${def.name}`,
      app: 'dashboard',
      range,
      interval: '60s',
      intervalMs: 60_000,
      scopedVars: {},
      targets: [def.query],
      timezone: 'utc',
      startTime: Date.now(),
    } as unknown as DataQueryRequest;
    const response = await lastValueFrom(support.query(request));
    return toMetricFindValues(response.data);
  }
  throw new Error(`Couldn't create a query runner for datasource ${ds.type}`);
}

/** scenes' toMetricFindValues for the shapes a data source answers with: {text, value} objects or frames. */
function toMetricFindValues(data: unknown[]): MetricFindValue[] {
  if (data.length === 0) {
    return [];
  }
  const first = data[0] as Record<string, unknown>;
  if (!('fields' in first) && ('text' in first || 'value' in first)) {
    return data as MetricFindValue[];
  }
  const out: MetricFindValue[] = [];
  for (const frame of data as Array<{ fields: Array<{ name: string; type: string; values: unknown[] }> }>) {
    const text =
      frame.fields.find((f) => f.name.toLowerCase() === 'text') ?? frame.fields.find((f) => f.type === 'string');
    if (!text) {
      throw new Error("Couldn't find any field of type string in the results.");
    }
    const value = frame.fields.find((f) => f.name.toLowerCase() === 'value') ?? text;
    text.values.forEach((t, i) => out.push({ text: String(t), value: String(value.values[i]) }));
  }
  return out;
}
