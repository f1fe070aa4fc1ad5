/**
 * `npm start`: the product on its built-in demo mesh, without Grafana or Docker. Backfills the demo mesh
 * (ending now) into a real Prometheus, prints the matrix through the CLI's query core, and keeps
 * Prometheus up for the plugin host and for `istio-egress` commands.
 */
import { startDemoPrometheus } from '../harness/demoMesh';
import { MissingBinaryError } from '../harness/prometheus';
import { runCli } from '../src/cli/main';

async function main(): Promise<void> {
  const port = Number(process.env.PROMETHEUS_PORT ?? 0) || undefined;
  const prom = await startDemoPrometheus(Date.now() / 1000, { port });
  const stop = () => {
    prom.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const io = {
    stdout: (s: string) => process.stdout.write(s),
    stderr: (s: string) => process.stderr.write(s),
    now: () => Date.now() / 1000,
  };
  console.log(`Prometheus with the demo mesh: ${prom.url}\n`);
  await runCli(['matrix', '--prometheus', prom.url, '--format', 'table', '--selector', 'cluster="demo-1"'], io);
  console.log(`\nTry: node bin/istio-egress.js serviceentries --prometheus ${prom.url}`);
  console.log('Ctrl-C stops Prometheus.');
}

main().catch((err: unknown) => {
  console.error(
    err instanceof MissingBinaryError
      ? err.message
      : `start failed: ${err instanceof Error ? err.message : String(err)}`
  );
  process.exit(1);
});
