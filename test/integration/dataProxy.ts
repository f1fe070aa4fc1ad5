import { request as httpRequest } from 'node:http';
import type { FetchHandler } from '../fakes/grafana';

export const PROXY = '/api/datasources/proxy/uid/egress';

/** Grafana's data proxy in miniature: forwards /api/datasources/proxy/uid/<uid>/… to the data source URL. */
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
        resolve({
          status: 504,
          statusText: 'Gateway Timeout',
          data: { message: 'data proxy: timeout awaiting response headers' },
        });
      });
      r.on('error', (err) =>
        resolve({ status: 502, statusText: 'Bad Gateway', data: { message: `data proxy: ${err.message}` } })
      );
      if (req.data) {
        r.write(String(req.data));
      }
      r.end();
      void reject;
    });
}
