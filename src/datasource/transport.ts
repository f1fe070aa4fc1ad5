import { lastValueFrom, type Observable } from 'rxjs';
import type { BackendSrv, FetchError, FetchResponse } from '@grafana/runtime';
import { encodeParams, type PromRequest, type PromResponse, type PromTransport, type StatusAdvice } from '../query';

function isFetchError(err: unknown): err is FetchError {
  return typeof err === 'object' && err !== null && 'status' in err && 'data' in err;
}

/**
 * The query core's transport over Grafana's data proxy: `baseUrl` is the instance URL
 * (/api/datasources/proxy/uid/<uid>), so Grafana adds the credentials from the HTTP settings.
 *
 * `opts.requestIdPrefix` (one query target's: `targetRequestId`) makes each call's `requestId`, so Grafana
 * cancels the previous run of the same panel query when the panel refreshes. Grafana's backend_srv
 * (grafana/grafana public/app/core/services/backend_srv.ts, `internalFetch` and
 * `handleStreamCancellation`) cancels any in-flight request when another with the same `requestId`
 * starts: the id is fixed when the transport is made for one target and travels with each call, never
 * read from state another query could change meanwhile.
 */
export interface TransportOptions {
  /** One query target's (`targetRequestId`): each call's requestId starts with it. */
  requestIdPrefix?: string;
  /** Aborts every call of this transport still in flight (Grafana unsubscribed from the query). */
  signal?: AbortSignal;
  /** Calls that do not answer the panel (probes, index look-ups): kept out of the query inspector. */
  hideFromInspector?: boolean;
}

/**
 * What Grafana's data proxy's own failures mean (grafana/grafana pkg/util/proxyutil/reverse_proxy.go
 * `errorHandler` writes a bare status): 502, it could not reach the data source's URL; 504, the upstream
 * did not answer within the data source's Timeout. Said with the settings that fix them.
 */
export function dataProxyAdvice(datasourceName: string): StatusAdvice {
  return (status) =>
    status === 502
      ? `Grafana's data proxy could not reach the data source "${datasourceName}": check that Prometheus is up and that the URL under Connection in the data source settings points at it.`
      : status === 504
        ? `Grafana's data proxy stopped waiting: Prometheus did not answer within the data source's Timeout (Advanced HTTP settings; Grafana's [dataproxy] timeout, 30 s, when unset). Raise it, shorten the range, or install the recording rules so long ranges read recorded series.`
        : undefined;
}

/** Index and metadata endpoints: what a panel's answer stands on, never the answer itself. */
const METADATA_PATH = /^\/api\/v1\/(labels|series|label\/|status\/)/;

export function proxyTransport(backendSrv: BackendSrv, baseUrl: string, opts: TransportOptions = {}): PromTransport {
  // A target's run may ask the same PromQL at different times at once (probes of the recording before and
  // in the range): the second such call of the run gets `#2`, so it never cancels the first. A refreshed
  // panel makes a new transport, whose first call of a query has the plain id and cancels the stale one.
  const asked = new Map<string, number>();
  return async (req: PromRequest): Promise<PromResponse> => {
    const params = encodeParams(req.params);
    const prefix = opts.requestIdPrefix;
    let requestId: string | undefined;
    if (prefix) {
      const id = `${prefix}${req.path}:${req.params.query ?? ''}`;
      const n = (asked.get(id) ?? 0) + 1;
      asked.set(id, n);
      requestId = n === 1 ? id : `${id}#${n}`;
    }
    const signals = [opts.signal, req.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      const res = await untilAborted(
        backendSrv.fetch<unknown>({
          url: req.method === 'GET' ? `${baseUrl}${req.path}?${params}` : `${baseUrl}${req.path}`,
          method: req.method,
          data: req.method === 'POST' ? params.toString() : undefined,
          headers: req.method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : undefined,
          requestId,
          hideFromInspector: opts.hideFromInspector || METADATA_PATH.test(req.path),
          showErrorAlert: false,
          showSuccessAlert: false,
        }),
        signal
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
 * The fetch's last response; when `signal` aborts first, the subscription ends, which makes backend_srv
 * abort the HTTP request (as Grafana's runRequest does when a panel unsubscribes), and the call fails.
 */
function untilAborted<T>(fetch: Observable<FetchResponse<T>>, signal?: AbortSignal): Promise<FetchResponse<T>> {
  if (!signal) {
    return lastValueFrom(fetch);
  }
  return new Promise((resolve, reject) => {
    const cancelled = () => new Error('Query cancelled: Grafana stopped waiting for it (a refresh or a new range).');
    if (signal.aborted) {
      reject(cancelled());
      return;
    }
    let last: FetchResponse<T> | undefined;
    const onAbort = () => {
      sub.unsubscribe();
      reject(cancelled());
    };
    const sub = fetch.subscribe({
      next: (r) => (last = r),
      error: (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
      complete: () => {
        signal.removeEventListener('abort', onAbort);
        if (last) {
          resolve(last);
        } else {
          reject(new Error('The data proxy answered nothing.'));
        }
      },
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
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
