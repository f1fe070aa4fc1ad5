import { fetchTransport } from '../../src/query/fetchTransport';
import { PrometheusApi } from '../../src/query/prometheusApi';

const answer = (body: string, init: ResponseInit = {}) => (async () => new Response(body, init)) as typeof fetch;

describe('fetchTransport', () => {
  it('refuses an answer larger than the cap, naming the URL and what to do', async () => {
    const big = JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [] },
      pad: 'x'.repeat(5000),
    });
    const api = new PrometheusApi(
      fetchTransport({ baseUrl: 'http://prom.example:9090', maxResponseBytes: 1024, fetchImpl: answer(big) })
    );
    await expect(api.instant('up', 1)).rejects.toThrow(
      'The answer from http://prom.example:9090/api/v1/query is larger than 1 KiB: narrow the time range or the selector.'
    );
  });

  it('sends URL credentials as basic auth and never shows them', async () => {
    let seen: RequestInit | undefined;
    let seenUrl = '';
    const fetchImpl = (async (url: string, init: RequestInit) => {
      seen = init;
      seenUrl = url;
      return new Response('{"status":"error","errorType":"x","error":"denied"}', { status: 403 });
    }) as unknown as typeof fetch;
    const api = new PrometheusApi(
      fetchTransport({ baseUrl: 'https://bob:t%C3%B6p@prom.example/prometheus', fetchImpl })
    );
    const err = await api.instant('up', 1).catch((e: Error) => e);
    expect(String(err)).not.toContain('t%C3%B6p');
    expect(seenUrl).toBe('https://prom.example/prometheus/api/v1/query');
    expect((seen?.headers as Record<string, string>).Authorization).toBe(
      `Basic ${Buffer.from('bob:töp').toString('base64')}`
    );
  });
});
