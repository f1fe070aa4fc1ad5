/**
 * `npm run bench -- dashboard`: open the overview dashboard in headless Chromium the way Grafana does (every
 * panel's queries at once through the plugin's data source) on meshes of the sizes users have: 500 and 10k
 * catch-all series with a week of history, and 100k with a day, at a 30 s scrape, and 100k with a week at
 * a 60 s scrape, on one Prometheus and through Thanos (two replicas with sidecars holding the last day, the
 * older blocks uploaded to a filesystem bucket behind a store gateway, `thanos query` deduplicating on the
 * replica label); the recording rules' series written beside them as Prometheus records them. For each size and range: navigation to every panel
 * done and the matrix painted (median of BENCH_RUNS, default 3), each panel's query time and the samples
 * Prometheus touched for it (stats=all; Thanos' querier reports none, so its rows show 0), and the most any
 * one panel touched. BENCH_SIZES=10k,100k/7d picks sizes (`100k` is both 100k meshes). The 500-series mesh also runs
 * with recorded series turned off (every panel on raw series, as the dashboard ran before recorded series),
 * the baseline the ratios are against.
 *
 * The series are written straight into TSDB blocks by harness/tools/tsdb-writer (Go, on the pinned
 * github.com/prometheus/prometheus/tsdb module, built once into .tools/bin): a week of 10k series is 200M
 * samples, gigabytes of OpenMetrics text for promtool, a minute this way.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startHost } from '../../harness/host/server';
import { CHROMIUM_ARGS } from '../../test/integration/browser';
import { ENV_PROMETHEUS_BIN, requirePrometheus3, startPrometheus } from '../../harness/prometheus';
import { TEST_END } from '../../harness/synthetic/mesh';
import { startThanos } from '../../harness/thanos';
import { tsdbWriter, writeMesh } from '../../harness/tsdbWriter';
import { CORES, cpuSecondsOf } from './processCpu';

const INTERVAL = 30;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DAY = 86400;

interface Size {
  label: string;
  series: number;
  days: number;
  ranges: Array<[string, number]>;
  /** The scrape interval written (default INTERVAL). */
  interval?: number;
  /** Also through Thanos: two replicas with sidecars (the last day), older blocks behind a store gateway. */
  thanos?: boolean;
}

const SIZES: Size[] = [
  {
    label: '500',
    series: 500,
    days: 7,
    ranges: [
      ['24h', DAY],
      ['7d', 7 * DAY],
    ],
  },
  {
    label: '10k',
    series: 10_000,
    days: 7,
    ranges: [
      ['24h', DAY],
      ['7d', 7 * DAY],
    ],
  },
  { label: '100k', series: 100_000, days: 1, ranges: [['24h', DAY]] },
  // A week of 100k series at a 60 s scrape (a billion samples; at 30 s twice that, for no other reading: the
  // 7-day panels read the recording rules' hourly tier either way), on one Prometheus and through Thanos.
  // Its last day too: 24 h with six days before it, where the new-destination look-back finds history (the
  // one-day mesh above has none before its range, as no Prometheus in use has).
  {
    label: '100k',
    series: 100_000,
    days: 7,
    interval: 60,
    ranges: [
      ['7d', 7 * DAY],
      ['24h of 7d', DAY],
    ],
    thanos: true,
  },
];

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
    stepSeconds: number;
  }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function samplesTouched(
  prom: string,
  panel: { type: string; queries: string[]; stepSeconds: number },
  from: number,
  to: number
) {
  let total = 0;
  let ms = 0;
  for (const line of panel.queries) {
    const expr = line.replace(/^[\w.]+: /, '');
    const range = panel.type === 'timeseries';
    // The step the panel's range queries ran at; the range start aligned to it, as the data source does.
    const step = panel.stepSeconds;
    const params = new URLSearchParams(
      range
        ? {
            query: expr,
            start: String(Math.floor(from / step) * step),
            end: String(to),
            step: String(step),
            stats: 'all',
          }
        : { query: expr, time: String(to), stats: 'all' }
    );
    const t0 = performance.now();
    const res = await fetch(`${prom}/api/v1/${range ? 'query_range' : 'query'}`, { method: 'POST', body: params });
    const json = (await res.json()) as { data?: { stats?: { samples?: { totalQueryableSamples?: number } } } };
    ms += performance.now() - t0;
    total += json.data?.stats?.samples?.totalQueryableSamples ?? 0;
  }
  // `ms`: the panel's queries one after another on an idle Prometheus: its share of the time, the rest is
  // waiting (on the cores, on other panels' queries) and the browser's shaping and drawing.
  return { samples: total, promMs: ms };
}

