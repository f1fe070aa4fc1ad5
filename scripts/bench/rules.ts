/**
 * Query cost as Prometheus counts it (`stats=all`: totalQueryableSamples, peakSamples), deterministic
 * unlike times, on a reference mesh with a week of history and several pods per workload:
 * - each shipped alert rule per evaluation, and the new-destination rule's raw-only form beside it;
 * - each query type the dashboards run (matrix, new destinations, first seen, time series) over 1h, 24h,
 *   7d and 30d, raw against the recorded form the data source ships.
 * The recording rules' history is backfilled with `promtool tsdb create-blocks-from rules`, as users do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { backfill, backfillRecordingRules, startPrometheus } from '../../harness/prometheus';
import { TEST_END } from '../../harness/synthetic/mesh';
import { scaleMeshSeries, scaleMeshSize } from '../../harness/synthetic/scaleMesh';
import { writeOpenMetrics } from '../../harness/synthetic/series';
import { alertSpecs } from '../../src/provisioning/alertRules';
import { ALERTING } from '../../src/provisioning/config';
import { DEMO_SETTINGS_FILE } from '../../harness/demo/settingsFile';
import { readSettingsFile } from '../../src/cli/settingsFile';
import {
  cellQueries,
  firstSeenQueries,
  newDestinationQueries,
  newPassthroughAlertExpr,
  recordingRules,
  seriesQueries,
} from '../../src/query';

// 96 catch-all series (3 pods for each of 32 workload-destination pairs) at a 60 s scrape for 30 days
// and an hour: 4M samples, which the OpenMetrics backfill takes in a few minutes.
const MESH = { namespaces: 1, workloadsPerNamespace: 4, destinationsPerWorkload: 8, podsPerWorkload: 3 };
const DAY = 86400;
const INTERVAL = 60;
const RUNS = 5;

interface Cost {
  samples: number;
  peak: number;
  ms: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** An instant query at `time`, or a range query over `range` when given. */
