/**
 * The demo mesh exporter: serves live Istio-shaped metrics on /metrics for a real Prometheus to scrape
 * (docker-compose's `mesh` service, and tests). Bundled to dist-cli/demo-exporter.js by `npm run build`.
 */
import { createServer, type Server } from 'node:http';
import { renderDemoMetrics } from './synthetic/exporter';

/** Loopback unless asked: `HOST=0.0.0.0` in a container (docker-compose.yaml sets it). */
export function startDemoExporter(port: number, host = '127.0.0.1'): Promise<Server> {
  const startedAt = Date.now() / 1000;
  const server = createServer((req, res) => {
    if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(renderDemoMetrics(startedAt, Date.now() / 1000));
    } else if (req.url === '/healthz') {
      res.writeHead(200).end('ok\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Only /metrics and /healthz live here.\n');
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 9464);
  const host = process.env.HOST ?? '127.0.0.1';
  startDemoExporter(port, host).then(() => console.log(`demo mesh exporter on ${host}:${port}/metrics`));
}