interface Measured {
  ms: number;
  /** CPU seconds the backend's processes used per opening (median): with CORES, the least an opening takes. */
  cpu: number;
  panels: Array<{ title: string; ms: number; samples: number; promMs: number; rows: number }>;
}

async function openDashboard(browser: Browser, hostUrl: string, from: number, to: number): Promise<Dash> {
  const page = await browser.newPage({ viewport: { width: 1220, height: 1250 } });
  try {
    await page.goto(`${hostUrl}/dashboard.html?from=${from}&to=${to}`);
    await page.waitForFunction(() => window.__dash?.ready === true, null, { timeout: 600_000 });
    return (await page.evaluate(() => window.__dash)) as Dash;
  } finally {
    await page.close();
  }
}

async function measure(
  browser: Browser,
  promUrl: string,
  pids: ReadonlyArray<number | undefined>,
  jsonData: Record<string, unknown>,
  from: number,
  to: number
): Promise<Measured> {
  const host = await startHost({ prometheusUrl: promUrl, range: { from, to }, jsonData });
  try {
    const runs: Dash[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const cpu0 = cpuSecondsOf(pids);
      const dash = await openDashboard(browser, host.url, from, to);
      cpu.push(cpuSecondsOf(pids) - cpu0);
      if (dash.error || dash.panels.some((p) => p.error)) {
        throw new Error(dash.error ?? dash.panels.find((p) => p.error)?.error);
      }
      runs.push(dash);
    }
    const panels = [];
    for (const p of runs[0].panels) {
      const ms = median(runs.map((r) => r.panels.find((x) => x.id === p.id)!.ms));
      panels.push({ title: p.title, ms, rows: p.rows, ...(await samplesTouched(promUrl, p, from, to)) });
    }
    return { ms: median(runs.map((r) => r.matrixPaintedMs ?? NaN)), cpu: median(cpu), panels };
  } finally {
    await host.close();
  }
}

const n = (v: number) => v.toLocaleString('en-US');

function report(key: string, m: Measured) {
  const most = Math.max(...m.panels.map((p) => p.samples));
  console.log(
    `  ${key.padEnd(16)} every panel done, matrix painted: ${m.ms.toFixed(0).padStart(6)} ms; most samples in one panel ${n(most)}`
  );
  // The floor the backend sets: its CPU seconds per opening spread over every core, before any waiting.
  console.log(
    `    backend CPU per opening ${m.cpu.toFixed(2)} s: at least ${((m.cpu / CORES) * 1000).toFixed(0)} ms on this machine's ${CORES} cores`
  );
  for (const p of m.panels) {
    console.log(
      `    ${p.title.slice(0, 45).padEnd(46)} ${p.ms.toFixed(0).padStart(7)} ms ${n(p.samples).padStart(14)} samples ${p.promMs.toFixed(0).padStart(6)} ms alone on Prometheus`
    );
  }
}

