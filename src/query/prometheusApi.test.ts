import { PrometheusApi, type PromRequest, type PromResponse } from './prometheusApi';

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
      'HTTP 502 Bad Gateway from /api/v1/query_range: upstream down. Check the URL'
    );
  });

  it('rejects a result of the wrong type', async () => {
    const { api } = apiAnswering({
      status: 200,
      body: { status: 'success', data: { resultType: 'matrix', result: [] } },
    });
    await expect(api.instant('up', 1)).rejects.toThrow('Expected a vector from /api/v1/query, got matrix.');
  });
});
