import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import {
  ENV_PROMETHEUS_BIN,
  requirePrometheus3,
  type RunningPrometheus,
  startPrometheus,
} from '../../harness/prometheus';
import { TEST_END } from '../../harness/synthetic/mesh';
import { tsdbWriter, type WrittenMesh, writeMesh } from '../../harness/tsdbWriter';
import { CHROMIUM_ARGS } from '../../test/integration/browser';

/**
 * A bench's mesh and browser: `series` catch-all series over `days` ending at TEST_END, written straight into
 * TSDB blocks (harness/tools/tsdb-writer), a Prometheus 3 on them (ISTIOEGRESS_PROMETHEUS_BIN for another),
 * and Debian's Chromium; all stopped and removed after `run`, however it ends.
 */
export async function onBenchMesh<T>(
  mesh: { series: number; days: number; intervalSeconds: number },
  run: (ctx: { prom: RunningPrometheus; browser: Browser; written: WrittenMesh }) => Promise<T>
): Promise<T> {
  process.env[ENV_PROMETHEUS_BIN] ??= requirePrometheus3();
  await tsdbWriter();
  const work = mkdtempSync(path.join(os.tmpdir(), 'istioegress-bench-'));
  const dataDir = path.join(work, 'data');
  mkdirSync(dataDir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const written = await writeMesh({ ...mesh, end: TEST_END, out: dataDir });
    // Prometheus' default retention keeps the written day blocks (harness/prometheus.ts): no compaction of
    // the week inside a measurement, which also counted its CPU seconds as the viewers'.
    const prom = await startPrometheus({ dataDir, retention: '15d' });
    try {
      return await run({ prom, browser, written });
    } finally {
      await prom.stop();
    }
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
}