export async function benchDashboard(): Promise<void> {
  // On the engine the tests run and users deploy now: Prometheus 3 (scripts/setup.sh --tools builds it);
  // ISTIOEGRESS_PROMETHEUS_BIN=/usr/bin/prometheus measures Debian's 2.42 instead.
  process.env[ENV_PROMETHEUS_BIN] ??= requirePrometheus3();
  console.log(`dashboard bench: Prometheus ${process.env[ENV_PROMETHEUS_BIN]}`);
  await tsdbWriter();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const results = new Map<string, Measured>();
  const differs: string[] = [];
  let baseline: number | undefined;
  try {
    // BENCH_SIZES=500,10k runs some sizes only (for a quick look; the closing line needs 10k and 100k).
    const only = process.env.BENCH_SIZES?.split(',');
    for (const size of SIZES.filter((s) => !only || only.some((o) => o === s.label || o === `${s.label}/${s.days}d`))) {
      const interval = size.interval ?? INTERVAL;
      const work = mkdtempSync(path.join(os.tmpdir(), 'istioegress-bench-dash-'));
      const dataDir = path.join(work, 'data');
      mkdirSync(dataDir);
      try {
        const t0 = performance.now();
        const written = await writeMesh({
          series: size.series,
          days: size.days,
          intervalSeconds: interval,
          end: TEST_END,
          out: dataDir,
        });
        console.log(
          `dashboard bench ${size.label}: ${n(written.series)} catch-all series (${n(written.recordedSeries)} recorded), ${size.days} day(s) at ${interval} s, ${n(written.samples)} samples written in ${((performance.now() - t0) / 1000).toFixed(0)} s`
        );
        // Prometheus' default retention: it keeps the written day blocks as a user's Prometheus holds a week
        // (blocks of at most 36 h), instead of compacting 1B samples in the middle of the measurement.
        const prom = await startPrometheus({ dataDir, retention: '15d' });
        try {
          const variants: Array<[string, Record<string, unknown>]> = [['', { timeInterval: `${interval}s` }]];
          if (size.label === '500') {
            variants.push([' raw', { timeInterval: `${interval}s`, recordedSeries: 'never' }]);
          }
          for (const [label, seconds] of size.ranges) {
            for (const [variant, jsonData] of variants) {
              const key = `${size.label}/${label}${variant}`;
              const m = await measure(browser, prom.url, [prom.process.pid], jsonData, TEST_END - seconds, TEST_END);
              results.set(key, m);
              if (key === '500/7d raw') {
                baseline = m.ms;
              }
              report(key, m);
            }
          }
        } finally {
          await prom.stop();
        }
        if (size.thanos) {
          // BENCH_THANOS_ENGINE=thanos measures the querier on Thanos' own PromQL engine (default: prometheus).
          const engine = process.env.BENCH_THANOS_ENGINE;
          const thanos = await startThanos(
            dataDir,
            path.join(work, 'thanos'),
            { seconds: DAY, end: TEST_END },
            engine ? [`--query.promql-engine=${engine}`] : []
          );
          try {
            // dedup=true and partial answers as Grafana users set them for Thanos (custom query parameters).
            const jsonData = {
              timeInterval: `${interval}s`,
              customQueryParameters: 'dedup=true&partial_response=true',
            };
            const pids = [
              ...thanos.replicas.map((r) => r.process.pid),
              ...[...thanos.sidecars, thanos.store, thanos.query].map((c) => c.child.pid),
            ];
            for (const [label, seconds] of size.ranges) {
              const key = `thanos ${size.label}/${label}`;
              const m = await measure(browser, thanos.url, pids, jsonData, TEST_END - seconds, TEST_END);
              results.set(key, m);
              report(key, m);
              // The same mesh through Thanos must answer as Prometheus did: a topology missing blocks is
              // faster for reading less, and would go unnoticed in a time.
              const alone = results.get(`${size.label}/${label}`);
              for (const p of m.panels) {
                const want = alone?.panels.find((x) => x.title === p.title)?.rows;
                if (want !== undefined && want !== p.rows) {
                  differs.push(`${key} "${p.title}": ${p.rows} rows, Prometheus ${want}`);
                }
              }
            }
          } finally {
            await thanos.stop();
          }
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  console.log('  time against the 500-series week on raw series (the dashboard before recorded series):');
  for (const [key, m] of results) {
    console.log(`    ${key.padEnd(16)} ${m.ms.toFixed(0).padStart(6)} ms  x${(m.ms / (baseline ?? NaN)).toFixed(2)}`);
  }
  const at = (k: string) =>
    results.get(k) ?? { ms: NaN, cpu: NaN, panels: [{ title: '', ms: NaN, samples: NaN, promMs: NaN }] };
  const most = Math.max(...at('10k/7d').panels.map((p) => p.samples));
  if (differs.length > 0) {
    throw new Error(`Thanos answered otherwise than Prometheus on the same mesh:\n  ${differs.join('\n  ')}`);
  }
  console.log(
    `bench dashboard ok: 10k/7d ${at('10k/7d').ms.toFixed(0)} ms; 100k/24h ${at('100k/24h').ms.toFixed(0)} ms; 100k/7d ${at('100k/7d').ms.toFixed(0)} ms; thanos 100k/7d ${at('thanos 100k/7d').ms.toFixed(0)} ms; most samples in one panel ${most} (10k/7d)`
  );
}