async function cost(url: string, expr: string, time: number, range?: { start: number; step: number }): Promise<Cost> {
  const times: number[] = [];
  let stats = { totalQueryableSamples: 0, peakSamples: 0 };
  const params: Record<string, string> = range
    ? { query: expr, start: String(range.start), end: String(time), step: String(range.step), stats: 'all' }
    : { query: expr, time: String(time), stats: 'all' };
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/${range ? 'query_range' : 'query'}`, {
      method: 'POST',
      body: new URLSearchParams(params),
    });
    const json = (await res.json()) as {
      status: string;
      error?: string;
      data?: { stats?: { samples?: { totalQueryableSamples: number; peakSamples: number } } };
    };
    times.push(performance.now() - t0);
    if (json.status !== 'success') {
      throw new Error(`query failed: ${json.error}`);
    }
    stats = json.data?.stats?.samples ?? stats;
  }
  return { samples: stats.totalQueryableSamples, peak: stats.peakSamples, ms: median(times) };
}

const n = (x: number) => x.toLocaleString('en-US').padStart(12);

/** Returns the summary for the last line of `bench queries`. */
export async function benchRules(): Promise<string> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'istioegress-bench-rules-'));
  const span = 30 * DAY + 3600;
  const grid = { end: TEST_END, interval: INTERVAL, steps: span / INTERVAL + 1 };
  console.log(
    `rules bench: ${scaleMeshSize(MESH)} catch-all series (${MESH.podsPerWorkload} pods per workload), ${grid.steps} samples each (30 days and an hour at ${INTERVAL} s), median of ${RUNS}`
  );
  let t0 = performance.now();
  const dataDir = await backfill(work, (write) => writeOpenMetrics(Array.from(scaleMeshSeries(MESH)), grid, write));
  console.log(`  raw series backfilled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  let prom = await startPrometheus({ dataDir });
  try {
    // The recording rules' history, as `promtool tsdb create-blocks-from rules` writes it for a new rule.
    t0 = performance.now();
    await backfillRecordingRules({
      url: prom.url,
      rulesYaml: stringify({ groups: [{ name: 'recording', interval: '5m', rules: recordingRules() }] }),
      start: TEST_END - span,
      end: TEST_END,
      dataDir,
      workDir: work,
    });
    await prom.stop();
    prom = await startPrometheus({ dataDir });
    console.log(`  recording rules backfilled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    console.log('  per evaluation                                    samples touched   peak samples     time');
    const rows: Array<[string, Cost]> = [];
    const settings = readSettingsFile(DEMO_SETTINGS_FILE);
    for (const a of alertSpecs(settings)) {
      rows.push([a.name, await cost(prom.url, a.expr, TEST_END)]);
    }
    const rawForm = newPassthroughAlertExpr(
      { mesh: settings.mesh },
      {
        windowSeconds: settings.alerts.newDestinationWindowSeconds,
        lookbackSeconds: settings.alerts.lookbackSeconds,
        rawLookbackSeconds: ALERTING.rawLookbackSeconds,
        source: 'raw',
      }
    );
    const raw = await cost(prom.url, rawForm, TEST_END);
    rows.push(['IstioEgressNewPassthroughDestination, raw form', raw]);
    for (const [name, c] of rows) {
      console.log(`    ${name.padEnd(46)} ${n(c.samples)}   ${n(c.peak)}   ${c.ms.toFixed(1).padStart(6)} ms`);
    }
    const shipped = rows.find(([name]) => name === 'IstioEgressNewPassthroughDestination')![1];
    const ratio = raw.samples / Math.max(1, shipped.samples);
    console.log(
      `    new-destination rule: the shipped form touches x${(1 / ratio).toFixed(3)} of the raw form's samples (${ratio.toFixed(1)} times fewer), time x${(shipped.ms / raw.ms).toFixed(2)}`
    );

    // Each query type the dashboards run, per range: the raw form and, where the data source has one, the
    // recorded form it ships (time series have none: their rate windows are shorter than a recording's).
    console.log('  per query type and range                          samples touched   peak samples     time');
    const scope = { listeners: ['http' as const] };
    const types: Array<[string, (seconds: number, recorded: boolean) => string[], boolean]> = [
      ['matrix', (sec, recorded) => cellQueries(scope, sec, { recorded }).map((q) => q.expr), true],
      [
        'new destinations (7d look-back)',
        (sec, recorded) =>
          newDestinationQueries(scope, { windowSeconds: sec, lookbackSeconds: 7 * DAY, recorded }).map((q) => q.expr),
        true,
      ],
      [
        'first seen',
        (sec, recorded) =>
          firstSeenQueries(scope, {
            windowSeconds: sec,
            stepSeconds: Math.max(300, Math.ceil(sec / 300)),
            recorded,
          }).map((q) => q.expr),
        true,
      ],
      [
        'time series (rate by verdict)',
        (sec) =>
          seriesQueries(scope, { groupBy: ['verdict'], rateIntervalSeconds: Math.max(240, sec / 300) }).map(
            (q) => q.expr
          ),
        false,
      ],
    ];
    const fewer: string[] = [];
    for (const [label, seconds] of [
      ['1h', 3600],
      ['24h', DAY],
      ['7d', 7 * DAY],
      ['30d', 30 * DAY],
    ] as const) {
      for (const [type, exprs, hasRecorded] of types) {
        const byForm: Cost[] = [];
        for (const recorded of hasRecorded ? [false, true] : [false]) {
          const range = type.startsWith('time series')
            ? { start: TEST_END - seconds, step: Math.max(60, seconds / 300) }
            : undefined;
          let total = { samples: 0, peak: 0, ms: 0 };
          for (const expr of exprs(seconds, recorded)) {
            const c = await cost(prom.url, expr, TEST_END, range);
            total = { samples: total.samples + c.samples, peak: Math.max(total.peak, c.peak), ms: total.ms + c.ms };
          }
          byForm.push(total);
          console.log(
            `    ${`${label} ${type}, ${recorded ? 'recorded' : 'raw'}`.padEnd(46)} ${n(total.samples)}   ${n(total.peak)}   ${total.ms.toFixed(1).padStart(6)} ms`
          );
        }
        if (byForm.length === 2 && type === 'matrix') {
          fewer.push(`${label} x${(byForm[0].samples / Math.max(1, byForm[1].samples)).toFixed(1)}`);
        }
      }
    }
    return `new-destination rule ${n(shipped.samples).trim()} samples vs raw ${n(raw.samples).trim()} (x${ratio.toFixed(1)} fewer); matrix from recorded series touches fewer samples: ${fewer.join(', ')}`;
  } finally {
    await prom.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
