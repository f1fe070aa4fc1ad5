/**
 * Grafana's services in miniature, one set for the unit tests, the integration tests and the browser host:
 * TemplateSrv (variables, multi-value and All, format functions called as Grafana calls them), BackendSrv
 * (fetch() as an Observable, non-2xx answers thrown as FetchErrors), DataSourceSrv, and fixture factories
 * for data source settings and requests.
 */
import { from, Observable, Subject } from 'rxjs';
import {
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourceRef,
  dateTime,
  formattedValueToString,
  getDisplayProcessor,
  getFieldDisplayValuesProxy,
  LoadingState,
  type ScopedVars,
} from '@grafana/data';
import type { BackendSrv, BackendSrvRequest, DataSourceSrv, FetchResponse, TemplateSrv } from '@grafana/runtime';
import type { EgressOptions } from '../../src/datasource/types';
import type { EgressDataQuery } from '../../src/shared/queryModel';

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

export interface FakeVariable {
  name: string;
  /** The selected values; '$__all' selects every option (or the custom all value). */
  current: string | string[];
  options: string[];
  allValue?: string;
}

/**
 * lodash `property(path)` as Grafana's getFieldAccessor uses it: `fields.destination`, `fields["Value"].labels.x`,
 * `fields[0].name`.
 */
