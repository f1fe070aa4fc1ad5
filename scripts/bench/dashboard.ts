/**
 * `npm run bench -- dashboard`: open the overview dashboard in headless Chromium the way Grafana does (every
 * panel's queries at once through the plugin's data source) on a reference mesh with a week of history,
 * for a 24 h and a 7-day range: time from navigation to every query done and the matrix painted, each
 * panel's query time, and the samples Prometheus touched for it (stats=all). Median of several runs.
 * Figures are printed beside the 24 h run's as ratios.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startHost } from '../../harness/host/server';
import { backfill, startPrometheus } from '../../harness/prometheus';
import { TEST_END } from '../../harness/synthetic/mesh';
import { scaleMeshSeries, scaleMeshSize } from '../../harness/synthetic/scaleMesh';
import { writeOpenMetrics } from '../../harness/synthetic/series';

// A week at a 60 s scrape for 500 catch-all series (a tenth blocked): 5M samples. More series overflow the
// OpenMetrics file the backfill streams through (gigabytes of text); the 24h/7d ratio is what matters.
const MESH = { namespaces: 5, workloadsPerNamespace: 10, destinationsPerWorkload: 10 };
const WEEK = 7 * 86400;
const INTERVAL = 60;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Dash {
  ready: boolean;
  error?: string;
  totalMs?: number;
  matrixPaintedMs?: number;
  panels: Array<{
    id: number;
    title: string;
    type: string;
    ms: number;
    rows: number;
    error?: string;
    queries: string[];
  }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function samplesTouched(prom: string, panelType: string, queries: string[], from: number, to: number) {
  let total = 0;
  for (const line of queries) {
    const expr = line.replace(/^[\w.]+: /, '');
    const range = panelType === 'timeseries';
    const step = Math.max(15, Math.round((to - from) / 1000 / 15) * 15);
    const params = new URLSearchParams(
      range
        ? { query: expr, start: String(from), end: String(to), step: String(step), stats: 'all' }
        : { query: expr, time: String(to), stats: 'all' }
    );
    const res = await fetch(`${prom}/api/v1/${range ? 'query_range' : 'query'}`, { method: 'POST', body: params });
    const json = (await res.json()) as { data?: { stats?: { samples?: { totalQueryableSamples?: number } } } };
    total += json.data?.stats?.samples?.totalQueryableSamples ?? 0;
  }
  return total;
}

export async function benchDashboard(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'istioegress-bench-dash-'));
  const grid = { end: TEST_END, interval: INTERVAL, steps: WEEK / INTERVAL + 1 };
  console.log(
    `dashboard bench: ${scaleMeshSize(MESH)} catch-all series, ${grid.steps} samples each (a week at ${INTERVAL} s), median of ${RUNS}`
  );
  const t0 = performance.now();
  const dataDir = await backfill(work, (write) => writeOpenMetrics(Array.from(scaleMeshSeries(MESH)), grid, write));
  console.log(`  backfilled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const prom = await startPrometheus({ dataDir });
  const host = await startHost({ prometheusUrl: prom.url, range: { from: TEST_END - 86400, to: TEST_END } });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking'],
  });
  const summary: string[] = [];
  const totals: number[] = [];
  try {
    for (const [label, seconds] of [
      ['24h', 86400],
      ['7d', WEEK],
    ] as const) {
      const runs: Dash[] = [];
      for (let i = 0; i < RUNS; i++) {
        const page = await browser.newPage({ viewport: { width: 1220, height: 1250 } });
        await page.goto(`${host.url}/dashboard.html?from=${TEST_END - seconds}&to=${TEST_END}`);
        await page.waitForFunction(() => window.__dash?.ready === true, null, { timeout: 300_000 });
        const dash = (await page.evaluate(() => window.__dash)) as Dash;
        await page.close();
        if (dash.error || dash.panels.some((p) => p.error)) {
          throw new Error(`${label}: ${dash.error ?? dash.panels.find((p) => p.error)?.error}`);
        }
        runs.push(dash);
      }
      const total = median(runs.map((r) => r.matrixPaintedMs ?? NaN));
      totals.push(total);
      let samples = 0;
      console.log(
        `  ${label}: every query done and the matrix painted in ${total.toFixed(0)} ms (x${(total / totals[0]).toFixed(2)} of 24h)`
      );
      console.log('    panel                                          query ms   samples touched');
      for (const p of runs[0].panels) {
        const ms = median(runs.map((r) => r.panels.find((x) => x.id === p.id)!.ms));
        const touched = await samplesTouched(prom.url, p.type, p.queries, TEST_END - seconds, TEST_END);
        samples += touched;
        console.log(
          `    ${p.title.slice(0, 45).padEnd(46)} ${ms.toFixed(0).padStart(8)}   ${touched.toLocaleString('en-US').padStart(15)}`
        );
      }
      summary.push(`${label} ${total.toFixed(0)} ms, ${(samples / 1e6).toFixed(1)}M samples`);
    }
    console.log('  recorded series: none in this bench (see bench queries); every panel reads raw Istio series');
    console.log(`bench dashboard ok: ${summary.join('; ')}; 7d/24h time x${(totals[1] / totals[0]).toFixed(2)}`);
  } finally {
    await browser.close();
    await host.close();
    await prom.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
