import { EgressError, errorMessage } from './errors';
import { encodeParams, type PromRequest, type PromResponse, type PromTransport } from './prometheusApi';

export interface FetchTransportOptions {
  /** Base URL of the API, including any path prefix (Mimir: …/prometheus). */
  baseUrl: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer …`; never shown in messages. */
  bearerToken?: string;
  /** Basic auth; credentials written into the URL are taken out of it and used the same way. */
  basicAuth?: { username: string; password: string };
  /** Answers larger than this are refused with a message instead of filling memory (default 256 MiB). */
  maxResponseBytes?: number;
  fetchImpl?: typeof fetch;
  /** How long a 429/503's Retry-After may make the CLI wait before asking again (default 60 s). */
  maxRetryWaitMs?: number;
  /** Waits (tests pass a fake clock). */
  sleep?: (ms: number) => Promise<void>;
}

/** Asks made per request at most: the first and two more after a 429 or 503 that says when to retry. */
const MAX_ATTEMPTS = 3;

/**
 * A Retry-After header (RFC 9110 10.2.3: delay-seconds or an HTTP-date) as milliseconds from `now`;
 * undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) {
    return undefined;
  }
  const text = header.trim();
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** Node's network error codes, in words a user can act on. */
const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT:
    "the server's TLS certificate is self-signed and not trusted (NODE_EXTRA_CA_CERTS adds a CA)",
  SELF_SIGNED_CERT_IN_CHAIN:
    "the server's TLS certificate chain ends in an untrusted CA (NODE_EXTRA_CA_CERTS adds one)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate cannot be verified (NODE_EXTRA_CA_CERTS adds a CA)",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host name",
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS to a port that speaks plain HTTP: use http://',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'TLS to a port that speaks plain HTTP: use http://',
};

function networkReason(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause ?? err;
  const code = (cause as { code?: string }).code;
  if (code && NETWORK_ERRORS[code]) {
    return `${NETWORK_ERRORS[code]} (${code})`;
  }
  return errorMessage(cause).split('\n')[0];
}

/** The URL as messages show it: never with credentials. */
function displayUrl(url: URL): string {
  const u = new URL(url.toString());
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/+$/, '');
}

/** Parses a base URL or explains what is wrong with it. */
function parseBaseUrl(text: string): URL {
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
      `${displayUrl(url)} is not an http(s) URL: give the Prometheus API's base, e.g. http://prometheus:9090.`
    );
  }
  if (url.search || url.hash || text.includes('?') || text.includes('#')) {
    throw new EgressError(
      `${displayUrl(url)} has a query or fragment: give the API's base only (e.g. http://prometheus:9090 or …/prometheus), the paths are appended to it.`
    );
  }
  return url;
}

/** Reads a body up to `max` bytes; undefined when it is larger. */
async function readCapped(res: Response, max: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > max) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.body) {
    return '';
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      return text + decoder.decode();
    }
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** A PromTransport over the standard `fetch` (Node 18+ and browsers), for the CLI and tools. */
export function fetchTransport(opts: FetchTransportOptions): PromTransport {
  const parsed = parseBaseUrl(opts.baseUrl);
  const shown = displayUrl(parsed);
  const basic =
    opts.basicAuth ??
    (parsed.username
      ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
      : undefined);
  const base = shown;
  const auth: Record<string, string> = {};
  if (opts.bearerToken) {
    auth.Authorization = `Bearer ${opts.bearerToken}`;
  } else if (basic) {
    let binary = '';
    new TextEncoder().encode(`${basic.username}:${basic.password}`).forEach((b) => (binary += String.fromCharCode(b)));
    auth.Authorization = `Basic ${btoa(binary)}`;
  }
  const doFetch = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const tooLate = (path: string) =>
    new EgressError(
      `Prometheus at ${shown} did not answer ${path} within ${timeoutMs / 1000} s: raise --timeout, shorten the range, or install the recording rules so long ranges read recorded series.`
    );
  const maxWait = opts.maxRetryWaitMs ?? 60_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const once = askOnce;
  // A server or a proxy in front of it that sheds load (429, 503) and says when to come back is asked
  // again then, twice at most, while the wait stays within maxRetryWaitMs; otherwise its answer stands.
  return async (req: PromRequest): Promise<PromResponse> => {
    for (let attempt = 1; ; attempt++) {
      const { res, retryAfter } = await once(req);
      const wait = retryAfter;
      if (
        (res.status !== 429 && res.status !== 503) ||
        wait === undefined ||
        wait > maxWait ||
        attempt >= MAX_ATTEMPTS
      ) {
        return res;
      }
      if (req.signal?.aborted) {
        return res;
      }
      await sleep(wait);
    }
  };

  async function askOnce(req: PromRequest): Promise<{ res: PromResponse; retryAfter?: number }> {
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
          ...auth,
        },
        body: req.method === 'POST' ? params.toString() : undefined,
        signal,
      });
    } catch (err) {
      if (timeout.aborted) {
        throw tooLate(req.path);
      }
      throw new EgressError(
        `Cannot reach Prometheus at ${shown}: ${networkReason(err)}. Check the URL and that it is running.`
      );
    }
    let text: string | undefined;
    try {
      text = await readCapped(res, maxBytes);
    } catch (err) {
      if (timeout.aborted) {
        throw tooLate(req.path);
      }
      throw new EgressError(`The answer from ${shown}${req.path} broke off: ${networkReason(err)}.`);
    }
    if (text === undefined) {
      throw new EgressError(
        `The answer from ${shown}${req.path} is larger than ${maxBytes >= 1048576 ? `${Math.round(maxBytes / 1048576)} MiB` : `${Math.round(maxBytes / 1024)} KiB`}: narrow the time range or the selector.`
      );
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: unwrap() reports it with a snippet
    }
    return {
      res: { status: res.status, statusText: res.statusText, body },
      retryAfter: retryAfterMs(res.headers.get('retry-after')),
    };
  }
}
