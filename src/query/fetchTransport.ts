import { EgressError, errorMessage } from './errors';
import type { PromRequest, PromResponse, PromTransport } from './prometheusApi';

export interface FetchTransportOptions {
  /** Base URL of the API, including any path prefix (Mimir: …/prometheus). */
  baseUrl: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
  fetchImpl?: typeof fetch;
}

function encodeParams(params: PromRequest['params']): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      out.append(k, item);
    }
  }
  return out;
}

/** Parses a base URL or explains what is wrong with it. */
export function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EgressError(
      `${JSON.stringify(text)} is not a URL: give the Prometheus API's base, e.g. http://prometheus:9090.`
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EgressError(
      `${JSON.stringify(text)} is not an http(s) URL: give the Prometheus API's base, e.g. http://prometheus:9090.`
    );
  }
  return url;
}

/** A PromTransport over the standard `fetch` (Node 18+ and browsers), for the CLI and tools. */
export function fetchTransport(opts: FetchTransportOptions): PromTransport {
  const base = parseBaseUrl(opts.baseUrl).toString().replace(/\/+$/, '');
  const doFetch = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return async (req: PromRequest): Promise<PromResponse> => {
    const params = encodeParams(req.params);
    const url = req.method === 'GET' ? `${base}${req.path}?${params}` : `${base}${req.path}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: req.method,
        headers: {
          ...(req.method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
          ...opts.headers,
        },
        body: req.method === 'POST' ? params.toString() : undefined,
        signal,
      });
    } catch (err) {
      if (timeout.aborted) {
        throw new EgressError(`Prometheus at ${base} did not answer ${req.path} within ${timeoutMs / 1000} s.`);
      }
      const cause = (err as { cause?: unknown }).cause;
      throw new EgressError(
        `Cannot reach Prometheus at ${base}: ${errorMessage(cause ?? err)}. Check the URL and that it is running.`
      );
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: unwrap() reports it with a snippet
    }
    return { status: res.status, statusText: res.statusText, body };
  };
}
