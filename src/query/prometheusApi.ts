import { EgressError } from './errors';
import type { VectorSample } from './cells';

/**
 * A Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics) behind a transport the
 * caller provides: Grafana's data proxy in the data source, `fetch` in the CLI. Only the transport
 * differs; request shapes, envelope checks and error texts are the same everywhere.
 */

export interface PromRequest {
  /** API path below the base URL, e.g. `/api/v1/query`. */
  path: string;
  params: Record<string, string | string[]>;
  /** Queries are POSTed (long selectors exceed URL limits); metadata calls use GET. */
  method: 'GET' | 'POST';
  signal?: AbortSignal;
}

export interface PromResponse {
  status: number;
  statusText?: string;
  /** Parsed JSON where the body was JSON, otherwise its text. */
  body: unknown;
}

export type PromTransport = (req: PromRequest) => Promise<PromResponse>;

export interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface PromAnswer<T> {
  data: T;
  warnings: string[];
}

interface Envelope {
  status: 'success' | 'error';
  data?: unknown;
  error?: string;
  errorType?: string;
  warnings?: unknown;
  infos?: unknown;
  /** VictoriaMetrics cluster: some vmstorage nodes did not answer (app/vmselect/prometheus). */
  isPartial?: unknown;
}

function isEnvelope(body: unknown): body is Envelope {
  return (
    typeof body === 'object' &&
    body !== null &&
    ((body as Envelope).status === 'success' || (body as Envelope).status === 'error')
  );
}

function snippet(body: unknown): string {
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
}

/**
 * What an error body says, for a person: the `message` (Grafana's data proxy, Mimir, most gateways) or
 * `error` of a JSON body, without its trailing period; otherwise the start of the body as text.
 */
function bodyMessage(body: unknown): string {
  let parsed = body;
  if (typeof body === 'string' && body.trim().startsWith('{')) {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = body;
    }
  }
  if (isObject(parsed)) {
    const said = [parsed.message, parsed.error].find((v): v is string => typeof v === 'string' && v.trim() !== '');
    if (said) {
      return snippet(said).replace(/\.$/, '');
    }
  }
  return snippet(body);
}

/** What to do about an HTTP status, in one sentence: the URL and credentials are not always the cause. */
function statusAdvice(status: number): string {
  if (status === 429) {
    return 'The server or a proxy in front of it is limiting requests: wait and retry, refresh less often, or ask for a higher limit.';
  }
  if (status === 502 || status === 503 || status === 504) {
    return 'The API or a proxy in front of it did not answer: check that Prometheus is up and the URL points at it, then retry.';
  }
  if (status >= 500) {
    return 'The API failed on this request: retry, and check its logs if it keeps failing.';
  }
  return 'Check the URL, path prefix and credentials of the Prometheus-compatible API.';
}

/**
 * The API's own limits, by the words each writes: Prometheus' `--query.max-samples` ("query processing would
 * load too many samples into memory"), Mimir's per-query limits (err-mimir-max-*, "the query exceeded the
 * maximum number of ..."), Thanos' and Cortex's series and chunk limits ("limit ... exceeded").
 */
const QUERY_LIMIT =
  /too many samples|max[-_ ]samples|maximum number of (?:series|chunks|samples)|err-mimir-max|limit[^.]{0,60}exceeded|exceeded[^.]{0,60}limit/i;

/**
 * Thanos' querier with `partial_response=false` when a store API fails (pkg/store/proxy.go: "fetch series
 * for ... receive series from ..." with the gRPC status, e.g. `rpc error: code = Unavailable`).
 */
const PARTIAL_REFUSED = /receive series from|fetch series for|rpc error: code = Unavailable|partial response/i;

/** What to do when the API refused a query for its size or took too long: never a bare quote of its error. */
function rejectionAdvice(errorType: string | undefined, error: string): string | undefined {
  if (PARTIAL_REFUSED.test(error)) {
    return 'A store behind the querier did not answer, and partial_response=false refuses a partial answer: bring the store back, or set partial_response=true in the custom query parameters to get the rest with a warning.';
  }
  if (QUERY_LIMIT.test(error)) {
    return 'The query hit a limit of the Prometheus-compatible API: shorten the range, narrow the filters, or install the recording rules (rules/istio-egress.rules.yml) so long ranges read recorded series.';
  }
  if (errorType === 'timeout' || /timed out|context deadline exceeded/i.test(error)) {
    return "The API's own query timeout (Prometheus --query.timeout, 2m by default) passed: shorten the range, or install the recording rules so long ranges read recorded series.";
  }
  return undefined;
}

