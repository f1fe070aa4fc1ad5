import { lastValueFrom } from 'rxjs';
import type { BackendSrv, FetchError } from '@grafana/runtime';
import { encodeParams, type PromRequest, type PromResponse, type PromTransport } from '../query';

function isFetchError(err: unknown): err is FetchError {
  return typeof err === 'object' && err !== null && 'status' in err && 'data' in err;
}

/**
 * The query core's transport over Grafana's data proxy: `baseUrl` is the instance URL
 * (/api/datasources/proxy/uid/<uid>), so Grafana adds the credentials from the HTTP settings.
 * `requestId` lets Grafana cancel the previous run of the same panel query when the panel refreshes.
 */
export function proxyTransport(
  backendSrv: BackendSrv,
  baseUrl: string,
  requestIdPrefix?: () => string | undefined
): PromTransport {
  return async (req: PromRequest): Promise<PromResponse> => {
    const params = encodeParams(req.params);
    const prefix = requestIdPrefix?.();
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
