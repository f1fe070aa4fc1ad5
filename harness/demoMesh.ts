/** Backfills the built-in demo mesh (harness/synthetic) into a fresh TSDB and starts Prometheus on it. */
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoGrid, demoSeries } from './synthetic/mesh';
import { writeOpenMetrics } from './synthetic/series';
import { backfill, type RunningPrometheus, startPrometheus } from './prometheus';

export async function startDemoPrometheus(
  end: number,
  opts: {
    port?: number;
    workDir?: string;
    fixtures?: boolean;
    binary?: string;
    /** Also start this binary on a copy of the same blocks (the tests' oldest supported Prometheus). */
    alsoBinary?: string;
    /** Scrape jobs (YAML under scrape_configs), e.g. the live demo exporter after the backfill. */
    scrapeConfigs?: string;
    /** More Prometheus flags (a query limit, for the fault tests). */
    extraArgs?: string[];
  } = {}
): Promise<RunningPrometheus & { workDir: string; also?: RunningPrometheus }> {
  const workDir = opts.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'istioegress-prom-'));
  const grid = demoGrid(end);
  const dataDir = await backfill(workDir, (write) =>
    writeOpenMetrics(demoSeries(undefined, { fixtures: opts.fixtures }), grid, write)
  );
  let also: RunningPrometheus | undefined;
  if (opts.alsoBinary) {
    // Before either starts: a running Prometheus locks its data directory and writes a WAL into it.
    const copy = path.join(workDir, 'also', 'data');
    cpSync(dataDir, copy, { recursive: true });
    also = await startPrometheus({ dataDir: copy, binary: opts.alsoBinary });
  }
  const prom = await startPrometheus({
    dataDir,
    port: opts.port,
    binary: opts.binary,
    scrapeConfigs: opts.scrapeConfigs,
    extraArgs: opts.extraArgs,
  });
  return { ...prom, workDir, also, stop: async () => void (await Promise.all([prom.stop(), also?.stop()])) };
}
