import { fakeBackendSrv, type FetchHandler } from '../../test/fakes/grafana';
import { proxyTransport } from './transport';

/**
 * A Prometheus that answers each request once `release()` is called: requests overlap in flight.
 * `holding(n)` resolves when n requests have reached it, so a test waits for the requests, not for a timer.
 */
function heldProxy() {
  const waiting: Array<() => void> = [];
  const watchers: Array<{ n: number; resolve: () => void }> = [];
  const handler: FetchHandler = async () => {
    const answered = new Promise<void>((resolve) => waiting.push(resolve));
    watchers.filter((w) => waiting.length >= w.n).forEach((w) => w.resolve());
    await answered;
    return { status: 200, data: { status: 'success', data: { resultType: 'vector', result: [] } } };
  };
  const holding = (n: number) =>
    new Promise<void>((resolve) => (waiting.length >= n ? resolve() : watchers.push({ n, resolve })));
  return { handler, release: () => waiting.splice(0).forEach((r) => r()), holding };
}

const ask = (time: number) => ({
  method: 'GET' as const,
  path: '/api/v1/query',
  params: { query: 'count(up)', time: String(time) },
});

describe('request ids of one target', () => {
  it('the same PromQL asked twice at once in one run: distinct ids, neither cancelled', async () => {
    const proxy = heldProxy();
    const backend = fakeBackendSrv(proxy.handler);
    const transport = proxyTransport(backend, '/api/datasources/proxy/uid/x', { requestIdPrefix: 'panel-1:A:' });
    const both = Promise.all([transport(ask(100)), transport(ask(200))]);
    await proxy.holding(2);
    proxy.release();
    expect((await both).map((r) => r.status)).toEqual([200, 200]);
    expect(backend.cancelled).toEqual([]);
    expect(backend.requests.map((r) => r.requestId)).toEqual([
      'panel-1:A:/api/v1/query:count(up)',
      'panel-1:A:/api/v1/query:count(up)#2',
    ]);
  });

  it("a refreshed panel's new run cancels its stale run's request, as Grafana's Prometheus does", async () => {
    const proxy = heldProxy();
    const backend = fakeBackendSrv(proxy.handler);
    const base = '/api/datasources/proxy/uid/x';
    const stale = proxyTransport(backend, base, { requestIdPrefix: 'panel-1:A:' })(ask(100));
    await proxy.holding(1);
    const fresh = proxyTransport(backend, base, { requestIdPrefix: 'panel-1:A:' })(ask(200));
    await expect(stale).rejects.toThrow(/^Query cancelled/);
    await proxy.holding(2);
    proxy.release();
    expect((await fresh).status).toBe(200);
    expect(backend.cancelled.map((r) => r.requestId)).toEqual(['panel-1:A:/api/v1/query:count(up)']);
  });
});

describe('what the query inspector shows', () => {
  const answer: FetchHandler = async () => ({ status: 200, data: { status: 'success', data: [] } });

  it("hides index and metadata calls and a transport's probes; shows the queries that answer the panel", async () => {
    const backend = fakeBackendSrv(answer);
    const base = '/api/datasources/proxy/uid/x';
    const panel = proxyTransport(backend, base, { requestIdPrefix: 'panel-1:A:' });
    const probes = proxyTransport(backend, base, { hideFromInspector: true });
    await panel(ask(1));
    await panel({ method: 'POST', path: '/api/v1/query_range', params: { query: 'up' } });
    await panel({ method: 'GET', path: '/api/v1/label/destination_service/values', params: {} });
    await panel({ method: 'GET', path: '/api/v1/series', params: { 'match[]': 'up' } });
    await probes(ask(2));
    expect(backend.requests.map((r) => [r.url.replace(/\?.*$/, ''), r.hideFromInspector])).toEqual([
      [`${base}/api/v1/query`, false],
      [`${base}/api/v1/query_range`, false],
      [`${base}/api/v1/label/destination_service/values`, true],
      [`${base}/api/v1/series`, true],
      [`${base}/api/v1/query`, true],
    ]);
  });
});