function accessPath(obj: unknown, path: string): unknown {
  const keys = path.replace(/\[(?:"([^"]*)"|'([^']*)'|(\d+))\]/g, (_m, a, b, c) => `.${a ?? b ?? c}`).split('.');
  return keys
    .filter((k) => k !== '')
    .reduce<unknown>((o, k) => (o !== null && o !== undefined ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/**
 * Grafana's data link macros over the `__dataContext` a links supplier puts in scope (getLinksSupplier in
 * @grafana/data fieldOverrides.ts; the macros in grafana/grafana public/app/features/templating/dataMacros.ts
 * and fieldMacros.ts): `${__data.<path>}` on {name, refId, fields: getFieldDisplayValuesProxy(row)},
 * `${__value.raw|numeric|text}` of the link's field at the row, `${__field.name|labels.x}`, `${__series.name}`.
 * Like Grafana's, `__data` ignores the format (no URI encoding): what is returned is the display text.
 * Undefined when `name` is no macro or there is no row to read: the match is then left as written.
 */
function dataMacro(name: string, fieldPath: string | undefined, scoped: ScopedVars | undefined): string | undefined {
  const ctx = scoped?.__dataContext?.value as
    { frame: DataFrame; field: DataFrame['fields'][number]; rowIndex?: number } | undefined;
  if (!ctx || !fieldPath) {
    return undefined;
  }
  const { frame, field, rowIndex } = ctx;
  switch (name) {
    case '__data':
      return rowIndex === undefined
        ? undefined
        : String(
            accessPath(
              { name: frame.name, refId: frame.refId, fields: getFieldDisplayValuesProxy({ frame, rowIndex }) },
              fieldPath
            ) ?? ''
          );
    case '__value': {
      if (rowIndex === undefined) {
        return undefined;
      }
      const raw = field.values[rowIndex];
      const shown = (field.display ?? getDisplayProcessor())(raw);
      return String(
        fieldPath === 'raw'
          ? raw
          : fieldPath === 'numeric'
            ? shown.numeric
            : fieldPath === 'text'
              ? shown.text
              : formattedValueToString(shown)
      );
    }
    case '__field':
      return String(accessPath({ name: field.name, labels: field.labels ?? {} }, fieldPath) ?? '');
    case '__series':
      return fieldPath === 'name' ? (frame.name ?? frame.refId ?? '') : undefined;
    default:
      return undefined;
  }
}

const VARIABLE = /\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;
/** Grafana's text for an "All" selection (public/app/features/variables/constants.ts ALL_VARIABLE_TEXT). */
const ALL_TEXT = 'All';

const escapeRegex = (x: string) => x.replace(/[\\^$*+?.()|[\]{}\/]/g, '\\$&');

/** Grafana's named formats that we use (public/app/features/templating/formatRegistry.ts). */
function formatNamed(value: string | string[], format: string | undefined, name: string): string {
  const list = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'regex':
      return list.length > 1 ? `(${list.map(escapeRegex).join('|')})` : escapeRegex(list[0] ?? '');
    case 'text':
    case 'raw':
      return list.join(format === 'text' ? ' + ' : ',');
    case 'queryparam':
      return list.map((v) => `var-${name}=${encodeURIComponent(v)}`).join('&');
    case 'percentencode':
      return list.length > 1 ? encodeURIComponent(`{${list.join(',')}}`) : encodeURIComponent(list[0] ?? '');
    default:
      // glob, Grafana's default: {a,b} for several values, the value itself for one.
      return list.length > 1 ? `{${list.join(',')}}` : (list[0] ?? '');
  }
}

/**
 * A TemplateSrv that replaces variables as Grafana's does, for what the plugin uses
 * (grafana/grafana public/app/features/templating/template_srv.ts `replace`, and its scenes counterpart
 * @grafana/scenes `sceneInterpolator`/`formatValue` and `MultiValueVariable.ts` `CustomAllValue`):
 * - `$name`, `${name}`, `${name:format}`, `[[name]]`, `${name.field.path}`; a format in the reference wins;
 * - scopedVars first (a repeated panel's value, a data link's field values), formatted like any value;
 * - multi-value selections as arrays; "All" as every option, or, with a custom all value, that value
 *   *unformatted*: a format function is not called for it; `text` gives "All", `queryparam`
 *   `var-name=All`, `percentencode` the encoded value;
 * - a format function is called as (value: string | string[], variable).
 */
export function fakeTemplateSrv(vars: FakeVariable[] = []): TemplateSrv {
  const byName = new Map(vars.map((v) => [v.name, v]));
  return {
    getVariables: () => [],
    containsTemplate: (t?: string) => !!t && new RegExp(VARIABLE.source).test(t),
    updateTimeRange: () => {},
    replace(target?: string, scoped?: ScopedVars, format?: string | Function) {
      return (target ?? '').replace(VARIABLE, (match, a, b, fmtB, c, fieldPath, fmtC) => {
        const name: string = a ?? b ?? c;
        const fmt: string | Function | undefined = fmtB ?? fmtC ?? format;
        const apply = (value: string | string[], variable: object) =>
          typeof fmt === 'function' ? fmt(value, variable) : formatNamed(value, fmt, name);
        const macro = dataMacro(name, fieldPath, scoped);
        if (macro !== undefined) {
          return macro;
        }
        const scopedVar = scoped?.[name];
        // `${__data.fields.destination}`: a field path into the scoped value, read as Grafana reads it
        // (template_srv.ts getVariableValue: lodash `property`, brackets included).
        const scopedValue = fieldPath ? accessPath(scopedVar?.value, String(fieldPath)) : scopedVar?.value;
        if (scopedValue !== undefined && scopedValue !== null) {
          return apply(scopedValue as string | string[], { name });
        }
        const v = byName.get(name);
        if (!v) {
          return match;
        }
        const isAll = v.current === '$__all' || (Array.isArray(v.current) && v.current.includes('$__all'));
        const variable = { name: v.name, current: { value: v.current }, allValue: v.allValue };
        if (isAll && v.allValue !== undefined) {
          if (fmt === 'text') {
            return ALL_TEXT;
          }
          if (fmt === 'queryparam') {
            return `var-${name}=${ALL_TEXT}`;
          }
          return fmt === 'percentencode' ? encodeURIComponent(v.allValue) : v.allValue;
        }
        if (isAll && fmt === 'text') {
          return ALL_TEXT;
        }
        return apply(isAll ? v.options : v.current, variable);
      });
    },
  };
}

export type FetchHandler = (
  req: BackendSrvRequest,
  signal: AbortSignal
) => Promise<{ status: number; data: unknown; statusText?: string; headers?: Headers }>;

/**
 * A BackendSrv whose fetch() answers from `handler`; non-2xx answers are thrown as FetchErrors, like
 * Grafana's. It cancels as Grafana's does (grafana/grafana public/app/core/services/backend_srv.ts):
 * `internalFetch` publishes each new request's `requestId` to `inFlightRequests`, and
 * `handleStreamCancellation` ends any in-flight request with the same id (takeUntil) with the error
 * `{ cancelled: true, status: -1, statusText: 'Request was aborted' }` (throwIfEmpty). `cancelled` counts them.
 */
export function fakeBackendSrv(
  handler: FetchHandler
): BackendSrv & { requests: BackendSrvRequest[]; cancelled: BackendSrvRequest[] } {
  const requests: BackendSrvRequest[] = [];
  const cancelled: BackendSrvRequest[] = [];
  const inFlightRequests = new Subject<string>();
  const srv = {
    requests,
    cancelled,
    fetch<T>(req: BackendSrvRequest): Observable<FetchResponse<T>> {
      requests.push(req);
      return new Observable((sub) => {
        const controller = new AbortController();
        if (req.requestId) {
          // Before this request listens: a request never cancels itself.
          inFlightRequests.next(req.requestId);
        }
        const cancel = inFlightRequests.subscribe((id) => {
          if (id === req.requestId) {
            cancelled.push(req);
            controller.abort();
            sub.error({ cancelled: true, status: -1, statusText: 'Request was aborted', data: null, config: req });
          }
        });
        sub.add(() => cancel.unsubscribe());
        handler(req, controller.signal).then(
          (res) => {
            if (res.status >= 200 && res.status < 300) {
              sub.next({
                data: res.data as T,
                status: res.status,
                statusText: res.statusText ?? 'OK',
                ok: true,
                headers: res.headers ?? new Headers(),
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
        return () => controller.abort();
      });
    },
  };
  return srv as unknown as BackendSrv & { requests: BackendSrvRequest[]; cancelled: BackendSrvRequest[] };
}

/** The browser's fetch as a FetchHandler: JSON bodies parsed, a network failure answered as status 0. */
export const windowFetch: FetchHandler = async (req, signal) => {
  try {
    const headers = { ...(req.headers ?? {}) } as Record<string, string>;
    // As Grafana's backend_srv (parseBody): a plain object is sent as JSON, with its content type.
    let body = req.data as BodyInit | undefined;
    if (req.data !== null && typeof req.data === 'object' && Object.getPrototypeOf(req.data) === Object.prototype) {
      body = JSON.stringify(req.data);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(req.url, { method: req.method ?? 'GET', headers, body, signal });
    const text = await res.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, statusText: res.statusText, data, headers: res.headers };
  } catch (err) {
    return { status: 0, statusText: String(err), data: { message: String(err) } };
  }
};

/**
 * Grafana's data source service for one data source: what a panel asks for by its query's reference.
 * References may name a dashboard variable (`${datasource}`): Grafana's DatasourceSrv resolves them with
 * the template service before looking the data source up (public/app/features/plugins/datasource_srv.ts,
 * getInstanceSettings), and so does this.
 */
export function fakeDataSourceSrv(
  settings: DataSourceInstanceSettings,
  instance: DataSourceApi,
  templateSrv: TemplateSrv,
  /** Other data sources Grafana lists (e.g. the core Prometheus one pickers offer), without instances. */
  others: DataSourceInstanceSettings[] = []
): DataSourceSrv {
  const matches = (ref?: DataSourceRef | string | null) => {
    const raw = typeof ref === 'string' ? ref : ref?.uid;
    const key = raw ? templateSrv.replace(raw) : raw;
    return !key || key === settings.uid || key === settings.name;
  };
  const other = (ref?: DataSourceRef | string | null) => {
    const raw = typeof ref === 'string' ? ref : ref?.uid;
    return others.find((o) => o.uid === raw || o.name === raw);
  };
  const all = [settings, ...others];
  return {
    get: async (ref) => {
      if (!matches(ref)) {
        throw new Error(`Data source ${JSON.stringify(ref)} was not found`);
      }
      return instance;
    },
    getList: (filters) =>
      all.filter(
        (s) => (!filters?.type || filters.type === s.type) && (!filters?.pluginId || filters.pluginId === s.type)
      ),
    getInstanceSettings: (ref) => (matches(ref) ? settings : other(ref)),
    // Grafana 13 returns a Promise (12: void); one that resolves fits both.
    reload: () => Promise.resolve(),
    registerRuntimeDataSource: () => {},
  };
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

/**
 * A query's answer as a panel gets it: every packet the data source emits, merged as Grafana's runRequest
 * merges them (grafana/grafana public/app/features/query/state/runRequest.ts `processResponsePacket`):
 * by `key` (else the first frame's refId, else "A"), series in packet order, the state of the last packet
 * unless one failed (then Error, with that failed packet's `error` and `errors`).
 */
export async function runRequest(
  ds: { query(request: DataQueryRequest<EgressDataQuery>): Promise<DataQueryResponse> | Observable<DataQueryResponse> },
  request: DataQueryRequest<EgressDataQuery>
): Promise<DataQueryResponse & { state: LoadingState }> {
  const packets = new Map<string, DataQueryResponse>();
  let state = LoadingState.Done;
  await new Promise<void>((resolve, reject) =>
    from(ds.query(request)).subscribe({
      next: (packet) => {
        packets.set(packet.key ?? (packet.data?.[0] as DataFrame | undefined)?.refId ?? 'A', packet);
        state = packet.state ?? LoadingState.Done;
      },
      error: reject,
      complete: resolve,
    })
  );
  let error: DataQueryResponse['error'];
  let errors: DataQueryResponse['errors'];
  const data: DataQueryResponse['data'] = [];
  for (const packet of packets.values()) {
    if (packet.error || packet.errors?.length) {
      state = LoadingState.Error;
      error = packet.error;
      errors = packet.errors;
    }
    data.push(...(packet.data ?? []));
  }
  return { data, error, errors, state };
}
