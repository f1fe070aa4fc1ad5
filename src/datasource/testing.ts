import { dateTime, type DataQueryRequest, type DataSourceInstanceSettings, type ScopedVars } from '@grafana/data';
import type { BackendSrv, BackendSrvRequest, FetchResponse, TemplateSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';
import type { EgressDataQuery, EgressOptions } from './types';

/** Fixture factories for data source tests: Partial<> overrides, fixed UTC times. */

export function instanceSettings(
  jsonData: Partial<EgressOptions> = {},
  url = '/api/datasources/proxy/uid/egress'
): DataSourceInstanceSettings<EgressOptions> {
  return {
    id: 1,
    uid: 'egress',
    type: 'meshlens-istioegress-datasource',
    name: 'Istio Egress',
    url,
    access: 'proxy',
    jsonData: jsonData as EgressOptions,
    readOnly: false,
    meta: {} as DataSourceInstanceSettings['meta'],
  };
}

export interface StubVariable {
  name: string;
  /** The selected values; '$__all' selects every option. */
  current: string | string[];
  options: string[];
  allValue?: string;
}

/**
 * A TemplateSrv that understands $name and ${name}, multi-value and All, and calls a format function the
 * way Grafana's does (value: string | string[], variable), so interpolation is tested for real.
 */
export function stubTemplateSrv(vars: StubVariable[] = []): TemplateSrv {
  const byName = new Map(vars.map((v) => [v.name, v]));
  return {
    getVariables: () => [],
    containsTemplate: (t?: string) => !!t && /\$\w+|\$\{\w+\}/.test(t),
    updateTimeRange: () => {},
    replace(target?: string, _scoped?: ScopedVars, format?: string | Function) {
      return (target ?? '').replace(/\$(\w+)|\$\{(\w+)\}/g, (match, a, b) => {
        const v = byName.get(a ?? b);
        if (!v) {
          return match;
        }
        const isAll = v.current === '$__all' || (Array.isArray(v.current) && v.current.includes('$__all'));
        const value: string | string[] = isAll ? (v.allValue ?? v.options) : v.current;
        const variable = { name: v.name, current: { value: v.current }, allValue: v.allValue };
        if (typeof format === 'function') {
          return format(value, variable);
        }
        const list = Array.isArray(value) ? value : [value];
        if (format === 'regex') {
          const esc = list.map((x) => x.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'));
          return esc.length > 1 ? `(${esc.join('|')})` : esc[0];
        }
        return list.length > 1 ? `{${list.join(',')}}` : list[0];
      });
    },
  };
}

export type FetchHandler = (req: BackendSrvRequest) => Promise<{ status: number; data: unknown; statusText?: string }>;

/** A BackendSrv whose fetch() answers from `handler`; non-2xx answers are thrown as FetchErrors, like Grafana's. */
export function stubBackendSrv(handler: FetchHandler): BackendSrv & { requests: BackendSrvRequest[] } {
  const requests: BackendSrvRequest[] = [];
  const srv = {
    requests,
    fetch<T>(req: BackendSrvRequest): Observable<FetchResponse<T>> {
      requests.push(req);
      return new Observable((sub) => {
        handler(req).then(
          (res) => {
            if (res.status >= 200 && res.status < 300) {
              sub.next({
                data: res.data as T,
                status: res.status,
                statusText: res.statusText ?? 'OK',
                ok: true,
                headers: new Headers(),
                redirected: false,
                type: 'basic',
                url: req.url,
                config: req,
              });
              sub.complete();
            } else {
              sub.error({ status: res.status, statusText: res.statusText ?? '', data: res.data, config: req });
            }
          },
          (err) => sub.error(err)
        );
      });
    },
  };
  return srv as unknown as BackendSrv & { requests: BackendSrvRequest[] };
}

export function queryRequest(
  targets: Array<Partial<EgressDataQuery>>,
  fromSec: number,
  toSec: number,
  over: Partial<DataQueryRequest<EgressDataQuery>> = {}
): DataQueryRequest<EgressDataQuery> {
  const from = dateTime(fromSec * 1000);
  const to = dateTime(toSec * 1000);
  return {
    requestId: 'Q1',
    interval: '60s',
    intervalMs: 60_000,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), ...t })) as EgressDataQuery[],
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
    ...over,
  };
}
