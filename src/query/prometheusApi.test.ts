import {
  parseQueryParameters,
  PrometheusApi,
  type PromRequest,
  type PromResponse,
  withParameters,
} from './prometheusApi';

function apiAnswering(res: PromResponse) {
  const seen: PromRequest[] = [];
  const api = new PrometheusApi(async (req) => {
    seen.push(req);
    return res;
  });
  return { api, seen };
}

describe('PrometheusApi', () => {
  it('POSTs instant queries and returns samples with warnings', async () => {
    const { api, seen } = apiAnswering({
      status: 200,
      body: {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { a: 'b' }, value: [1, '2'] }] },
        warnings: ['partial'],
      },
    });
    const a = await api.instant('up', 100);
    expect(seen[0]).toMatchObject({ path: '/api/v1/query', method: 'POST', params: { query: 'up', time: '100' } });
    expect(a).toEqual({ data: [{ metric: { a: 'b' }, value: [1, '2'] }], warnings: ['partial'] });
  });

  it("quotes Prometheus' own error text", async () => {
    const { api } = apiAnswering({
      status: 400,
      body: { status: 'error', errorType: 'bad_data', error: 'parse error: unexpected "}"' },
    });
    await expect(api.instant('x{', 1)).rejects.toThrow(
      'Prometheus rejected /api/v1/query (bad_data), HTTP 400: parse error: unexpected "}"'
    );
  });

  it('explains a non-Prometheus answer', async () => {
    const { api } = apiAnswering({ status: 200, body: '<html><body>Grafana</body></html>' });
    await expect(api.instant('up', 1)).rejects.toThrow(
      /not a Prometheus API response \(<html><body>Grafana.*Mimir needs its \/prometheus prefix/
    );
  });

  it('explains an HTTP error without a Prometheus body', async () => {
    const { api } = apiAnswering({ status: 502, statusText: 'Bad Gateway', body: 'upstream down' });
    await expect(api.range('up', 1, 2, 1)).rejects.toThrow(
      'HTTP 502 Bad Gateway from /api/v1/query_range: upstream down. The API or a proxy in front of it did not answer'
    );
  });

  it("says what a JSON error body says, not the JSON (Grafana's data proxy, gateways)", async () => {
    const message = 'Data source connection error: dial tcp 10.0.0.9:9090: connect: connection refused'.repeat(3);
    const { api } = apiAnswering({
      status: 502,
      statusText: 'Bad Gateway',
      body: JSON.stringify({ message: `${message}.`, traceID: 'abc' }),
    });
    const err = await api.instant('up', 1).catch((e: Error) => e.message);
    expect(err).toMatch(/^HTTP 502 Bad Gateway from \/api\/v1\/query: Data source connection error: dial tcp/);
    expect(err).not.toContain('{');
    expect(err).not.toContain('traceID');
    // Cut at 160 characters with one ellipsis, then the sentence goes on: never "....".
    expect(err).toMatch(/…\. The API or a proxy in front of it did not answer: check that Prometheus is up/);
  });

  it.each([
    [
      429,
      'Too Many Requests',
      /^HTTP 429 Too Many Requests from \/api\/v1\/query: rate limited\. The server or a proxy in front of it is limiting requests: wait and retry/,
    ],
    [
      503,
      'Service Unavailable',
      /^HTTP 503 Service Unavailable from \/api\/v1\/query: rate limited\. The API or a proxy in front of it did not answer/,
    ],
    [
      500,
      'Internal Server Error',
      /^HTTP 500 Internal Server Error from \/api\/v1\/query: rate limited\. The API failed on this request: retry/,
    ],
    [
      401,
      'Unauthorized',
      /^HTTP 401 Unauthorized from \/api\/v1\/query: rate limited\. Check the URL, path prefix and credentials/,
    ],
  ])('fault: HTTP %i says the status and what to do about it', async (status, statusText, message) => {
    const { api } = apiAnswering({ status, statusText, body: { error: 'rate limited' } });
    await expect(api.instant('up', 1)).rejects.toThrow(message);
  });

  it('rejects a result of the wrong type', async () => {
    const { api } = apiAnswering({
      status: 200,
      body: { status: 'success', data: { resultType: 'matrix', result: [] } },
    });
    await expect(api.instant('up', 1)).rejects.toThrow('Expected a vector from /api/v1/query, got matrix.');
  });
});

describe('engines behind the same API', () => {
  const ok = { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } };

  it('adds custom query parameters to every request (Thanos partial_response and dedup)', async () => {
    const seen: PromRequest[] = [];
    const params = parseQueryParameters('partial_response=false&dedup=true&max_source_resolution=5m');
    const api = new PrometheusApi(
      withParameters(async (req) => {
        seen.push(req);
        return req.path.endsWith('/values') ? { status: 200, body: { status: 'success', data: [] } } : ok;
      }, params)
    );
    await api.instant('up', 100);
    await api.labelValues('cluster', ['up'], 0, 100);
    expect(seen.map((r) => r.params)).toEqual([
      { partial_response: 'false', dedup: 'true', max_source_resolution: '5m', query: 'up', time: '100' },
      expect.objectContaining({ partial_response: 'false', dedup: 'true', 'match[]': ['up'] }),
    ]);
  });

  it('refuses custom parameters that are malformed or would replace the query', () => {
    expect(parseQueryParameters('')).toEqual({});
    expect(parseQueryParameters('?nocache=1')).toEqual({ nocache: '1' });
    expect(parseQueryParameters('a=%20b%26c')).toEqual({ a: ' b&c' });
    expect(() => parseQueryParameters('query=up')).toThrow('"query" is set by each query itself');
    expect(() => parseQueryParameters('=x')).toThrow('"=x" has no name');
    expect(() => parseQueryParameters('a=%zz')).toThrow('"a=%zz" is not URL-encoded text');
  });

  it("says when VictoriaMetrics answers partially (isPartial), and passes Thanos' warnings on", async () => {
    const vm = apiAnswering({ status: 200, body: { ...ok.body, isPartial: true } });
    expect((await vm.api.instant('up', 1)).warnings).toEqual([
      'The answer to /api/v1/query is partial (isPartial): some storage nodes did not answer, so counts may be low.',
    ]);
    const thanos = apiAnswering({
      status: 200,
      body: { ...ok.body, warnings: ['No StoreAPIs matched for this query'] },
    });
    expect((await thanos.api.instant('up', 1)).warnings).toEqual(['No StoreAPIs matched for this query']);
  });
});
