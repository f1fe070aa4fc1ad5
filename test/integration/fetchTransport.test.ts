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

  it('fault: a 429 with Retry-After is asked again after the wait it names; one beyond the cap is not', async () => {
    const answers = [
      new Response('{"error":"slow down"}', { status: 429, headers: { 'Retry-After': '2' } }),
      new Response('{"status":"success","data":{"resultType":"vector","result":[]}}', { status: 200 }),
    ];
    const waits: number[] = [];
    const transport = fetchTransport({
      baseUrl: 'http://prom.example:9090',
      fetchImpl: (async () => answers.shift()!) as unknown as typeof fetch,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const api = new PrometheusApi(transport);
    await expect(api.instant('up', 1)).resolves.toMatchObject({ data: [] });
    expect(waits).toEqual([2000]);
    // A wait longer than the cap, or a 429 without Retry-After: the answer stands, with what to do.
    const late = new PrometheusApi(
      fetchTransport({
        baseUrl: 'http://prom.example:9090',
        maxRetryWaitMs: 1000,
        fetchImpl: answer('{"error":"slow down"}', { status: 429, headers: { 'Retry-After': '120' } }),
        sleep: async () => {
          throw new Error('must not wait');
        },
      })
    );
    await expect(late.instant('up', 1)).rejects.toThrow(/^HTTP 429 .*limiting requests: wait and retry/);
  });

  it('fault: a 503 that keeps saying "retry" is asked three times, then its answer stands', async () => {
    let asked = 0;
    const api = new PrometheusApi(
      fetchTransport({
        baseUrl: 'http://prom.example:9090',
        fetchImpl: (async () => {
          asked++;
          return new Response('overloaded', {
            status: 503,
            headers: { 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' },
          });
        }) as unknown as typeof fetch,
        sleep: async () => {},
      })
    );
    await expect(api.instant('up', 1)).rejects.toThrow(/^HTTP 503 .*did not answer/);
    expect(asked).toBe(3);
  });
});
