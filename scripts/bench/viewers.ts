/**
 * `npm run bench -- viewers`: many people opening the overview dashboard at once on one Prometheus (10k
 * catch-all series, a week at 30 s, the 7-day range). One real opening in Chromium is captured: every
 * request its panels send through Grafana's data proxy (the browser host forwards them as Grafana does).
 * Then the requests are replayed straight to Prometheus as N viewers at once, each viewer's requests all in
 * flight together as a dashboard sends them: a viewer's time is until its last answer. Printed: one viewer
 * alone (the baseline), then 20 at once (p95 and max of the viewers' times), and Prometheus' CPU seconds
 * per view (from /proc, what its process_cpu_seconds_total counts, without a scrape in the measure), so what
 * a second viewer costs next to the first shows. As a check that the replay is faithful, 3 real pages
 * opened at once in Chromium against 3 replayed viewers.
 */
import type { Browser } from 'playwright-core';
import { startHost } from '../../harness/host/server';
import { TEST_END } from '../../harness/synthetic/mesh';
import { onBenchMesh } from './benchMesh';
import { cpuSecondsOf } from './processCpu';
import type { RunningPrometheus } from '../../harness/prometheus';

const INTERVAL = 30;
const DAY = 86400;
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 20);
const PROXY_PATH = /^\/api\/datasources\/proxy\/uid\/[^/]+/;

interface Captured {
  method: string;
  path: string;
  body?: string;
}

async function openPage(browser: Browser, hostUrl: string, from: number, to: number, capture?: Captured[]) {
  const page = await browser.newPage({ viewport: { width: 1220, height: 1250 } });
  if (capture) {
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (PROXY_PATH.test(u.pathname)) {
        capture.push({
          method: r.method(),
          path: u.pathname.replace(PROXY_PATH, '') + u.search,
          body: r.postData() ?? undefined,
        });
      }
    });
  }
  const t0 = performance.now();
  try {
    await page.goto(`${hostUrl}/dashboard.html?from=${from}&to=${to}`);
    await page.waitForFunction(() => window.__dash?.ready === true, null, { timeout: 600_000 });
    const error = await page.evaluate(() => window.__dash?.error ?? window.__dash?.panels.find((p) => p.error)?.error);
    if (error) {
      throw new Error(error);
    }
    return performance.now() - t0;
  } finally {
    await page.close();
  }
}

/** One viewer: every captured request at once; its time is until the last answer. */
async function replay(prom: string, requests: Captured[]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    requests.map(async (r) => {
      const res = await fetch(`${prom}${r.path}`, {
        method: r.method,
        body: r.body,
        headers: r.body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : undefined,
      });
      await res.arrayBuffer();
      if (res.status !== 200) {
        throw new Error(`replayed ${r.path} answered ${res.status}`);
      }
    })
  );
  return performance.now() - t0;
}

/** What a request asks, short: the endpoint and its query's first characters. */
function describe(r: Captured): string {
  const params = new URLSearchParams(r.body ?? new URL(r.path, 'http://x').search);
  const endpoint = r.path.split('?')[0].replace('/api/v1/', '');
  return `${endpoint} ${(params.get('query') ?? params.getAll('match[]').join(' ')).replace(/\s+/g, ' ').slice(0, 90)}`;
}

/** Each request alone, one after another: Prometheus CPU seconds and time, the costliest first. */
async function eachAlone(prom: RunningPrometheus, requests: Captured[]): Promise<void> {
  const rows: Array<{ cpu: number; ms: number; what: string }> = [];
  for (const r of requests) {
    const cpu0 = cpuSecondsOf([prom.process.pid]);
    const ms = await replay(prom.url, [r]);
    rows.push({ cpu: cpuSecondsOf([prom.process.pid]) - cpu0, ms, what: describe(r) });
  }
  rows.sort((a, b) => b.cpu - a.cpu);
  const total = rows.reduce((sum, row) => sum + row.cpu, 0);
  console.log(`  each request alone (BENCH_VERBOSE): ${total.toFixed(2)} CPU s in all`);
  for (const row of rows) {
    console.log(`    ${row.cpu.toFixed(2).padStart(5)} CPU s ${row.ms.toFixed(0).padStart(6)} ms  ${row.what}`);
  }
}

async function viewersAtOnce(prom: RunningPrometheus, requests: Captured[], n: number) {
  const cpu0 = cpuSecondsOf([prom.process.pid]);
  const times = await Promise.all(Array.from({ length: n }, () => replay(prom.url, requests)));
  const cpu = cpuSecondsOf([prom.process.pid]) - cpu0;
  const sorted = [...times].sort((a, b) => a - b);
  return { p95: sorted[Math.min(n - 1, Math.ceil(0.95 * n) - 1)], max: sorted[n - 1], cpuPerView: cpu / n };
}

export async function benchViewers(): Promise<void> {
  await onBenchMesh({ series: 10_000, days: 7, intervalSeconds: INTERVAL }, async ({ prom, browser, written }) => {
    console.log(`viewers bench: ${written.series.toLocaleString('en-US')} catch-all series, 7 days at ${INTERVAL} s`);
    const [from, to] = [TEST_END - 7 * DAY, TEST_END];
    const host = await startHost({
      prometheusUrl: prom.url,
      range: { from, to },
      jsonData: { timeInterval: `${INTERVAL}s` },
    });
    try {
      // A first opening warms Prometheus' caches as a dashboard already in use has; the second is captured.
      await openPage(browser, host.url, from, to);
      const requests: Captured[] = [];
      const pageMs = await openPage(browser, host.url, from, to, requests);
      console.log(`  one opening in Chromium: ${pageMs.toFixed(0)} ms, ${requests.length} requests to Prometheus`);
      if (process.env.BENCH_VERBOSE) {
        await eachAlone(prom, requests);
      }
      const one = await viewersAtOnce(prom, requests, 1);
      console.log(`  1 viewer replayed: ${one.max.toFixed(0)} ms, ${one.cpuPerView.toFixed(2)} Prometheus CPU s`);
      const many = await viewersAtOnce(prom, requests, VIEWERS);
      console.log(
        `  ${VIEWERS} viewers at once: p95 ${many.p95.toFixed(0)} ms, max ${many.max.toFixed(0)} ms (x${(many.p95 / one.max).toFixed(2)} of one viewer), ${many.cpuPerView.toFixed(2)} CPU s per view (x${(many.cpuPerView / one.cpuPerView).toFixed(2)})`
      );
      // Faithfulness: 3 real pages at once against 3 replayed viewers at once.
      const pages = await Promise.all([0, 1, 2].map(() => openPage(browser, host.url, from, to)));
      const three = await viewersAtOnce(prom, requests, 3);
      console.log(
        `  3 at once: real pages max ${Math.max(...pages).toFixed(0)} ms, replayed max ${three.max.toFixed(0)} ms (the pages add drawing and the browser's 6 connections per host)`
      );
      console.log(
        `bench viewers ok: ${VIEWERS} viewers p95 ${many.p95.toFixed(0)} ms, max ${many.max.toFixed(0)} ms; one viewer ${one.max.toFixed(0)} ms; ${many.cpuPerView.toFixed(2)} CPU s per view (one alone ${one.cpuPerView.toFixed(2)})`
      );
    } finally {
      await host.close();
    }
  });
}
