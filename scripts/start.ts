/**
 * `npm start`: the product on its built-in demo mesh, without Grafana or Docker. Backfills the demo mesh
 * (ending now) into a real Prometheus, serves the built plugin on the local host (data source from
 * provisioning/, the dashboard's matrix panel) and prints the same matrix through the CLI.
 * With a Docker engine, `npm run server` runs the full Grafana stack from docker-compose.yaml instead.
 */
import { rmSync } from 'node:fs';
import { startDemoPrometheus } from '../harness/demoMesh';
import { startHost } from '../harness/host/server';
import { MissingBinaryError } from '../harness/prometheus';
import { runCli } from '../src/cli/main';

async function main(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  // The realistic demo mesh: the hostile-label fixtures belong to the tests.
  const prom = await startDemoPrometheus(now, {
    port: Number(process.env.PROMETHEUS_PORT ?? 0) || undefined,
    fixtures: false,
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
    Promise.all([host.close(), prom.stop()])
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
  console.log(`
Prometheus with the demo mesh (last 2 hours, ending now): ${prom.url}
The plugin, loaded as Grafana loads it:                   ${host.url}/
  dark/light:   ${host.url}/?theme=light
  health check: the "Test data source" button

CLI on the same data:
  node bin/istio-egress.js serviceentries --prometheus ${prom.url}
  node bin/istio-egress.js matrix --prometheus ${prom.url} --format table

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
