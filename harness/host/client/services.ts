import { Observable } from 'rxjs';
import type { DataSourceApi, DataSourceInstanceSettings, DataSourceRef, ScopedVars } from '@grafana/data';
import type { BackendSrv, BackendSrvRequest, DataSourceSrv, FetchResponse, TemplateSrv } from '@grafana/runtime';

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

/**
 * Grafana's data source service for one data source: what a panel asks for by its query's reference.
 * References may name a dashboard variable (`${datasource}`): Grafana's DatasourceSrv resolves them with
 * the template service before looking the data source up (public/app/features/plugins/datasource_srv.ts,
 * getInstanceSettings), and so does this.
 */
export function hostDataSourceSrv(
  settings: DataSourceInstanceSettings,
  instance: DataSourceApi,
  templateSrv: TemplateSrv
): DataSourceSrv {
  const matches = (ref?: DataSourceRef | string | null) => {
    const raw = typeof ref === 'string' ? ref : ref?.uid;
    const key = raw ? templateSrv.replace(raw) : raw;
    return !key || key === settings.uid || key === settings.name;
  };
  return {
    get: async (ref) => {
      if (!matches(ref)) {
        throw new Error(`Data source ${JSON.stringify(ref)} was not found`);
      }
      return instance;
    },
    getList: (filters) => (!filters?.type || filters.type === settings.type ? [settings] : []),
    getInstanceSettings: (ref) => (matches(ref) ? settings : undefined),
    reload: () => {},
    registerRuntimeDataSource: () => {},
  };
}
