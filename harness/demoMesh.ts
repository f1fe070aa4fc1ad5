/** Backfills the built-in demo mesh (harness/synthetic) into a fresh TSDB and starts Prometheus on it. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoGrid, demoSeries } from './synthetic/mesh';
import { writeOpenMetrics } from './synthetic/series';
import { backfill, type RunningPrometheus, startPrometheus } from './prometheus';

export async function startDemoPrometheus(
  end: number,
  opts: { port?: number; workDir?: string; fixtures?: boolean } = {}
): Promise<RunningPrometheus & { workDir: string }> {
  const workDir = opts.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'istioegress-prom-'));
  const grid = demoGrid(end);
  const dataDir = await backfill(workDir, (write) =>
    writeOpenMetrics(demoSeries(undefined, { fixtures: opts.fixtures }), grid, write)
  );
  const prom = await startPrometheus({ dataDir, port: opts.port });
  return { ...prom, workDir };
}
