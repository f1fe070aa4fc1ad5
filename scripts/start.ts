/**
 * `npm start`: the product on its built-in demo mesh, without Grafana or Docker. Backfills the demo mesh
 * (ending now) into a real Prometheus, serves the built plugin on the local host (data source from
 * provisioning/, the dashboard's matrix panel) and prints the same matrix through the CLI.
 * With a Docker engine, `npm run server` runs the full Grafana stack from docker-compose.yaml instead.
 */
import { rmSync } from 'node:fs';
import { startDemoPrometheus } from '../harness/demoMesh';
import { startHost } from '../harness/host/server';
import { freePort, MissingBinaryError } from '../harness/prometheus';
import { startDemoExporter } from '../harness/demoExporter';
import { runCli } from '../src/cli/main';
import { HOST_PAGES } from '../harness/host/pages';

/** The demo's settings file: what the host's data source runs on, so the CLI reads it too. */
const DEMO_SETTINGS = 'harness/demo/istio-egress.yaml';

async function main(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  // The demo stays live: two hours backfilled up to now, then the mesh's exporter scraped every 15 s as
  // the compose stack's Prometheus scrapes it (deploy/compose/prometheus.yml), so the last minutes, and
  // the health check that reads them, stay current for as long as the demo runs.
  const exporterPort = await freePort();
  const exporter = await startDemoExporter(exporterPort);
  // The realistic demo mesh: the hostile-label fixtures belong to the tests.
  const prom = await startDemoPrometheus(now, {
    port: Number(process.env.PROMETHEUS_PORT ?? 0) || undefined,
    fixtures: false,
    scrapeConfigs: `  - job_name: demo-mesh\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']`,
  });
  const host = await startHost({
    prometheusUrl: prom.url,
    range: { from: now - 3600, to: now },
    port: Number(process.env.PORT ?? 3000),
  });
  let stopping = false;
  const stop = () => {
    if (stopping) {
      return;
    }
    stopping = true;
    Promise.all([host.close(), prom.stop(), new Promise<void>((r) => exporter.close(() => r()))])
      .then(() => rmSync(prom.workDir, { recursive: true, force: true }))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  // `npm start` runs this under `sh -c`, which does not pass a SIGTERM on: when the shell that started us
  // is gone (we are re-parented), stop too, so Prometheus and the host never outlive npm.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      stop();
    }
  }, 500).unref();
  const io = {
    stdout: (s: string) => process.stdout.write(s),
    stderr: (s: string) => process.stderr.write(s),
    now: () => Date.now() / 1000,
  };
  await runCli(
    [
      'matrix',
      '--prometheus',
      prom.url,
      '--format',
      'table',
      '--selector',
      'cluster="demo-1"',
      '--from',
      String(now - 3600),
      '--to',
      String(now),
    ],
    io
  );
  const cli = `node bin/istio-egress.js`;
  const demo = `--prometheus ${prom.url} --config ${DEMO_SETTINGS}`;
  console.log(`
Prometheus with the demo mesh (2 hours up to now, then live): ${prom.url}
The mesh's exporter, scraped every 15 s:                  http://127.0.0.1:${exporterPort}/metrics
The plugin, loaded as Grafana loads it:                   ${host.url}/
  dark/light:              ${host.url}/?theme=light (any page)
  health check:            the "Test data source" button
${HOST_PAGES.map(([label, href]) => `  ${`${label}:`.padEnd(24)} ${host.url}${href}`).join('\n')}

CLI on the same data, with the demo's settings (the data source's):
  ${cli} matrix ${demo} --format table
  ${cli} serviceentries ${demo}
  ${cli} lockdown ${demo} --namespace billing
  ${cli} lockdown ${demo} --mesh

Ctrl-C stops everything.`);
}

main().catch((err: unknown) => {
  console.error(
    err instanceof MissingBinaryError
      ? err.message
      : `start failed: ${err instanceof Error ? err.message : String(err)}`
  );
  process.exit(1);
});
