import { Observable } from 'rxjs';
import type { ScopedVars } from '@grafana/data';
import type { BackendSrv, BackendSrvRequest, FetchResponse, TemplateSrv } from '@grafana/runtime';

/** Grafana's fetch() in miniature: same request and response/error shapes, over window.fetch. */
export function hostBackendSrv(): BackendSrv {
  const fetchObs = <T>(req: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable((sub) => {
      const controller = new AbortController();
      const headers = { ...(req.headers ?? {}) } as Record<string, string>;
      fetch(req.url, { method: req.method ?? 'GET', headers, body: req.data, signal: controller.signal })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // not JSON
          }
          const response = {
            data: data as T,
            status: res.status,
            statusText: res.statusText,
            ok: res.ok,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: req,
          };
          if (res.ok) {
            sub.next(response);
            sub.complete();
          } else {
            sub.error({ status: res.status, statusText: res.statusText, data, config: req });
          }
        })
        .catch((err) => sub.error({ status: 0, statusText: String(err), data: { message: String(err) }, config: req }));
      return () => controller.abort();
    });
  return { fetch: fetchObs } as unknown as BackendSrv;
}

export interface HostVariable {
  name: string;
  /** Values when "All" is selected with no custom all value; undefined with allValue. */
  options?: string[];
  allValue?: string;
  value?: string | string[];
}

/** Dashboard variables at their provisioned defaults ("All"), with Grafana's format-function calling convention. */
export function hostTemplateSrv(vars: HostVariable[]): TemplateSrv {
  const byName = new Map(vars.map((v) => [v.name, v]));
  return {
    getVariables: () => [],
    containsTemplate: (t?: string) => !!t && /\$(\w+)|\$\{(\w+)(?::\w+)?\}/.test(t),
    updateTimeRange: () => {},
    replace(target?: string, _scoped?: ScopedVars, format?: string | Function) {
      return (target ?? '').replace(/\$(\w+)|\$\{(\w+)(?::\w+)?\}/g, (match, a, b) => {
        const v = byName.get(a ?? b);
        if (!v) {
          return match;
        }
        if (v.value !== undefined) {
          if (typeof format === 'function') {
            return format(v.value, { current: { value: v.value } });
          }
          return Array.isArray(v.value) ? `{${v.value.join(',')}}` : v.value;
        }
        const value: string | string[] = v.allValue ?? v.options ?? [];
        const variable = { current: { value: '$__all' }, allValue: v.allValue };
        if (typeof format === 'function') {
          return format(value, variable);
        }
        return Array.isArray(value) ? `{${value.join(',')}}` : value;
      });
    },
  };
}