/**
 * Says what to do for an HTTP status the API's envelope does not explain; a caller that knows where the
 * request went (Grafana's data proxy) may say it better for some statuses, and `statusAdvice` says the rest.
 */
export type StatusAdvice = (status: number) => string | undefined;

/** Turns any answer into data or an EgressError that quotes Prometheus' own message. */
export function unwrap(path: string, res: PromResponse, advice?: StatusAdvice): PromAnswer<unknown> {
  if (isEnvelope(res.body)) {
    if (res.body.status === 'error') {
      const kind = res.body.errorType ? ` (${res.body.errorType})` : '';
      const error = res.body.error ?? 'no message';
      const todo = rejectionAdvice(res.body.errorType, error);
      throw new EgressError(
        `Prometheus rejected ${path}${kind}, HTTP ${res.status}: ${error}${todo ? `. ${todo}` : ''}`
      );
    }
    if (res.status >= 200 && res.status < 300) {
      const warnings = [res.body.warnings, res.body.infos].flatMap((w) => (Array.isArray(w) ? w.map(String) : []));
      if (res.body.isPartial === true) {
        warnings.push(
          `The answer to ${path} is partial (isPartial): some storage nodes did not answer, so counts may be low.`
        );
      }
      return { data: res.body.data, warnings };
    }
  }
  if (res.status < 200 || res.status >= 300) {
    const body = bodyMessage(res.body);
    throw new EgressError(
      `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} from ${path}${body ? `: ${body}` : ''}. ` +
        (advice?.(res.status) ?? statusAdvice(res.status))
    );
  }
  throw new EgressError(
    `The answer from ${path} is not a Prometheus API response (${snippet(res.body) || 'empty body'}). ` +
      'Point the URL at a Prometheus-compatible API; Mimir needs its /prometheus prefix.'
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isPair = (v: unknown) =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';

/**
 * The result of a query, checked element by element: a proxy or a non-Prometheus API can answer with
 * `[null]` or half a sample, which would otherwise surface as a JavaScript error far from its cause.
 */
function expectResult<T>(path: string, data: unknown, type: 'vector' | 'matrix'): T {
  const d = data as { resultType?: string; result?: unknown };
  if (!d || d.resultType !== type || !Array.isArray(d.result)) {
    throw new EgressError(`Expected a ${type} from ${path}, got ${d?.resultType ?? snippet(data)}.`);
  }
  const bad = d.result.findIndex(
    (s: unknown) =>
      !isObject(s) ||
      !isObject(s.metric) ||
      Object.values(s.metric).some((v) => typeof v !== 'string') ||
      (type === 'vector' ? !isPair(s.value) : !Array.isArray(s.values) || !s.values.every(isPair))
  );
  if (bad >= 0) {
    throw new EgressError(
      `Malformed ${type} from ${path}: result ${bad} is ${snippet(d.result[bad])}, not a series with labels and [time, "value"] samples.`
    );
  }
  return d.result as T;
}

/** A request's parameters as a form/query string: list values (`match[]`) repeat their key. */
export function encodeParams(params: PromRequest['params']): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      out.append(k, item);
    }
  }
  return out;
}

/** Parameters only this client sets: custom query parameters may not replace them. */
const OWN_PARAMS = new Set(['query', 'time', 'start', 'end', 'step', 'match[]', 'limit']);

/**
 * "Custom query parameters" as Grafana's Prometheus data source has them (`partial_response=false&dedup=true`
 * for Thanos, `nocache=1` for VictoriaMetrics): parsed once, refused with a message when malformed or when
 * they would replace a parameter of the query itself.
 */
