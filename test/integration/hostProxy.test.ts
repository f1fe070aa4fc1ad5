import { request } from 'node:http';
import { startHost } from '../../harness/host/server';
import { TEST_END } from '../../harness/synthetic/mesh';
import { prometheusUrl } from '../harness/state';

/**
 * The local host's data proxy stands where Grafana's would, on 127.0.0.1: a page the user visits
 * elsewhere can send requests to it. Only the Prometheus read API passes, from this host's own pages.
 */
let host: Awaited<ReturnType<typeof startHost>>;
beforeAll(async () => {
  host = await startHost({ prometheusUrl: prometheusUrl(), range: { from: TEST_END - 3600, to: TEST_END } });
});
afterAll(() => host.close());

function send(method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const url = new URL(path, host.url);
  return new Promise((resolve, reject) => {
    const r = request(
      url,
      { method, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }
    );
    r.on('error', reject);
    r.end(method === 'POST' ? 'query=vector(1)' : undefined);
  });
}

const PROXY = '/api/datasources/proxy/uid/istio-egress';

describe('the local host data proxy', () => {
  it('forwards the read API from its own pages', async () => {
    expect(await send('POST', `${PROXY}/api/v1/query`, { Origin: host.url })).toBe(200);
    expect(await send('GET', `${PROXY}/api/v1/status/buildinfo`)).toBe(200);
    expect(await send('GET', `${PROXY}/api/v1/label/cluster/values`)).toBe(200);
  });

  it.each([
    ['POST', `${PROXY}/-/quit`, {}],
    ['PUT', `${PROXY}/api/v1/query`, {}],
    ['POST', `${PROXY}/api/v1/admin/tsdb/delete_series`, {}],
    ['POST', `${PROXY}/api/v1/query`, { Origin: 'http://evil.example' }],
    ['GET', `${PROXY}/api/v1/query?query=up`, { Host: 'rebound.example:80' }],
  ])('refuses %s %s %j', async (method, path, headers) => {
    expect(await send(method, path, headers as Record<string, string>)).toBe(403);
  });
});
