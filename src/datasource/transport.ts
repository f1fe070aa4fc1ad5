import { lastValueFrom } from 'rxjs';
import type { BackendSrv, FetchError } from '@grafana/runtime';
import { encodeParams, type PromRequest, type PromResponse, type PromTransport } from '../query';

function isFetchError(err: unknown): err is FetchError {
  return typeof err === 'object' && err !== null && 'status' in err && 'data' in err;
}

/**
 * The query core's transport over Grafana's data proxy: `baseUrl` is the instance URL
 * (/api/datasources/proxy/uid/<uid>), so Grafana adds the credentials from the HTTP settings.
 *
 * `requestIdPrefix` (one query target's: `targetRequestId`) makes each call's `requestId`, so Grafana
 * cancels the previous run of the same panel query when the panel refreshes. Grafana's backend_srv
 * (grafana/grafana public/app/core/services/backend_srv.ts, `internalFetch` and
 * `handleStreamCancellation`) cancels any in-flight request when another with the same `requestId`
 * starts: the id is fixed when the transport is made for one target and travels with each call, never
 * read from state another query could change meanwhile.
 */
export function proxyTransport(backendSrv: BackendSrv, baseUrl: string, requestIdPrefix?: string): PromTransport {
  return async (req: PromRequest): Promise<PromResponse> => {
    const params = encodeParams(req.params);
    const prefix = requestIdPrefix;
    try {
      const res = await lastValueFrom(
        backendSrv.fetch<unknown>({
          url: req.method === 'GET' ? `${baseUrl}${req.path}?${params}` : `${baseUrl}${req.path}`,
          method: req.method,
          data: req.method === 'POST' ? params.toString() : undefined,
          headers: req.method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : undefined,
          requestId: prefix ? `${prefix}${req.path}:${req.params.query ?? ''}` : undefined,
          showErrorAlert: false,
          showSuccessAlert: false,
        })
      );
      return { status: res.status, statusText: res.statusText, body: res.data };
    } catch (err) {
      if (isFetchError(err)) {
        if (err.cancelled) {
          throw new Error('Query cancelled: the panel refreshed before Prometheus answered.');
        }
        return { status: err.status, statusText: err.statusText, body: err.data };
      }
      throw err;
    }
  };
}

/**
 * One query target's requestId prefix, as Grafana's Prometheus data source builds it (grafana-prometheus
 * datasource.ts `processTargetV2`: panel id + refId): a panel's refresh cancels its own stale request, and
 * two panels running the same PromQL never cancel each other. Without a panel (Explore, alerting, a
 * library panel preview) the request's own id stands in for it.
 */
export function targetRequestId(request: { panelId?: number | string; requestId?: string }, refId: string): string {
  const owner =
    request.panelId !== undefined && request.panelId !== null ? `panel-${request.panelId}` : request.requestId;
  return `${owner ?? 'query'}:${refId}:`;
}
