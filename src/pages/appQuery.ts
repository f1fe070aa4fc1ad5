import { from as fromAsync, lastValueFrom, toArray } from 'rxjs';
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

/**
 * The whole answer, from a data source that answers with a Promise or with packets over an Observable
 * (ours: one per target), merged as Grafana's runRequest merges them for a panel: by key, the frames in
 * order, the errors of the last failed packet.
 */
export async function runAppQuery(ds: DataSourceApi, request: DataQueryRequest): Promise<DataQueryResponse> {
  const packets = await lastValueFrom(fromAsync(ds.query(request)).pipe(toArray()));
  const byKey = new Map(packets.map((p) => [p.key ?? p.data?.[0]?.refId ?? 'A', p]));
  const failed = [...byKey.values()].filter((p) => p.errors?.length).pop();
  return { data: [...byKey.values()].flatMap((p) => p.data ?? []), ...(failed ? { errors: failed.errors } : {}) };
}
