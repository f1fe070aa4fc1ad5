import { request as httpRequest } from 'node:http';
import type { FetchHandler } from '../fakes/grafana';

export const PROXY = '/api/datasources/proxy/uid/egress';

/**
 * Grafana's data proxy in miniature: forwards /api/datasources/proxy/uid/<uid>/… to the data source URL.
 * Failures as Grafana's reverse proxy writes them (grafana/grafana pkg/util/proxyutil/reverse_proxy.go
 * `errorHandler`): a status alone, no body: 504 when the upstream timed out (the data source's Timeout,
 * `timeoutMs` here), 502 for any other failure (connection refused, reset).
 */
export function proxyTo(target: () => string, timeoutMs = 10_000): FetchHandler {
  return (req) =>
    new Promise((resolve, reject) => {
      const url = new URL(req.url.replace(PROXY, ''), target());
      const r = httpRequest(url, { method: req.method, headers: req.headers, timeout: timeoutMs }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          let data: unknown = body;
          try {
            data = JSON.parse(body);
          } catch {
            // text answer
          }
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage, data });
        });
      });
      r.on('timeout', () => {
        r.destroy();
        resolve({ status: 504, statusText: 'Gateway Timeout', data: '' });
      });
      r.on('error', () => resolve({ status: 502, statusText: 'Bad Gateway', data: '' }));
      if (req.data) {
        r.write(String(req.data));
      }
      r.end();
      void reject;
    });
}