export function parseQueryParameters(text: string | undefined): Record<string, string> {
  const trimmed = (text ?? '').trim().replace(/^\?/, '');
  if (!trimmed) {
    return {};
  }
  const out: Record<string, string> = {};
  for (const part of trimmed.split('&')) {
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq)).trim();
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw new EgressError(
        `Custom query parameters: "${part}" is not URL-encoded text. Write key=value pairs joined by &.`
      );
    }
    if (!key) {
      throw new EgressError(`Custom query parameters: "${part}" has no name. Write key=value pairs joined by &.`);
    }
    if (OWN_PARAMS.has(key)) {
      throw new EgressError(
        `Custom query parameters: "${key}" is set by each query itself and cannot be overridden. Remove it.`
      );
    }
    out[key] = value;
  }
  return out;
}

/** A transport that adds fixed parameters (custom query parameters) to every request. */
export function withParameters(transport: PromTransport, extra: Record<string, string>): PromTransport {
  return Object.keys(extra).length === 0
    ? transport
    : (req) => transport({ ...req, params: { ...extra, ...req.params } });
}

export class PrometheusApi {
  constructor(
    private readonly transport: PromTransport,
    private readonly advice?: StatusAdvice
  ) {}

  private async call(req: PromRequest): Promise<PromAnswer<unknown>> {
    return unwrap(req.path, await this.transport(req), this.advice);
  }

  async instant(expr: string, time: number, signal?: AbortSignal): Promise<PromAnswer<VectorSample[]>> {
    const path = '/api/v1/query';
    const a = await this.call({ path, method: 'POST', params: { query: expr, time: String(time) }, signal });
    return { data: expectResult<VectorSample[]>(path, a.data, 'vector'), warnings: a.warnings };
  }

  async range(
    expr: string,
    start: number,
    end: number,
    step: number,
    signal?: AbortSignal
  ): Promise<PromAnswer<RangeSeries[]>> {
    const path = '/api/v1/query_range';
    const params = { query: expr, start: String(start), end: String(end), step: String(step) };
    const a = await this.call({ path, method: 'POST', params, signal });
    return { data: expectResult<RangeSeries[]>(path, a.data, 'matrix'), warnings: a.warnings };
  }

  async labelValues(
    label: string,
    match: string[],
    start: number,
    end: number,
    signal?: AbortSignal
  ): Promise<string[]> {
    return this.stringList(`/api/v1/label/${encodeURIComponent(label)}/values`, 'values', match, start, end, signal);
  }

  /** Label names on the series `match` selects, from the index (no samples read). */
  async labelNames(match: string[], start: number, end: number, signal?: AbortSignal): Promise<string[]> {
    return this.stringList('/api/v1/labels', 'label names', match, start, end, signal);
  }

  /** The label sets of the series `match` selects in [start, end], from the index (no samples read). */
  async series(
    match: string[],
    start: number,
    end: number,
    signal?: AbortSignal
  ): Promise<Array<Record<string, string>>> {
    const path = '/api/v1/series';
    const a = await this.call({
      path,
      method: 'GET',
      params: { 'match[]': match, start: String(start), end: String(end) },
      signal,
    });
    if (!Array.isArray(a.data) || a.data.some((s) => typeof s !== 'object' || s === null)) {
      throw new EgressError(`Expected a list of label sets from ${path}, got ${snippet(a.data)}.`);
    }
    return a.data as Array<Record<string, string>>;
  }

  /** The metadata endpoints' answer: a list of strings for the series `match` selects in [start, end]. */
  private async stringList(
    path: string,
    what: string,
    match: string[],
    start: number,
    end: number,
    signal?: AbortSignal
  ): Promise<string[]> {
    const a = await this.call({
      path,
      method: 'GET',
      params: { 'match[]': match, start: String(start), end: String(end) },
      signal,
    });
    if (!Array.isArray(a.data)) {
      throw new EgressError(`Expected a list of ${what} from ${path}, got ${snippet(a.data)}.`);
    }
    return a.data.map(String);
  }

  /** Prometheus' version where the API exposes it (Thanos and some proxies do not): undefined then. */
  async buildInfo(signal?: AbortSignal): Promise<{ version?: string; revision?: string } | undefined> {
    try {
      const a = await this.call({ path: '/api/v1/status/buildinfo', method: 'GET', params: {}, signal });
      const d = a.data as { version?: string; revision?: string };
      return typeof d === 'object' && d ? { version: d.version, revision: d.revision } : undefined;
    } catch {
      return undefined;
    }
  }
}
