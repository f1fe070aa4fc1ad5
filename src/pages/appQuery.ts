import { from as fromAsync, lastValueFrom } from 'rxjs';
import type { DataQueryRequest, DataQueryResponse, DataSourceApi, TimeRange } from '@grafana/data';
import type { EgressDataQuery } from '../shared/queryModel';

/**
 * A data source request from an app page, shaped as a panel's: the page's range, a request id of its own
 * (Grafana's backend_srv cancels an in-flight request when another with the same id starts, so one page
 * never cancels another's), a fixed 1-minute interval (the pages ask for totals, not series).
 */
export function appQueryRequest(opts: {
  requestId: string;
  app: string;
  range: TimeRange;
  targets: EgressDataQuery[];
}): DataQueryRequest<EgressDataQuery> {
  return {
    requestId: opts.requestId,
    app: opts.app,
    range: opts.range,
    interval: '1m',
    intervalMs: 60_000,
    scopedVars: {},
    timezone: 'browser',
    startTime: Date.now(),
    targets: opts.targets,
  };
}

/** The answer, whether the data source returns a Promise or an Observable (Grafana accepts both). */
export function runAppQuery(ds: DataSourceApi, request: DataQueryRequest): Promise<DataQueryResponse> {
  return lastValueFrom(fromAsync(ds.query(request)));
}
